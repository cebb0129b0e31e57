use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

/// Probes and metrics are for the platform, which does not sign in; they
/// hold no patient data.
pub fn routes() -> Routes {
    Routes::new()
        .get("/healthz", Access::Public, healthz)
        .get("/readyz", Access::Public, readyz)
        .get("/metrics", Access::Public, metrics)
        .get("/api/v1/openapi.json", Access::Public, openapi)
}

/// The document describes the routes as served, so it is built from the
/// same table, once: the table cannot change while the process runs.
async fn openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| crate::openapi::document(&crate::server::route_table()));
    Json(&DOCUMENT)
}

/// Prometheus text exposition; the queue depth is sampled on each scrape.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(depth) = state.store.open_jobs().await {
        metrics::gauge!("rxflow_intake_queue_depth").set(depth as f64);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.services.metrics.render(),
    )
}

/// The process is up.
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: the database answers.
async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.store.ping().await.map_err(|e| {
        ApiError::Unavailable(format!(
            "database: {}",
            std::error::Error::source(&e).map_or(e.to_string(), ToString::to_string)
        ))
    })?;
    Ok(Json(json!({ "status": "ready", "database": "ok" })))
}
