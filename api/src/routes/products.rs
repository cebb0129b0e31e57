//! The catalogue (open to all: it is the shop window) and the stock behind
//! it (staff only): lots, expiry, receiving, counted adjustments and
//! expired lots taken off the shelf.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rxflow_pharmacy::inventory::{LotStock, ProductStock, ReceiveLot};
use rxflow_pharmacy::products::Product;
use rxflow_pharmacy::users::Role;
use serde::Deserialize;
use serde_json::json;

use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

pub(crate) const STOCK_READERS: Access = Access::Roles(&[
    Role::Pharmacist,
    Role::Technician,
    Role::InventoryManager,
    Role::Admin,
]);
const STOCK_KEEPERS: Access =
    Access::Roles(&[Role::Pharmacist, Role::Technician, Role::InventoryManager]);
const STOCK_COUNTERS: Access = Access::Roles(&[Role::Pharmacist, Role::InventoryManager]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/products", Access::Public, list)
        .get("/api/v1/products/{id}", Access::Public, one)
        .get("/api/v1/products/{id}/stock", STOCK_READERS, stock)
        .get("/api/v1/inventory/expiring", STOCK_READERS, expiring)
        .post("/api/v1/inventory/lots", STOCK_KEEPERS, receive)
        .post("/api/v1/inventory/lots/{id}/adjust", STOCK_COUNTERS, adjust)
        .post("/api/v1/inventory/lots/{id}/expire", STOCK_COUNTERS, expire)
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Receipt {
    product_id: i64,
    lot_number: String,
    expiry: String,
    #[serde(default = "default_location")]
    location: String,
    quantity: i64,
}

fn default_location() -> String {
    "Main".into()
}

async fn receive(
    State(state): State<AppState>,
    principal: Principal,
    Json(r): Json<Receipt>,
) -> Result<impl IntoResponse, ApiError> {
    let receipt = ReceiveLot::parse(
        r.product_id,
        &r.lot_number,
        &r.expiry,
        &r.location,
        r.quantity,
    )?;
    let lot = state
        .store
        .receive_lot(&receipt, &principal.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "lot_id": lot }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Adjustment {
    delta: i64,
    reason: String,
}

async fn adjust(
    State(state): State<AppState>,
    principal: Principal,
    Path(lot): Path<i64>,
    Json(a): Json<Adjustment>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .adjust(lot, a.delta, &a.reason, &principal.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes what is left of an expired lot off the shelf, into the ledger as
/// an expiry. A lot still in date is refused. Units already reserved stay
/// on the lot until their orders are settled.
async fn expire(
    State(state): State<AppState>,
    principal: Principal,
    Path(lot): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let removed = state.store.expire_lot(lot, &principal.actor()).await?;
    Ok(Json(json!({ "lot_id": lot, "removed": removed })))
}
