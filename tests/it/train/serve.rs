//! `git screenlink serve`: mlx-lm's OpenAI-compatible server on the tiny model's adapter, asked
//! over real HTTP, stopped by Ctrl-C; the port checked first; no request reaches the hub.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use super::{linked_world, tiny_model};
use crate::env::OutputExt;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn post(url: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(120))).build().into();
    let mut res = agent.post(url).send_json(body).unwrap();
    (res.status().as_u16(), res.body_mut().read_json().unwrap())
}

/// The server stopped as Ctrl-C stops it even when an assertion fails first: its model
/// server must not outlive the test.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            unsafe { libc::kill(self.0.id() as i32, libc::SIGINT) };
            let _ = self.0.wait();
        }
    }
}

#[test]
fn serve_answers_over_http_with_the_newest_adapter_and_stops_on_ctrl_c() {
    let (env, world) = linked_world();
    let out = env.screenlink(["serve"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no training run with adapters to serve") && out.stderr_text().contains("--base"), "{}", out.stderr_text());

    // A base model named by a hub id and never downloaded: said before the server starts
    // (offline, mlx-lm's server would say it is up while its model failed to load).
    let out = env.git(["-c", "screenlink.train.model=some-org/not-here", "screenlink", "serve", "--base"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("some-org/not-here is neither a model directory nor a model downloaded"), "{}", out.stderr_text());

    let model = tiny_model().to_str().unwrap().to_string();
    env.screenlink(["train", "--model", &model, "--iters", "3", "--batch-size", "2", "--num-layers", "2"]).assert_ok();
    let run = std::fs::read_dir(world.repo.join(".git/screenlink/mlx")).unwrap().flatten().next().unwrap().path();
    let adapters = run.join("adapters");

    // The command it would run: the run's base model and adapter, on loopback.
    let port = free_port();
    let dry = env.screenlink(["serve", "--port", &port.to_string(), "--dry-run", "--", "--max-tokens", "64"]);
    dry.assert_ok();
    let text = dry.stdout_text();
    let want =
        format!("<src/train/serve.py: mlx_lm server> --model {model} --adapter-path {} --host 127.0.0.1 --port {port} --max-tokens 64", adapters.display());
    assert!(text.contains(&want) && text.contains(&format!("URL: http://127.0.0.1:{port}/v1")), "{text}");

    // A port in use is said before any model loads.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().port().to_string();
    let out = env.screenlink(["serve", "--port", &busy]);
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    assert!(out.stderr_text().contains(&format!("port {busy} on 127.0.0.1 is in use")) && out.stderr_text().contains("--port N"), "{}", out.stderr_text());
    drop(taken);

    // A model that does not load stops the server with mlx-lm's reason, and no URL is given
    // (mlx-lm's own server opens its port first and keeps answering every request with an
    // error).
    let broken = env.root().join("broken-model");
    std::fs::create_dir_all(&broken).unwrap();
    for f in std::fs::read_dir(tiny_model()).unwrap().flatten() {
        std::fs::copy(f.path(), broken.join(f.file_name())).unwrap();
    }
    let weights = std::fs::read(tiny_model().join("model.safetensors")).unwrap();
    std::fs::write(broken.join("model.safetensors"), &weights[..weights.len() / 2]).unwrap();
    let mut failing = env
        .command("git-screenlink")
        .args(["serve", "--model", broken.to_str().unwrap(), "--port", &port.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while failing.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            unsafe { libc::kill(failing.id() as i32, libc::SIGINT) };
            panic!("serve of a broken model still running after {:?}", started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = failing.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(out.stdout_text(), "", "no URL for a server with no model");
    let err = out.stderr_text();
    assert!(err.contains(&format!("mlx-lm could not load {}, so nothing is served: [load_safetensors]", broken.display())), "{err}");
    assert!(!err.contains("ready at"), "{err}");
    assert!(TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free again");

    let mut child = Serving(
        env.command("git-screenlink")
            .args(["serve", "--port", &port.to_string()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let log = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>());
    // stdout is the URL alone, once the port answers.
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = format!("http://127.0.0.1:{port}/v1");
    assert_eq!(line.trim_end(), url);

    // The models list answers though this HOME has no Hugging Face cache (mlx-lm scans it).
    let mut res = ureq::get(&format!("{url}/models")).call().unwrap();
    let models: serde_json::Value = res.body_mut().read_json().unwrap();
    assert_eq!(models["data"][0]["id"].as_str().map(std::path::PathBuf::from), Some(std::fs::canonicalize(&model).unwrap()), "{models}");
    // A chat completion from base + adapter.
    let (status, answer) =
        post(&format!("{url}/chat/completions"), serde_json::json!({"messages": [{"role": "user", "content": "Add retries"}], "max_tokens": 4}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["choices"][0]["message"]["role"], "assistant", "{answer}");
    assert_eq!(answer["usage"]["completion_tokens"], 4, "{answer}");
    // Whatever name a client gives the served model (none, the id the list gave, the path,
    // "screenlink"), it gets base + adapter: the same log-probabilities, and not the base's
    // alone (the same directory named another way loads without the adapter).
    let logprobs = |name: Option<&str>| {
        let mut body = serde_json::json!({"messages": [{"role": "user", "content": "Add retries to the fetch loop"}], "max_tokens": 3, "logprobs": true});
        if let Some(n) = name {
            body["model"] = n.into();
        }
        let (status, answer) = post(&format!("{url}/chat/completions"), body);
        assert_eq!(status, 200, "{answer}");
        answer["choices"][0]["logprobs"]["content"].as_array().unwrap().iter().map(|t| t["logprob"].as_f64().unwrap()).collect::<Vec<f64>>()
    };
    let served = logprobs(None);
    let listed = models["data"][0]["id"].as_str().unwrap().to_string();
    for name in [listed.as_str(), model.as_str(), "screenlink"] {
        assert_eq!(logprobs(Some(name)), served, "the model named {name:?}");
    }
    assert_ne!(logprobs(Some(&format!("{model}/"))), served, "the base alone answers otherwise");
    // A request naming a model that is not here is refused, not fetched from the hub.
    let (status, refused) = post(
        &format!("{url}/chat/completions"),
        serde_json::json!({"model": "some-org/not-here", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}),
    );
    assert_ne!(status, 200, "{refused}");
    assert!(refused.to_string().contains("outgoing traffic has been disabled"), "{refused}");

    // Ctrl-C stops the server; the port is free again.
    let asked = Instant::now();
    unsafe { libc::kill(child.0.id() as i32, libc::SIGINT) };
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(asked.elapsed() < Duration::from_secs(15), "stopped after {:?}", asked.elapsed());
    let log = log.join().unwrap().join("\n");
    assert!(log.contains(&format!("serving {model} + {}", adapters.display())) && log.contains("the server stopped"), "{log}");
    assert!(TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free after Ctrl-C");
}
