fn main() {
    let args = git_screenlink::cargo_args(std::env::args_os().collect());
    std::process::exit(git_screenlink::main_with_args(args, "cargo screenlink"));
}
