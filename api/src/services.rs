//! Loading what the service needs before it serves: the knowledge base, the
//! intake models, the metrics recorder.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use rxflow_clinical::Kb;
use rxflow_intake::pipeline::{Intake, ModelPaths};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use crate::auth::cds_jwt::{CdsClientError, CdsClients};
use crate::auth::limit::LoginLimiter;
use crate::auth::{new_token, password};
use crate::config::Config;
use crate::state::Services;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the knowledge base at {dir}: {source} (run `rxflow kb build`)")]
    Kb {
        dir: String,
        source: rxflow_clinical::ClinicalError,
    },
    #[error("the intake models: {0}")]
    Models(#[from] rxflow_intake::IntakeError),
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("{0}")]
    Task(String),
    #[error(transparent)]
    CdsClients(#[from] CdsClientError),
}

/// Sign-in attempts allowed per client address per minute.
const LOGINS_PER_MINUTE: NonZeroU32 = match NonZeroU32::new(30) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// How often the recorder folds its histogram samples into their summaries.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

pub async fn load(config: &Config) -> Result<Services, StartError> {
    let cds_clients = CdsClients::load(&config.cds_clients, config.public_url.as_deref())?;
    let kb_dir = config.kb_dir.clone();
    let models = config.models_dir.clone();
    let (kb, intake) = tokio::task::spawn_blocking(move || -> Result<_, StartError> {
        let kb = Arc::new(Kb::open_current(&kb_dir).map_err(|source| StartError::Kb {
            dir: kb_dir.display().to_string(),
            source,
        })?);
        // One thread per job: the worker pool, not the model, spreads the load.
        let intake = Intake::load(&ModelPaths::under(&models), kb.clone(), 1)?;
        Ok((kb, intake))
    })
    .await
    .map_err(|e| StartError::Task(e.to_string()))??;
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|e| StartError::Metrics(e.to_string()))?;
    keep_up(metrics.clone());
    let decoy_hash = password::hash(new_token())
        .await
        .map_err(|e| StartError::Task(e.to_string()))?;
    Ok(Services {
        kb,
        intake,
        uploads: config.uploads_dir(),
        secure_cookies: config.secure_cookies,
        login_limiter: LoginLimiter::new(LOGINS_PER_MINUTE),
        decoy_hash,
        jobs_waiting: Notify::new(),
        metrics,
        cds_clients,
    })
}

/// The recorder keeps every histogram sample until upkeep folds it in, and
/// `install_recorder` leaves upkeep to the caller: a process that nobody
/// scrapes would otherwise hold every request's latency for ever.
fn keep_up(metrics: PrometheusHandle) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(METRICS_UPKEEP);
        loop {
            tick.tick().await;
            metrics.run_upkeep();
        }
    });
}
