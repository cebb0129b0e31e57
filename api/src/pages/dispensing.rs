//! The counter: paid orders waiting to be filled, each prescription line
//! with its label as it will print, and the printed label after the fill.

use axum::extract::State;
use rxflow_pharmacy::orders::{Order, OrderLine, OrderStatus};
use rxflow_pharmacy::users::Role;
use serde_json::{Value, json};

use super::PageError;
use super::customer::product_names;
use super::render::{Page, page};
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::Path;
use crate::routes::dispensing::{label, label_head};
use crate::state::AppState;

const COUNTER: Access = Access::Roles(&[Role::Pharmacist, Role::Technician]);

pub fn routes() -> Routes {
    Routes::new().page("/dispensing", COUNTER, work).page(
        "/dispensing/labels/{id}",
        COUNTER,
        printed,
    )
}

async fn work(State(state): State<AppState>, principal: Principal) -> Result<Page, PageError> {
    let open: Vec<Order> = state
        .store
        .list_orders(None, 200, &principal.actor())
        .await?
        .into_iter()
        .filter(|o| {
            matches!(
                o.status,
                OrderStatus::Paid | OrderStatus::Processing | OrderStatus::Shipped
            )
        })
        .collect();
    let ids: Vec<i64> = open
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| l.product_id))
        .collect();
    let products = product_names(&state, &ids).await?;
    let mut orders = Vec::with_capacity(open.len());
    for order in &open {
        let mut lines = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            lines.push(line_view(&state, &principal, line).await?);
        }
        orders.push(json!({ "order": order, "lines": lines }));
    }
    page(
        "dispensing.html",
        Some(&principal),
        json!({ "title": "Dispensing", "here": "/dispensing", "orders": orders, "products": products }),
    )
}

/// A line of an order: for a prescription item, the label preview and
/// whether its reservation still waits to be filled.
async fn line_view(
    state: &AppState,
    principal: &Principal,
    line: &OrderLine,
) -> Result<Value, PageError> {
    let mut view = json!({ "line": line });
    let Some(item_id) = line.prescription_item_id else {
        return Ok(view);
    };
    let actor = principal.actor();
    let rx = state
        .store
        .prescription(state.store.prescription_of_item(item_id).await?, &actor)
        .await?;
    let item = rx
        .items
        .iter()
        .find(|i| i.id == item_id)
        .ok_or_else(|| ApiError::NotFound(format!("prescription item {item_id}")))?;
    view["label"] = json!(label_head(state, &rx, item, &actor).await?);
    view["refills_after"] = Value::from((item.fills_left() - 1).max(0));
    view["to_fill"] =
        Value::from(state.store.reservation_status(line.reservation_id).await? == "active");
    Ok(view)
}

async fn printed(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Page, PageError> {
    let actor = principal.actor();
    let record = state.store.dispense_record(id, &actor).await?;
    let label = label(&state, &record.dispense, &record.dispensed_by, &actor).await?;
    page(
        "dispensing.html",
        Some(&principal),
        json!({
            "title": format!("Label for fill {id}"),
            "here": "/dispensing",
            "printed": label,
            "dispensed_at": record.dispensed_at,
        }),
    )
}
