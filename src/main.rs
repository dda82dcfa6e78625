fn main() {
    let code = git_screenlink::main_with_args(std::env::args_os().collect(), "git screenlink");
    std::process::exit(code);
}
