//! `git screenlink completions SHELL` and `git screenlink man DIR`: what shells and `man`
//! need, generated from the command tree so they never drift from it.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::error::{Error, Result};

pub fn completions(args: &CompletionsArgs) -> Result<i32> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "git-screenlink", &mut out);
    let mut script = String::from_utf8_lossy(&out).into_owned();
    if args.shell == clap_complete::Shell::Bash {
        // git's own completion calls `_git_screenlink` for `git screenlink …`: complete the
        // subcommands, then each subcommand's flags.
        let subs: Vec<String> = cmd.get_subcommands().filter(|c| !c.is_hide_set()).map(|c| c.get_name().to_string()).collect();
        let mut cases = String::new();
        for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
            let flags: Vec<String> = sub.get_arguments().filter_map(|a| a.get_long().map(|l| format!("--{l}"))).collect();
            cases.push_str(&format!("        {}) __gitcomp \"{}\" ;;\n", sub.get_name(), flags.join(" ")));
        }
        script.push_str(&format!(
            "\n# `git screenlink <TAB>` through git's completion (git-completion.bash).\n_git_screenlink() {{\n    local sub=\"${{words[2]}}\"\n    if [ \"$cword\" -le 2 ]; then\n        __gitcomp \"{}\"\n        return\n    fi\n    case \"$sub\" in\n{cases}    esac\n}}\n",
            subs.join(" ")
        ));
    }
    print!("{script}");
    Ok(0)
}

pub fn man(args: &ManArgs) -> Result<i32> {
    let io = |e| Error::io(format!("writing man pages to {}", args.dir.display()), e);
    std::fs::create_dir_all(&args.dir).map_err(io)?;
    let cmd = Cli::command();
    let mut written = 0;
    let mut write = |name: String, page: clap::Command| -> Result<()> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page).render(&mut buf).map_err(io)?;
        std::fs::write(args.dir.join(format!("{name}.1")), buf).map_err(io)?;
        written += 1;
        Ok(())
    };
    write("git-screenlink".into(), cmd.clone())?;
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        let name = format!("git-screenlink-{}", sub.get_name());
        write(name.clone(), sub.clone().name(name))?;
    }
    println!("Wrote {written} man pages to {}", args.dir.display());
    Ok(0)
}
