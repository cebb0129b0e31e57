//! Orders. A customer fills a cart, checks out (an Rx-only product needs a
//! verified prescription item of theirs with a fill left), pays, follows,
//! cancels or returns; staff see every order and move it along.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rxflow_pharmacy::Quantity;
use rxflow_pharmacy::orders::{
    CartItem, InStore, InStorePickup, LocalCourier, Order, PaymentMethod,
};
use rxflow_pharmacy::users::Role;
use serde::Deserialize;
use serde_json::json;

use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

const CUSTOMER: Access = Access::Roles(&[Role::Customer]);
const COUNTER: Access = Access::Roles(&[Role::Pharmacist, Role::Technician]);
/// Orders hold patient data: their customer and the dispensary see them.
const ORDER_READERS: Access = Access::Roles(&[Role::Customer, Role::Pharmacist, Role::Technician]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/cart", CUSTOMER, cart)
        .post("/api/v1/cart", CUSTOMER, add)
        .post("/api/v1/checkout", CUSTOMER, checkout)
        .get("/api/v1/orders", ORDER_READERS, list)
        .get("/api/v1/orders/{id}", ORDER_READERS, one)
        .post("/api/v1/orders/{id}/pay", ORDER_READERS, pay)
        .post("/api/v1/orders/{id}/cancel", ORDER_READERS, cancel)
        .post("/api/v1/orders/{id}/return", COUNTER, return_order)
        .post("/api/v1/orders/{id}/process", COUNTER, process)
        .post("/api/v1/orders/{id}/ship", COUNTER, ship)
        .post("/api/v1/orders/{id}/deliver", COUNTER, deliver)
}

async fn cart(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<CartItem>>, ApiError> {
    Ok(Json(state.store.cart(principal.patient_id()?).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Add {
    product_id: i64,
    quantity: i64,
    prescription_item_id: Option<i64>,
}

async fn add(
    State(state): State<AppState>,
    principal: Principal,
    Json(a): Json<Add>,
) -> Result<impl IntoResponse, ApiError> {
    let id = state
        .store
        .add_to_cart(
            principal.patient_id()?,
            a.product_id,
            Quantity::new(a.quantity)?,
            a.prescription_item_id,
            &principal.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

async fn checkout(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<impl IntoResponse, ApiError> {
    let id = state
        .store
        .checkout(principal.patient_id()?, &principal.actor())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.order(id, &principal.actor()).await?),
    ))
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

/// Customers get their own orders whatever they ask for.
async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Order>>, ApiError> {
    if !(1..=500).contains(&p.limit) {
        return Err(ApiError::BadRequest("limit must be 1–500".into()));
    }
    let patient = match principal.user.role {
        Role::Customer => Some(principal.patient_id()?),
        _ => p.patient_id,
    };
    Ok(Json(
        state
            .store
            .list_orders(patient, p.limit, &principal.actor())
            .await?,
    ))
}

pub async fn visible(state: &AppState, principal: &Principal, id: i64) -> Result<Order, ApiError> {
    let order = state.store.order(id, &principal.actor()).await?;
    principal.may_see_patient(Some(order.patient_id))?;
    Ok(order)
}

async fn one(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(visible(&state, &principal, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Payment {
    method: String,
}

async fn pay(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(p): Json<Payment>,
) -> Result<Json<Order>, ApiError> {
    visible(&state, &principal, id).await?;
    let method = PaymentMethod::parse(&p.method).ok_or_else(|| {
        ApiError::Unprocessable(format!(
            "{:?} is not a payment method (card, cash)",
            p.method
        ))
    })?;
    state
        .store
        .pay(id, &InStore, method, &principal.actor())
        .await?;
    Ok(Json(state.store.order(id, &principal.actor()).await?))
}

async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Order>, ApiError> {
    visible(&state, &principal, id).await?;
    state
        .store
        .cancel_order(id, &InStore, &principal.actor())
        .await?;
    Ok(Json(state.store.order(id, &principal.actor()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Return {
    reason: String,
}

async fn return_order(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(r): Json<Return>,
) -> Result<Json<Order>, ApiError> {
    state
        .store
        .return_order(id, &InStore, &r.reason, &principal.actor())
        .await?;
    Ok(Json(state.store.order(id, &principal.actor()).await?))
}

async fn process(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Order>, ApiError> {
    state.store.start_processing(id, &principal.actor()).await?;
    Ok(Json(state.store.order(id, &principal.actor()).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipping {
    /// `pickup` (at the counter) or `courier`.
    carrier: String,
}

async fn ship(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(s): Json<Shipping>,
) -> Result<Json<Order>, ApiError> {
    let actor = principal.actor();
    match s.carrier.as_str() {
        "pickup" => state.store.ship(id, &InStorePickup, &actor).await?,
        "courier" => state.store.ship(id, &LocalCourier, &actor).await?,
        other => {
            return Err(ApiError::Unprocessable(format!(
                "{other:?} is not a carrier (pickup, courier)"
            )));
        }
    };
    Ok(Json(state.store.order(id, &actor).await?))
}

async fn deliver(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Order>, ApiError> {
    state.store.deliver(id, &principal.actor()).await?;
    Ok(Json(state.store.order(id, &principal.actor()).await?))
}
