//! Fixtures shared by the store's integration tests; each test gets a fresh
//! database from `rxflow_pharmacy::testing` (SQLite, or PostgreSQL in CI's second pass).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rxflow_pharmacy::testing::TestStore;
use rxflow_pharmacy::{Actor, Store};

pub async fn fresh_store() -> TestStore {
    fresh_store_with(8).await
}

pub async fn fresh_store_with(max_connections: u32) -> TestStore {
    rxflow_pharmacy::testing::fresh_store(max_connections)
        .await
        .unwrap()
}

pub fn actor() -> Actor {
    Actor::parse("test-pharmacist").unwrap()
}

pub fn days_from_today(days: i64) -> String {
    rxflow_pharmacy::clock::format_date(
        rxflow_pharmacy::clock::today() + time::Duration::days(days),
    )
}

/// A product with the given NDC, 100 per pack, priced 10.00, untaxed.
pub async fn product(store: &Store, ndc: &str, rx_only: bool) -> i64 {
    use rxflow_pharmacy::products::{NewProduct, ProductFields};
    let new = NewProduct::parse(ProductFields {
        ndc,
        name: "Test Drug 10 mg Tablet",
        generic_name: "testdrug",
        strength: "10 mg",
        form: "tablet",
        pack_size: 100,
        rx_only,
        dea_schedule: None,
        price_cents: 1000,
        tax_rate_bp: if rx_only { 0 } else { 825 },
    })
    .unwrap();
    store.create_product(&new, &actor()).await.unwrap()
}

pub async fn receive(store: &Store, product_id: i64, lot: &str, expiry_days: i64, qty: i64) -> i64 {
    use rxflow_pharmacy::inventory::ReceiveLot;
    let receipt =
        ReceiveLot::parse(product_id, lot, &days_from_today(expiry_days), "Main", qty).unwrap();
    store.receive_lot(&receipt, &actor()).await.unwrap()
}

/// A patient with a verified prescription for `product_id` (quantity per
/// fill, refills); returns (patient id, prescription id, item id).
pub async fn verified_rx(
    store: &Store,
    product_id: i64,
    quantity: i64,
    refills: i64,
) -> (i64, i64, i64) {
    use rxflow_pharmacy::patients::NewPatient;
    let patient = store
        .create_patient(
            &NewPatient::parse("Ada", "Lovelace", "1950-12-10", "female").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    let (rx, item) =
        rxflow_pharmacy::testing::verified_item(store, patient, product_id, quantity, refills)
            .await
            .unwrap();
    (patient, rx, item)
}
