//! Starting the real binary for end-to-end tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rxflow_pharmacy::testing::{FreshDatabase, fresh_database};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

pub struct Server {
    pub base: String,
    child: Child,
    pub database: FreshDatabase,
    _data: tempfile::TempDir,
}

pub fn rxflow(database_url: &str, data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rxflow"));
    cmd.env("RXFLOW_DATABASE_URL", database_url)
        .env("RXFLOW_DATA_DIR", data_dir)
        .env("RXFLOW_BIND", "127.0.0.1:0")
        .env_remove("RXFLOW_CONFIG");
    cmd
}

impl Server {
    /// A server over a fresh database seeded with `days` of demo history.
    pub async fn seeded(days: u32) -> Server {
        let database = fresh_database().await.unwrap();
        let data = tempfile::tempdir().unwrap();
        let seed = rxflow(&database.url, data.path())
            .args(["demo", "seed", "--days", &days.to_string()])
            .output()
            .unwrap();
        assert!(
            seed.status.success(),
            "seed failed: {}",
            String::from_utf8_lossy(&seed.stderr)
        );
        let mut child = rxflow(&database.url, data.path())
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
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
        Server {
            base,
            child,
            database,
            _data: data,
        }
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

async fn split(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
