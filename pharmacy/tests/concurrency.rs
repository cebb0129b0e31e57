//! 50 tasks × 20 attempts to reserve or dispense against scarce stock. However
//! the database interleaves them, nothing may be oversold, no balance may go
//! negative, and every success must be in the ledger.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{actor, fresh_store_with, product, receive, verified_rx};
use rxflow_pharmacy::dispensing::Source;
use rxflow_pharmacy::{Quantity, StoreError};
use sqlx::Row;

const TASKS: usize = 50;
const ATTEMPTS: usize = 20;
const RECEIVED: i64 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reservations_and_dispenses_never_oversell() {
    let store = fresh_store_with(16).await;
    let p = product(&store, "00093-7180-01", true).await;
    receive(&store, p, "A", 30, RECEIVED / 3).await;
    receive(&store, p, "B", 200, RECEIVED / 3).await;
    receive(&store, p, "C", 400, RECEIVED / 3).await;
    let mut items = Vec::new();
    for _ in 0..TASKS {
        items.push(verified_rx(&store, p, 3, (ATTEMPTS - 1) as i64).await.2);
    }
    let handles: Vec<_> = items
        .into_iter()
        .enumerate()
        .map(|(t, item)| {
            let store = store.store.clone();
            tokio::spawn(async move {
                let (mut reserved, mut dispensed) = (0i64, 0i64);
                for a in 0..ATTEMPTS {
                    let qty = 1 + ((t + a) % 3) as i64;
                    let outcome = if (t + a) % 2 == 0 {
                        store
                            .reserve(p, Quantity::new(qty).unwrap(), &actor())
                            .await
                            .map(|r| reserved += r.quantity)
                    } else {
                        store
                            .dispense(item, Source::Shelf(Quantity::new(qty).unwrap()), &actor())
                            .await
                            .map(|d| dispensed += d.quantity)
                    };
                    match outcome {
                        Ok(()) | Err(StoreError::InsufficientStock { .. }) => {}
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
                (reserved, dispensed)
            })
        })
        .collect();
    let (mut reserved, mut dispensed) = (0, 0);
    for h in handles {
        let (r, d) = h.await.unwrap();
        reserved += r;
        dispensed += d;
    }

    assert!(
        reserved + dispensed <= RECEIVED,
        "oversold: {reserved} reserved + {dispensed} dispensed > {RECEIVED}"
    );
    assert!(
        reserved + dispensed > RECEIVED / 2,
        "contention should still sell most of the stock"
    );
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!(
        stock.reserved, reserved,
        "ledger reservations match successful calls"
    );
    assert_eq!(
        stock.on_hand,
        RECEIVED - dispensed,
        "ledger dispenses match successful calls"
    );
    for lot in &stock.lots {
        assert!(
            lot.on_hand >= 0 && lot.reserved >= 0 && lot.available >= 0,
            "negative balance in {lot:?}"
        );
    }
    let dispense_rows: i64 =
        sqlx::query("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) AS n FROM dispenses")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
    assert_eq!(
        dispense_rows, dispensed,
        "every successful dispense has its record"
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        rxflow_pharmacy::audit::Verdict::Ok { .. }
    ));
}

/// Processes on one database (here: stores with their own pools) race for
/// each night's scheduled run; exactly one wins each day, and each task is
/// claimed on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_process_claims_each_days_scheduled_run() {
    let first = fresh_store_with(4).await;
    let mut processes = vec![first.store.clone()];
    for _ in 0..3 {
        processes.push(
            rxflow_pharmacy::Store::open(&first.database.url, 4)
                .await
                .unwrap(),
        );
    }
    let today = rxflow_pharmacy::clock::today();
    for day in [today, today + time::Duration::days(1)] {
        let claims = processes.iter().map(|store| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_run("recompute", day).await.unwrap() })
        });
        let mut won = 0;
        for claim in claims.collect::<Vec<_>>() {
            won += usize::from(claim.await.unwrap());
        }
        assert_eq!(won, 1, "one claim of {day}");
    }
    assert!(
        !first.claim_run("recompute", today).await.unwrap(),
        "a past day stays claimed"
    );
    assert!(
        first.claim_run("sweep", today).await.unwrap(),
        "another task is claimed apart"
    );
}
