//! Test support (feature `test-support`): a fresh, migrated database per test.
//! A temporary SQLite file by default; when `RXFLOW_TEST_PG_URL` names a
//! PostgreSQL server (as `make test`'s second pass does), a new database on it,
//! so one suite runs on both backends.

use sqlx::Connection;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Store, StoreResult};

/// A database URL that no other test uses, and what keeps it alive.
pub struct FreshDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fresh_database() -> StoreResult<FreshDatabase> {
    match std::env::var("RXFLOW_TEST_PG_URL") {
        Ok(admin) => Ok(FreshDatabase {
            url: fresh_pg_database(&admin).await?,
            _dir: None,
        }),
        Err(_) => {
            let dir = tempfile::tempdir()
                .map_err(|e| crate::StoreError::invalid("temp dir", e.to_string()))?;
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("rxflow.db").display()
            );
            Ok(FreshDatabase {
                url,
                _dir: Some(dir),
            })
        }
    }
}

/// A migrated store on a fresh database.
pub struct TestStore {
    pub store: Store,
    pub database: FreshDatabase,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

pub async fn fresh_store(max_connections: u32) -> StoreResult<TestStore> {
    let database = fresh_database().await?;
    let store = Store::open(&database.url, max_connections).await?;
    store.migrate().await?;
    Ok(TestStore { store, database })
}

async fn fresh_pg_database(admin_url: &str) -> StoreResult<String> {
    // nextest runs each test in its own process: the pid separates processes,
    // the counter tests within one.
    static N: AtomicU64 = AtomicU64::new(0);
    sqlx::any::install_default_drivers();
    let name = format!(
        "rxflow_test_{}_{}_{}",
        std::process::id(),
        nanos(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::AnyConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

fn nanos() -> usize {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as usize)
}

/// A verified prescription for `product_id` (quantity per fill, refills) for
/// `patient_id`; returns (prescription id, item id).
pub async fn verified_item(
    store: &Store,
    patient_id: i64,
    product_id: i64,
    quantity: i64,
    refills: i64,
) -> StoreResult<(i64, i64)> {
    use crate::prescriptions::{NewItem, NewPrescription, RxStatus};
    let actor = crate::Actor::system("test-fixture");
    let mut item = NewItem::parse("testdrug", "1 tab po qd", quantity, refills)?;
    item.product_id = Some(product_id);
    let new = NewPrescription {
        patient_id: Some(patient_id),
        items: vec![item],
        ..Default::default()
    };
    let rx = store.create_prescription(&new, &actor).await?;
    for to in [
        RxStatus::Extracted,
        RxStatus::NeedsReview,
        RxStatus::Verified,
    ] {
        store.transition_prescription(rx, to, None, &actor).await?;
    }
    let item = store
        .prescription(rx, &actor)
        .await?
        .items
        .first()
        .map(|i| i.id)
        .ok_or(crate::StoreError::NotFound {
            entity: "prescription item",
            id: rx,
        })?;
    Ok((rx, item))
}

/// Lots whose balance projection differs from the sum of their ledger; zero
/// when the two agree.
pub async fn projection_mismatches(store: &Store) -> StoreResult<i64> {
    use sqlx::Row;
    Ok(sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT lot_id, SUM(on_hand_delta) AS h, SUM(reserved_delta) AS r FROM stock_movements GROUP BY lot_id) s \
         LEFT JOIN lot_balances b ON b.lot_id = s.lot_id WHERE b.lot_id IS NULL OR b.on_hand <> s.h OR b.reserved <> s.r",
    )
    .fetch_one(store.pool())
    .await?
    .try_get("n")?)
}
