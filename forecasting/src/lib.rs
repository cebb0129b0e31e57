//! rxflow-forecasting: demand series → forecasts with calibrated uncertainty →
//! reorder suggestions. A pure library: no I/O beyond reading CSV files on request.
//!
//! Flow: [`series`] parses input into validated [`DemandSeries`]; [`censor`]
//! corrects stock-out days; [`history`] prepares the modelling view (class,
//! seasonal profile); [`pipeline::forecast_batch`] backtests candidate
//! [`models`], picks one per series ([`auto`]) and attaches calibrated
//! [`quantiles`]; [`policy`] turns a forecast into a reorder suggestion and
//! [`simulate`] replays a policy; [`eval`] scores everything against a test set.

pub mod auto;
pub mod backtest;
pub mod censor;
pub mod classify;
pub mod error;
pub mod eval;
pub mod history;
pub mod metrics;
pub mod models;
pub mod optim;
pub mod pipeline;
pub mod policy;
pub mod quantiles;
pub mod seasonal;
pub mod series;
pub mod simulate;
pub mod synthetic;

pub use classify::{Classification, DemandClass, classify};
pub use error::{ForecastError, Result};
pub use models::Method;
pub use pipeline::{ForecastConfig, ModelChoice, SeriesForecast, forecast_batch, forecast_series};
pub use series::{DemandSeries, Frequency, Observation};
/// The calendar date type used throughout (re-exported so callers need not depend on `time`).
pub use time::Date;
