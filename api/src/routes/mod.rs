//! Routes, one module per resource. Each module returns [`Routes`], which
//! pairs every route with who may call it.

mod admin;
pub mod auth;
pub(crate) mod dispensing;
mod health;
mod interop;
pub(crate) mod inventory;
mod orders;
pub(crate) mod prescriptions;
pub(crate) mod products;
pub(crate) mod review;

use crate::auth::access::Routes;

pub fn table() -> Routes {
    Routes::new()
        .merge(health::routes())
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(prescriptions::routes())
        .merge(review::routes())
        .merge(orders::routes())
        .merge(dispensing::routes())
        .merge(products::routes())
        .merge(inventory::routes())
        .merge(interop::routes())
        .merge(crate::pages::routes())
}
