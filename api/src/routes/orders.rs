use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rxflow_pharmacy::orders::Order;
use serde::Deserialize;

use super::anonymous;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/{id}", get(one))
}

#[derive(Deserialize)]
struct ListParams {
    patient_id: Option<i64>,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

async fn list(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Order>>, ApiError> {
    if !(1..=500).contains(&p.limit) {
        return Err(ApiError::BadRequest("limit must be 1–500".into()));
    }
    Ok(Json(
        state
            .store
            .list_orders(p.patient_id, p.limit, &anonymous())
            .await?,
    ))
}

async fn one(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Order>, ApiError> {
    Ok(Json(state.store.order(id, &anonymous()).await?))
}
