//! rxflow-api: the HTTP service. It is the only crate that wires the others
//! together; handlers stay thin and call into the store and libraries.

pub mod config;
mod error;
mod extract;
mod routes;
mod server;
mod state;
pub mod telemetry;

pub use config::Config;
pub use error::ApiError;
pub use server::{router, serve};
pub use state::AppState;
