use metrics_exporter_prometheus::PrometheusHandle;
use rxflow_clinical::Kb;
use rxflow_intake::pipeline::Intake;
use rxflow_pharmacy::Store;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;

use crate::auth::cds_jwt::CdsClients;
use crate::auth::limit::LoginLimiter;

/// What every handler can reach. Cheap to clone: the store is a pool handle
/// and the rest is shared.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub services: Arc<Services>,
}

/// The loaded models and the process-wide pieces around them.
pub struct Services {
    pub kb: Arc<Kb>,
    pub intake: Intake,
    /// Where re-encoded uploads are stored, by content address.
    pub uploads: PathBuf,
    pub secure_cookies: bool,
    pub login_limiter: LoginLimiter,
    /// A hash of a random password, verified against for unknown usernames
    /// so that they take as long to refuse as wrong passwords.
    pub decoy_hash: String,
    /// Wakes idle workers when an upload queues a job.
    pub jobs_waiting: Notify,
    pub metrics: PrometheusHandle,
    /// EHRs trusted to sign CDS Hooks calls.
    pub cds_clients: CdsClients,
}
