//! Starting the real binary for end-to-end tests, and talking to it as the
//! demo's users.

use rxflow_pharmacy::testing::{FreshDatabase, fresh_database};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// What rx0002 says, for the fields a pharmacist types in when the machine
/// could not read them.
pub const RX0002_TRUTH: [(&str, &str); 4] = [
    ("items.0.drug", "hydrochlorothiazide"),
    ("items.0.sig", "Take 2 tabs orally 2 times a day"),
    ("items.0.dispense", "#120"),
    ("items.0.refills", "1"),
];

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Server {
    pub base: String,
    child: Child,
    pub database: FreshDatabase,
    pub data: tempfile::TempDir,
    /// The server's stderr, shown when a test fails while it is running.
    log: tempfile::NamedTempFile,
}

pub fn rxflow(database_url: &str, data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rxflow"));
    cmd.env("RXFLOW_DATABASE_URL", database_url)
        .env("RXFLOW_DATA_DIR", data_dir)
        .env("RXFLOW_BIND", "127.0.0.1:0")
        .env("RXFLOW_KB_DIR", repo().join("data/cache/kb"))
        .env("RXFLOW_MODELS_DIR", repo().join("models"))
        .env_remove("RXFLOW_CONFIG")
        .env_remove("RXFLOW_WORKERS");
    cmd
}

impl Server {
    /// A server over a fresh database seeded with `days` of demo history.
    pub async fn seeded(days: u32) -> Server {
        Server::seeded_with(days, &[]).await
    }

    pub async fn seeded_with(days: u32, env: &[(&str, &str)]) -> Server {
        Server::launch(&["--days", &days.to_string()], env).await
    }

    /// As [`Server::seeded`], with the demo customer having sent `photos`
    /// (paths in the repository), as `make run` seeds it.
    pub async fn seeded_with_photos(days: u32, photos: &[&str]) -> Server {
        let mut args = vec!["--days".to_string(), days.to_string()];
        for photo in photos {
            args.push("--photo".into());
            args.push(repo().join(photo).display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Server::launch(&args, &[]).await
    }

    async fn launch(seed_args: &[&str], env: &[(&str, &str)]) -> Server {
        let database = fresh_database().await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let seed = rxflow(&database.url, data.path())
            .args(["demo", "seed"])
            .args(seed_args)
            .output()
            .unwrap();
        assert!(
            seed.status.success(),
            "seed failed: {}",
            String::from_utf8_lossy(&seed.stderr)
        );
        let log = tempfile::NamedTempFile::new().unwrap();
        let (child, base) = spawn(&database.url, data.path(), env, &log);
        Server {
            base,
            child,
            database,
            data,
            log,
        }
    }

    /// Stops the process at once (no graceful shutdown) and starts another
    /// over the same database and data directory.
    pub fn crash_and_restart(&mut self, env: &[(&str, &str)]) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base) = spawn(&self.database.url, self.data.path(), env, &self.log);
        self.child = child;
        self.base = base;
    }

    pub async fn get_raw(&self, path: &str) -> (u16, String, String) {
        let response = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        split(response).await
    }

    pub async fn post_raw(&self, path: &str) -> (u16, String, String) {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        split(response).await
    }

    pub async fn get_json(&self, path: &str, status: u16) -> Value {
        let (code, _, body) = self.get_raw(path).await;
        assert_eq!(code, status, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Signs in with a bearer token.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({ "username": username, "password": password, "token": true }))
            .send()
            .await
            .unwrap();
        let (status, _, body) = split(response).await;
        assert_eq!(status, 200, "login {username}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        Session {
            base: self.base.clone(),
            token: body["token"].as_str().unwrap().to_string(),
            client: reqwest::Client::new(),
        }
    }

    /// Signs in as the demo account of that name (see `rxflow demo seed`).
    pub async fn demo(&self, username: &str) -> Session {
        self.login(username, &format!("{username}-demo-2026")).await
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        self.child.wait().unwrap()
    }
}

fn spawn(
    url: &str,
    data: &Path,
    env: &[(&str, &str)],
    log: &tempfile::NamedTempFile,
) -> (Child, String) {
    let mut cmd = rxflow(url, data);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .arg("serve")
        .stdout(Stdio::piped())
        // Append, so that a restarted server's log follows the first one's.
        .stderr(
            std::fs::OpenOptions::new()
                .append(true)
                .open(log.path())
                .unwrap(),
        )
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("listening on ").map(str::to_string))
        .expect("server printed its address");
    // Keep draining so the server never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

/// A signed-in client.
pub struct Session {
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

impl Session {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, _, text) = split(request.send().await.unwrap()).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// `expect`s a status and returns the body.
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        status: u16,
    ) -> Value {
        let (code, value) = self.send(method.clone(), path, body).await;
        assert_eq!(code, status, "{method} {path}: {value}");
        value
    }

    /// Uploads `bytes` as the multipart part `image` named `filename`.
    pub async fn upload(&self, bytes: Vec<u8>, filename: &str) -> (u16, String, Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
        let form = reqwest::multipart::Form::new().part("image", part);
        let response = self
            .client
            .post(format!("{}/api/v1/prescriptions", self.base))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, content_type, text) = split(response).await;
        (
            status,
            content_type,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Polls the intake status until the job is over.
    pub async fn wait_for_intake(&self, rx: i64) -> Value {
        for _ in 0..600 {
            let (_, status) = self
                .get(&format!("/api/v1/prescriptions/{rx}/status"))
                .await;
            if status["done"] == true {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("intake of prescription {rx} did not finish in 150 s");
    }
}

pub async fn split(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

/// How much of the server's log a failing test shows.
const LOG_TAIL_LINES: usize = 200;

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A failure's cause is often only in the server's log (a job that
        // failed or hung), and the temporary file goes with the server.
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
            eprintln!("--- server log (last {} lines) ---", tail.len());
            for line in tail {
                eprintln!("{line}");
            }
        }
    }
}
