//! `git screenlink serve`: the fine-tuned model behind mlx-lm's OpenAI-compatible server,
//! on this machine, for editors and scripts that speak that API. mlx-lm does the serving;
//! this picks the run as `ask` does, checks the port, keeps the server off the network and
//! off the Hugging Face hub unless told, and says when it answers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::cli::ServeArgs;
use crate::config::Settings;
use crate::dataset::Store;
use crate::error::{Error, Kind, Result};
use crate::train::hub;
use crate::{eval, messages, train};

pub fn run(args: &ServeArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &[])?;
    let repo = crate::pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let chosen = eval::choose(&settings, &store.dir, args.model.as_deref(), args.base, args.run.as_deref(), eval::Purpose::Serve)?;
    if let Some(m) = &args.model {
        train::require_model_dir(m, "give the directory `train --fuse` wrote (`<run dir>/fused`), or leave out --model to serve the newest run's adapter")?;
    }
    if !args.dry_run {
        // The server runs offline, and would otherwise say it is ready while its model failed
        // to load.
        hub::require_here(&chosen.model, messages::MODEL_NOT_HERE_HINT)?;
    }
    let url = base_url(&args.host, args.port);

    // mlx-lm's Python runs the server (`serve.py`); a dry run shows the command without it.
    let python = match train::find_mlx(&settings).and_then(|l| l.require_python()) {
        Ok(p) => Some(p),
        Err(_) if args.dry_run => None,
        Err(e) => return Err(e),
    };
    let mut server_args: Vec<String> = vec!["--model".into(), chosen.model.clone()];
    if let Some(a) = &chosen.adapter {
        server_args.extend(["--adapter-path".into(), a.clone()]);
    }
    server_args.extend(["--host".into(), args.host.clone(), "--port".into(), args.port.to_string()]);
    server_args.extend(args.extra.iter().cloned());
    if args.dry_run {
        let python = python.map_or("python3".into(), |p| p.display().to_string());
        println!("Model: {}\nURL: {url}\nCommand: {python} -c <src/train/serve.py: mlx_lm server> {}", chosen.describe(), server_args.join(" "));
        return Ok(0);
    }
    let python = python.expect("found unless a dry run");

    let addrs = listen_addrs(&args.host, args.port)?;
    // The port checked before mlx-lm loads a model: its own error comes after the load, as a
    // traceback.
    if let Err(e) = TcpListener::bind(&addrs[..]) {
        return Err(Error::new(Kind::Usage, messages::port_unusable(&args.host, args.port, &e)).hint("pick another with --port N"));
    }
    if !addrs.iter().all(|a| a.ip().is_loopback()) {
        eprintln!("{}", messages::served_beyond_this_machine(&args.host, args.port));
    }

    let mut cmd = std::process::Command::new(python);
    cmd.arg("-c").arg(train::SERVE_PY).args(&server_args);
    // A request that names another model would have mlx-lm fetch it from the hub: never.
    hub::offline(&mut cmd);
    // mlx-lm lists models (`GET /v1/models`, which editors call first) by scanning the hub
    // cache, and fails when there is none; an empty one stands in while it runs.
    let empty_cache = match hub::cache_missing() {
        true => Some(tempfile::tempdir().map_err(|e| Error::io("making an empty model cache for mlx-lm", e))?),
        false => None,
    };
    if let Some(c) = &empty_cache {
        cmd.env("HF_HUB_CACHE", c.path());
    }
    eprintln!("{}", messages::serving(&chosen.describe(), &url));

    let done = Arc::new(AtomicBool::new(false));
    let loaded = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (done, loaded, probes, url) = (done.clone(), loaded.clone(), probe_addrs(&addrs), url.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                // Ready once the model is in memory and the port answers (mlx-lm opens the
                // port before the model loads).
                if loaded.load(Ordering::SeqCst) && probes.iter().any(|a| TcpStream::connect_timeout(a, Duration::from_millis(200)).is_ok()) {
                    // stdout holds the URL alone, for a script to read.
                    println!("{url}");
                    eprintln!("{}", messages::serving_ready(&url));
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    let mut failed_load = None;
    let outcome = train::process::stream_lines(&mut cmd, |line| {
        if line == LOADED {
            loaded.store(true, Ordering::SeqCst);
            return false;
        }
        if let Some(why) = line.strip_prefix(FAILED) {
            failed_load = Some(why.to_string());
            return false;
        }
        true
    });
    done.store(true, Ordering::SeqCst);
    let _ = watcher.join();
    drop(empty_cache);
    let outcome = outcome?;
    if let Some(why) = failed_load {
        return Err(Error::new(Kind::Io, messages::model_did_not_load(&chosen.describe(), &why)).hint(messages::MODEL_DID_NOT_LOAD_HINT));
    }
    match (outcome.code, outcome.interrupted) {
        (_, true) => {
            eprintln!("git-screenlink: the server stopped");
            Ok(Kind::Interrupted.exit_code())
        }
        (Some(0), false) => Ok(0),
        (code, false) => {
            Err(Error::new(Kind::Io, format!("mlx-lm's server stopped (exit code {}){}", code.map_or("none".into(), |c| c.to_string()), outcome.reason()))
                .hint("the lines above are mlx-lm's"))
        }
    }
}

/// What `serve.py` prints when mlx-lm has loaded the model, and before why it did not.
const LOADED: &str = "git-screenlink: model loaded";
const FAILED: &str = "git-screenlink: model failed to load: ";

/// What a client is given: `http://host:port/v1`, an IPv6 address in brackets.
fn base_url(host: &str, port: u16) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(_)) => format!("http://[{host}]:{port}/v1"),
        _ => format!("http://{host}:{port}/v1"),
    }
}

fn listen_addrs(host: &str, port: u16) -> Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map(Iterator::collect).unwrap_or_default();
    if addrs.is_empty() {
        return Err(Error::new(Kind::Usage, format!("{host:?} is not an address to listen on"))
            .hint("give an address of this machine, e.g. --host 127.0.0.1 (the default)"));
    }
    Ok(addrs)
}

/// Where to knock to see the server up: an unspecified address (0.0.0.0, ::) answers on
/// loopback.
fn probe_addrs(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    addrs
        .iter()
        .map(|a| match a.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), a.port()),
            IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), a.port()),
            _ => *a,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_probes_name_the_address_a_client_can_reach() {
        assert_eq!(base_url("127.0.0.1", 8080), "http://127.0.0.1:8080/v1");
        assert_eq!(base_url("::1", 9000), "http://[::1]:9000/v1");
        assert_eq!(base_url("localhost", 1), "http://localhost:1/v1");
        let any = listen_addrs("0.0.0.0", 8080).unwrap();
        assert_eq!(probe_addrs(&any), vec!["127.0.0.1:8080".parse::<SocketAddr>().unwrap()]);
        let six: SocketAddr = "[::]:81".parse().unwrap();
        assert_eq!(probe_addrs(&[six]), vec!["[::1]:81".parse::<SocketAddr>().unwrap()]);
        assert!(listen_addrs("no such host.invalid", 80).is_err());
    }
}
