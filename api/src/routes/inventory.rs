//! Forecasts, reorder suggestions and purchase orders, for inventory
//! managers: the forecast behind each suggestion as a chart's data, the open
//! suggestions, a recompute on demand, and purchase orders from accepting
//! suggestions through to receiving their lots. Pharmacists and admins may
//! look; only inventory managers change anything.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rxflow_pharmacy::purchasing::{
    NewPurchaseOrder, PurchaseOrder, PurchaseOrderStatus, Receipt, ReceiptLine, Suggestion,
};
use rxflow_pharmacy::users::Role;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::forecasts::{self, ForecastPoint, Summary};
use crate::state::AppState;

const PLANNERS: Access = Access::Roles(&[Role::InventoryManager]);
pub(crate) const PLAN_READERS: Access =
    Access::Roles(&[Role::InventoryManager, Role::Pharmacist, Role::Admin]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/inventory/forecasts/{id}", PLAN_READERS, forecast)
        .get(
            "/api/v1/inventory/reorder-suggestions",
            PLAN_READERS,
            suggestions,
        )
        .post(
            "/api/v1/inventory/reorder-suggestions/recompute",
            PLANNERS,
            recompute,
        )
        .post(
            "/api/v1/inventory/reorder-suggestions/{id}/dismiss",
            PLANNERS,
            dismiss,
        )
        .post("/api/v1/purchase-orders", PLANNERS, create_order)
        .get("/api/v1/purchase-orders", PLAN_READERS, list_orders)
        .get("/api/v1/purchase-orders/{id}", PLAN_READERS, one_order)
        .post("/api/v1/purchase-orders/{id}/order", PLANNERS, mark_ordered)
        .post("/api/v1/purchase-orders/{id}/cancel", PLANNERS, cancel)
        .post("/api/v1/purchase-orders/{id}/receive", PLANNERS, receive)
}

#[derive(Serialize)]
struct HistoryDay {
    date: String,
    units: i64,
    stockout: bool,
}

/// Everything a forecast chart draws; the suggestion carries the stock
/// position, reorder point and order-up-to level the forecast led to.
#[derive(Serialize)]
struct ForecastView {
    product_id: i64,
    model: String,
    demand_class: String,
    history: Vec<HistoryDay>,
    forecast: Vec<ForecastPoint>,
    suggestion: Suggestion,
    lead_time_days: usize,
    review_period_days: usize,
    service_level: f64,
}

async fn forecast(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<ForecastView>, ApiError> {
    let latest = forecasts::latest(&state.store, id).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "product {id} has no forecast: it does not exist or needs a recompute"
        ))
    })?;
    let history = latest
        .history
        .iter()
        .map(|d| HistoryDay {
            date: rxflow_pharmacy::clock::format_date(d.date),
            units: d.dispensed,
            stockout: d.stockout,
        })
        .collect();
    Ok(Json(ForecastView {
        product_id: id,
        model: latest.chart.model,
        demand_class: latest.chart.demand_class,
        history,
        forecast: latest.chart.points,
        suggestion: latest.suggestion,
        lead_time_days: forecasts::LEAD_TIME_DAYS,
        review_period_days: forecasts::REVIEW_PERIOD_DAYS,
        service_level: forecasts::SERVICE_LEVEL,
    }))
}

#[derive(Deserialize)]
struct SuggestionParams {
    /// Also those that suggest ordering nothing.
    #[serde(default)]
    all: bool,
}

async fn suggestions(
    State(state): State<AppState>,
    Query(p): Query<SuggestionParams>,
) -> Result<Json<Vec<Suggestion>>, ApiError> {
    let mut open = state.store.open_suggestions().await?;
    if !p.all {
        open.retain(|s| s.suggested_qty > 0);
    }
    Ok(Json(open))
}

#[derive(Deserialize)]
struct RecomputeParams {
    product_id: Option<i64>,
}

/// Parameters ride in the query, so a bare POST recomputes everything.
async fn recompute(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<RecomputeParams>,
) -> Result<Json<Summary>, ApiError> {
    Ok(Json(
        forecasts::recompute(&state.store, p.product_id, &principal.actor()).await?,
    ))
}

async fn dismiss(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .dismiss_suggestion(id, &principal.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Accept {
    id: i64,
    quantity: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrder {
    suggestions: Vec<Accept>,
    /// A supplier id; by default the products' common supplier.
    supplier: Option<i64>,
}

async fn create_order(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<NewOrder>,
) -> Result<impl IntoResponse, ApiError> {
    let order = NewPurchaseOrder::parse(
        body.supplier,
        body.suggestions.iter().map(|a| (a.id, a.quantity)),
    )?;
    let id = state
        .store
        .create_purchase_order(&order, &principal.actor())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.purchase_order(id).await?),
    ))
}

#[derive(Deserialize)]
struct ListParams {
    status: Option<String>,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    50
}

async fn list_orders(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<PurchaseOrder>>, ApiError> {
    if !(1..=500).contains(&p.limit) {
        return Err(ApiError::BadRequest("limit must be 1–500".into()));
    }
    let status = p
        .status
        .as_deref()
        .map(PurchaseOrderStatus::parse)
        .transpose()?;
    Ok(Json(
        state.store.list_purchase_orders(status, p.limit).await?,
    ))
}

async fn one_order(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<PurchaseOrder>, ApiError> {
    Ok(Json(state.store.purchase_order(id).await?))
}

async fn mark_ordered(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<PurchaseOrder>, ApiError> {
    state.store.mark_ordered(id, &principal.actor()).await?;
    Ok(Json(state.store.purchase_order(id).await?))
}

async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<PurchaseOrder>, ApiError> {
    state
        .store
        .cancel_purchase_order(id, &principal.actor())
        .await?;
    Ok(Json(state.store.purchase_order(id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delivered {
    line_id: i64,
    lot_number: String,
    expiry: String,
    quantity: i64,
    #[serde(default = "default_location")]
    location: String,
}

fn default_location() -> String {
    "Main".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delivery {
    lines: Vec<Delivered>,
}

async fn receive(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(body): Json<Delivery>,
) -> Result<impl IntoResponse, ApiError> {
    let lines = body
        .lines
        .iter()
        .map(|l| ReceiptLine::parse(l.line_id, &l.lot_number, &l.expiry, &l.location, l.quantity))
        .collect::<Result<Vec<_>, _>>()?;
    let lots = state
        .store
        .receive_purchase_order(id, &Receipt::new(lines)?, &principal.actor())
        .await?;
    let order = state.store.purchase_order(id).await?;
    Ok(Json(json!({ "lots": lots, "purchase_order": order })))
}
