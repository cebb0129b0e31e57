//! Routes, one module per resource. Until authentication lands (issue #6)
//! these are read-only, and reads of patient data are audited as
//! `api:anonymous`.

mod health;
mod orders;
mod products;

use axum::Router;

use crate::state::AppState;

pub fn all() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .nest("/api/v1", products::routes().merge(orders::routes()))
}

/// The actor recorded for reads made before there are users.
fn anonymous() -> rxflow_pharmacy::Actor {
    rxflow_pharmacy::Actor::system("api-anonymous")
}
