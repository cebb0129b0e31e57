//! Configuration from an optional TOML file, overridden by `RXFLOW_*`
//! environment variables (`RXFLOW_DATABASE_URL`, `RXFLOW_BIND`,
//! `RXFLOW_DATA_DIR`, `RXFLOW_LOG_FORMAT`, `RXFLOW_KB_DIR`,
//! `RXFLOW_MODELS_DIR`, `RXFLOW_WORKERS`, `RXFLOW_SECURE_COOKIES`,
//! `RXFLOW_PUBLIC_URL`). CDS Hooks clients are listed in the file.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use crate::auth::cds_jwt::CdsClient;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://…` (the default, embedded) or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// Where uploads, models and the SQLite file live.
    pub data_dir: PathBuf,
    /// Pool size; SQLite serialises writers anyway, PostgreSQL benefits from more.
    pub max_connections: u32,
    /// `text` for people, `json` for log shippers.
    pub log_format: LogFormat,
    /// The knowledge-base snapshot root (`rxflow kb build` writes it).
    pub kb_dir: PathBuf,
    /// The OCR and language models (`models/prepare` fills `models/cache`).
    pub models_dir: PathBuf,
    /// Intake jobs run at once on this host; each uses one core.
    pub workers: usize,
    /// Marks session cookies `Secure`; set it when serving behind TLS.
    pub secure_cookies: bool,
    /// The address clients reach this service at (`https://rx.example.org`):
    /// the audience CDS Hooks clients sign their JWTs for.
    pub public_url: Option<String>,
    /// EHRs whose signed CDS Hooks calls are accepted (a config file's
    /// `[[cds_clients]]` tables).
    pub cds_clients: Vec<CdsClient>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://var/rxflow.db?mode=rwc".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("var"),
            max_connections: 8,
            log_format: LogFormat::Text,
            kb_dir: PathBuf::from("data/cache/kb"),
            models_dir: PathBuf::from("models"),
            workers: 1,
            secure_cookies: false,
            public_url: None,
            cds_clients: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Where re-encoded uploads are kept, by content address.
    pub fn uploads_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// Defaults, then `file` if given (it must exist), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("RXFLOW_"))
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }
}
