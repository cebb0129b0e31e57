//! The web pages. Each is HTML rendered on the server from the same store
//! calls the JSON API makes; forms act through the JSON API itself
//! (`assets/app.js`), so every rule, audit row and error message is the
//! API's own. One module per audience.

mod admin;
mod assets;
mod chart;
mod customer;
mod dispensing;
mod error;
mod home;
mod inventory;
mod render;
mod review;

pub use error::{PageError, refusal};

use crate::auth::access::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(assets::routes())
        .merge(home::routes())
        .merge(customer::routes())
        .merge(review::routes())
        .merge(dispensing::routes())
        .merge(inventory::routes())
        .merge(admin::routes())
}
