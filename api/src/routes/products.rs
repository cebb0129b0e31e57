use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rxflow_pharmacy::inventory::{LotStock, ProductStock};
use rxflow_pharmacy::products::Product;
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/products", get(list))
        .route("/products/{id}", get(one))
        .route("/products/{id}/stock", get(stock))
        .route("/inventory/expiring", get(expiring))
}

#[derive(Deserialize)]
struct ListParams {
    search: Option<String>,
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    50
}

async fn list(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Product>>, ApiError> {
    if !(1..=500).contains(&p.limit) || p.offset < 0 {
        return Err(ApiError::BadRequest(
            "limit must be 1–500 and offset ≥ 0".into(),
        ));
    }
    if p.search.as_ref().is_some_and(|s| s.len() > 200) {
        return Err(ApiError::BadRequest(
            "search is longer than 200 characters".into(),
        ));
    }
    Ok(Json(
        state
            .store
            .list_products(p.search.as_deref(), p.limit, p.offset)
            .await?,
    ))
}

async fn one(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(state.store.product(id).await?))
}

async fn stock(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<ProductStock>, ApiError> {
    Ok(Json(state.store.product_stock(id).await?))
}

#[derive(Deserialize)]
struct ExpiringParams {
    #[serde(default = "default_days")]
    days: i64,
}

fn default_days() -> i64 {
    90
}

async fn expiring(
    State(state): State<AppState>,
    Query(p): Query<ExpiringParams>,
) -> Result<Json<Vec<LotStock>>, ApiError> {
    if !(0..=3650).contains(&p.days) {
        return Err(ApiError::BadRequest("days must be 0–3650".into()));
    }
    Ok(Json(state.store.expiring_within(p.days).await?))
}
