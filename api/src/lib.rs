//! rxflow-api: the HTTP service. It is the only crate that wires the others
//! together; handlers stay thin and call into the store and libraries.

pub mod auth;
pub mod config;
mod error;
mod extract;
pub mod forecasts;
pub mod interop;
pub mod jobs;
mod openapi;
mod pages;
mod review;
pub(crate) mod routes;
mod server;
mod services;
mod state;
pub mod telemetry;
pub mod uploads;

pub use config::Config;
pub use error::ApiError;
pub use server::{route_table, router, serve};
pub use services::load as load_services;
pub use state::{AppState, Services};
