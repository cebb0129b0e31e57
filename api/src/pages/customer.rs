//! The customer's pages: their prescriptions with an upload straight from
//! the phone camera, and their orders.

use axum::extract::State;
use rxflow_pharmacy::orders::Order;
use rxflow_pharmacy::prescriptions::RxStatus;
use rxflow_pharmacy::reviews::PrescriptionSummary;
use rxflow_pharmacy::users::Role;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::PageError;
use super::render::{Page, page};
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::routes::prescriptions::plain_status;
use crate::state::AppState;

const CUSTOMER: Access = Access::Roles(&[Role::Customer]);

pub fn routes() -> Routes {
    Routes::new()
        .page("/my", CUSTOMER, prescriptions)
        .page("/my/orders", CUSTOMER, orders)
}

async fn prescriptions(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Page, PageError> {
    let actor = principal.actor();
    let mine = state
        .store
        .prescriptions_of(principal.patient_id()?, &actor)
        .await?;
    let mut rows = Vec::with_capacity(mine.len());
    for summary in &mine {
        rows.push(row(&state, &principal, summary).await?);
    }
    page(
        "my.html",
        Some(&principal),
        json!({ "title": "My prescriptions", "here": "/my", "prescriptions": rows }),
    )
}

/// One prescription in plain words; a verified one lists what can be
/// ordered from it, a rejected one says why.
async fn row(
    state: &AppState,
    principal: &Principal,
    summary: &PrescriptionSummary,
) -> Result<Value, PageError> {
    let mut row = json!({
        "id": summary.id,
        "status": summary.status,
        "status_text": plain_status(summary.status),
        "created_at": summary.created_at,
    });
    match summary.status {
        RxStatus::Verified | RxStatus::PartiallyDispensed => {
            let rx = state
                .store
                .prescription(summary.id, &principal.actor())
                .await?;
            let orderable: Vec<Value> = rx
                .items
                .iter()
                .filter(|i| i.product_id.is_some() && i.fills_left() > 0)
                .map(|i| json!({ "item": i, "fills_left": i.fills_left() }))
                .collect();
            row["items"] = Value::from(orderable);
        }
        RxStatus::Rejected => {
            if let Some(signature) = state.store.signature(summary.id).await? {
                row["reason"] = Value::from(signature.reason);
            }
        }
        _ => {}
    }
    Ok(row)
}

async fn orders(State(state): State<AppState>, principal: Principal) -> Result<Page, PageError> {
    let patient = principal.patient_id()?;
    let cart = state.store.cart(patient).await?;
    let orders = state
        .store
        .list_orders(Some(patient), 50, &principal.actor())
        .await?;
    let ids: Vec<i64> = cart
        .iter()
        .map(|c| c.product_id)
        .chain(
            orders
                .iter()
                .flat_map(|o| o.lines.iter().map(|l| l.product_id)),
        )
        .collect();
    let products = product_names(&state, &ids).await?;
    let orders: Vec<Value> = orders.iter().map(order_view).collect();
    page(
        "orders.html",
        Some(&principal),
        json!({
            "title": "My orders", "here": "/my/orders",
            "cart": cart, "orders": orders, "products": products,
        }),
    )
}

/// An order with what its customer may do next.
fn order_view(order: &Order) -> Value {
    use rxflow_pharmacy::orders::OrderStatus::*;
    let mut view = json!(order);
    view["status_text"] = Value::from(match order.status {
        Pending => "waiting for payment",
        Paid => "paid: the pharmacy is preparing it",
        Processing => "being prepared",
        Shipped => "on its way",
        Delivered => "delivered",
        Cancelled => "cancelled",
        Returned => "returned",
        Refunded => "refunded",
    });
    view["can_pay"] = Value::from(order.status == Pending);
    view["can_cancel"] = Value::from(matches!(order.status, Pending | Paid));
    view
}

/// Products' names (which carry strength and form) by id, as strings for
/// the template.
pub async fn product_names(
    state: &AppState,
    ids: &[i64],
) -> Result<BTreeMap<String, String>, PageError> {
    let mut names = BTreeMap::new();
    for &id in ids {
        if let Entry::Vacant(slot) = names.entry(id.to_string()) {
            slot.insert(state.store.product(id).await?.name);
        }
    }
    Ok(names)
}
