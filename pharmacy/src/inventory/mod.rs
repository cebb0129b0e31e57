//! Inventory: lots at locations, an append-only movement ledger, and
//! reservations. Quantities on hand and reserved are never stored; they are
//! sums over the ledger, so the ledger is the single source of truth.
//!
//! Every stock-changing transaction first bumps its product's
//! `stock_version`. On PostgreSQL that row lock serialises writers per
//! product; on SQLite it takes the database write lock before anything is
//! read, so no transaction ever decides on a stale balance.

mod demand;
mod fefo;
mod ledger;
mod movements;
mod stock;

pub use demand::DailyDemand;
pub use fefo::{Allocation, LotAvailability, allocate};
pub use ledger::{Balance, MovementKind};
pub use movements::{ReceiveLot, Reservation};
pub use stock::{LotStock, ProductStock};

pub(crate) use movements::{
    allocate_fefo, lock_products, receive_in, reservation_product as reservation_product_in,
    reserve_in, settle_reservation as settle, write_movement,
};
