//! A real headless Chromium, driven through Debian's chromedriver, for the
//! page tests. `make test` installs both when missing; a machine without
//! them fails here with the command that installs them.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::repo;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    base: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends the driver's whole process group: Chromium outlives a driver
    /// killed alone and keeps using CPU after the test. SIGTERM lets it
    /// shut down, and its crash handlers with it.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.driver.id()) {
            let _ = killpg(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let _ = self.driver.wait();
    }
}

impl Browser {
    pub async fn start(base: &str) -> Browser {
        for tool in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(tool).exists(),
                "{tool} is missing: apt-get install chromium chromium-driver (make test does this)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Its own process group, which the browser it starts joins.
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities(&profile.path().display().to_string()))
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap();
        Browser {
            client,
            driver,
            base: base.to_string(),
            _profile: profile,
        }
    }

    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// Waits for `css` to be on the page and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.wait_until(css, |_| true).await
    }

    pub async fn wait_until(
        &self,
        css: &str,
        ready: impl FnMut(&str) -> bool,
    ) -> fantoccini::elements::Element {
        self.wait_for(css, ready, Duration::from_secs(60)).await
    }

    /// As [`Browser::wait_until`], for as long as `limit` (intake reading
    /// a photo in a debug build takes a while).
    pub async fn wait_for(
        &self,
        css: &str,
        mut ready: impl FnMut(&str) -> bool,
        limit: Duration,
    ) -> fantoccini::elements::Element {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && ready(&el.text().await.unwrap_or_default())
            {
                return el;
            }
            if Instant::now() >= deadline {
                let said = self.script(SAID).await;
                panic!(
                    "{css} never became ready on {}; the page said {said}",
                    self.path().await
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits for the browser to arrive at `path`.
    pub async fn arrive(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.path().await != path {
            assert!(
                Instant::now() < deadline,
                "stayed at {} instead of {path}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.find("main").await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Presses keys on whatever has focus, as a person at a keyboard would.
    pub async fn press(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await.unwrap();
    }

    pub async fn script(&self, js: &str) -> Value {
        self.client.execute(js, vec![]).await.unwrap()
    }

    pub async fn sign_in(&self, username: &str, password: &str) {
        self.open("/login").await;
        self.type_into("#username", username).await;
        self.type_into("#password", password).await;
        self.find("form button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.path().await == "/login" {
            assert!(Instant::now() < deadline, "sign-in as {username} failed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn sign_out(&self) {
        self.find("header button[data-api$='logout']")
            .await
            .click()
            .await
            .unwrap();
        self.arrive("/login").await;
    }

    /// Checks the page as every page must be: each form control labelled,
    /// every image described, nothing in the console, nothing wider than a
    /// phone; and keeps a picture of it at both sizes.
    pub async fn check_page(&self, name: &str) {
        let unlabelled = self.script(UNLABELLED).await;
        assert_eq!(
            unlabelled,
            json!([]),
            "{name}: controls without labels or text"
        );
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{name}: console errors: {errors:#?}");
        self.photograph(name).await;
        // The same page on a phone: nothing may stick out sideways.
        self.client.set_window_size(390, 844).await.unwrap();
        let overflow = self
            .script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            .await;
        self.photograph(&format!("{name}-phone")).await;
        self.client.set_window_size(1280, 1024).await.unwrap();
        assert_eq!(overflow, 0, "{name}: wider than a phone's screen");
    }

    async fn photograph(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = screenshots();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Everything logged at SEVERE since the last call.
    async fn console_errors(&self) -> Vec<Value> {
        let id = self.client.session_id().await.unwrap().unwrap_or_default();
        let log = self.client.issue_cmd(BrowserLog(id)).await.unwrap();
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .cloned()
            .collect()
    }
}

/// Where the page tests leave their screenshots (git-ignored).
pub fn screenshots() -> PathBuf {
    repo().join("tests/artifacts/screenshots")
}

fn capabilities(profile: &str) -> serde_json::Map<String, Value> {
    let caps = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            // The background-networking flags keep Chromium from calling
            // out, which this sandbox refuses.
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1024", "--no-first-run", "--disable-quic",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={profile}"),
            ],
        },
    });
    caps.as_object().cloned().unwrap_or_default()
}

/// The refusals the page is showing.
const SAID: &str =
    "return [...document.querySelectorAll('.problem:not([hidden])')].map((p) => p.textContent);";

/// Form controls without a label, and buttons and images without text.
const UNLABELLED: &str = r#"
const bad = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden') continue;
  const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!named) bad.push(el.outerHTML.slice(0, 160));
}
for (const b of document.querySelectorAll('button, a')) {
  if (!b.textContent.trim() && !b.getAttribute('aria-label')) bad.push(b.outerHTML.slice(0, 160));
}
for (const img of document.querySelectorAll('img')) {
  if (!img.getAttribute('alt')) bad.push(img.outerHTML.slice(0, 160));
}
return bad;
"#;

/// chromedriver's log endpoint (not in the W3C standard, so not in
/// fantoccini's API).
#[derive(Debug)]
struct BrowserLog(String);

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        _session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", self.0))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}
