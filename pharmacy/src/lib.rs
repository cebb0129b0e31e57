//! rxflow-pharmacy: the store. It owns all persistent state: patients,
//! prescribers, prescriptions, products, inventory, orders, dispensing and the
//! audit chain, on SQLite (the embedded default) or PostgreSQL.
//!
//! Every write method runs in one transaction and appends its audit event in
//! that same transaction, so a change and its record commit or fail together.

pub mod audit;
pub mod cds;
pub mod clock;
mod db;
pub mod demo;
pub mod dispensing;
mod error;
mod group;
pub mod inventory;
pub mod jobs;
pub mod orders;
pub mod patients;
pub mod prescribers;
pub mod prescriptions;
pub mod products;
pub mod purchasing;
pub mod reviews;
mod schedule;
mod session_cache;
mod status;
#[cfg(feature = "test-support")]
pub mod testing;
mod text;
pub mod users;
mod window;

pub use audit::Actor;
pub use db::Backend;
pub use error::{StoreError, StoreResult};
pub use text::Quantity;

use sqlx::AnyPool;

/// The repository: one handle over either backend.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// The group commit's own connection.
    writer: AnyPool,
    backend: Backend,
    group: group::GroupCommit,
    // Shared by every clone: they are one process's view of the store.
    sessions: std::sync::Arc<session_cache::SessionCache>,
}

impl Store {
    /// Connects; call [`Store::migrate`] before use on a new database.
    pub async fn open(url: &str, max_connections: u32) -> StoreResult<Store> {
        let (pool, backend) = db::connect(url, max_connections).await?;
        // The pool's queue is fair: a group commit that waited its turn
        // there would wait behind every reader, and so would every caller
        // whose row it carries. The writer has a connection of its own.
        let (writer, _) = db::connect(url, 1).await?;
        let group = group::GroupCommit::start(writer.clone(), backend);
        Ok(Store {
            pool,
            writer,
            backend,
            group,
            sessions: Default::default(),
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        db::migrate(&self.pool, self.backend).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The raw pool, for tools that must bypass the repository (tests that
    /// tamper with the audit log, the demo bulk loader).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A round trip to the database, for readiness probes.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Starts a write transaction (see [`db::begin`]).
    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        db::begin(&self.pool, self.backend).await
    }

    pub async fn verify_audit(&self) -> StoreResult<audit::Verdict> {
        audit::verify(&self.pool).await
    }
}
