//! End-to-end tests: the real binary, the real server, a real database and
//! the real models. One test binary, because each links the whole service
//! and its model crates; nextest still runs every test in its own process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod support;

mod cli;
mod golden_path;
mod intake_cli;
mod interop;
mod ledger_forecast;
mod pages;
mod reorder;
mod roles;
mod server;
mod uploads;
