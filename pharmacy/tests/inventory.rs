#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{actor, fresh_store, product, receive, verified_rx};
use rxflow_pharmacy::StoreError;
use rxflow_pharmacy::dispensing::Source;
use rxflow_pharmacy::inventory::ReceiveLot;
use rxflow_pharmacy::prescriptions::RxStatus;

fn qty(n: i64) -> rxflow_pharmacy::Quantity {
    rxflow_pharmacy::Quantity::new(n).unwrap()
}

#[tokio::test]
async fn stock_is_the_sum_of_the_ledger() {
    let store = fresh_store().await;
    let p = product(&store, "00093-5056-98", false).await;
    let lot = receive(&store, p, "A1", 200, 100).await;
    store
        .adjust(lot, -3, "count correction", &actor())
        .await
        .unwrap();
    let r = store.reserve(p, qty(40), &actor()).await.unwrap();
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!(
        (stock.on_hand, stock.reserved, stock.available),
        (97, 40, 57)
    );
    store.release(r.id, &actor()).await.unwrap();
    assert_eq!(store.product_stock(p).await.unwrap().available, 97);
    assert!(
        matches!(
            store.release(r.id, &actor()).await,
            Err(StoreError::Conflict(_))
        ),
        "a reservation is released once"
    );
}

#[tokio::test]
async fn reservations_take_the_earliest_expiring_usable_lot_first() {
    let store = fresh_store().await;
    let p = product(&store, "0093-5057-98", false).await;
    let late = receive(&store, p, "LATE", 300, 50).await;
    let early = receive(&store, p, "EARLY", 20, 30).await;
    let r = store.reserve(p, qty(45), &actor()).await.unwrap();
    let taken: Vec<(i64, i64)> = r.lots.iter().map(|a| (a.lot_id, a.quantity)).collect();
    assert_eq!(taken, vec![(early, 30), (late, 15)]);
}

#[tokio::test]
async fn expired_stock_is_never_allocated_and_can_be_written_off() {
    let store = fresh_store().await;
    let p = product(&store, "12345-678-90", false).await;
    let lot = receive(&store, p, "OLD", 1, 10).await;
    expire_now(&store, lot).await;
    match store.reserve(p, qty(1), &actor()).await {
        Err(StoreError::InsufficientStock {
            available: 0,
            requested: 1,
            ..
        }) => {}
        other => panic!("expected insufficient stock, got {other:?}"),
    }
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!((stock.on_hand, stock.available, stock.expired), (10, 0, 10));
    let alerts = store.expiring_within(30).await.unwrap();
    assert!(alerts.iter().any(|l| l.lot_id == lot));
    assert_eq!(store.expire_lot(lot, &actor()).await.unwrap(), 10);
    assert_eq!(store.product_stock(p).await.unwrap().on_hand, 0);
}

#[tokio::test]
async fn bad_stock_requests_are_refused_without_writing() {
    let store = fresh_store().await;
    let p = product(&store, "12345-6789-1", false).await;
    let lot = receive(&store, p, "L1", 100, 5).await;
    let r = store.reserve(p, qty(4), &actor()).await.unwrap();
    assert!(
        store.adjust(lot, -2, "damaged", &actor()).await.is_err(),
        "cannot remove reserved units"
    );
    assert!(store.adjust(lot, 0, "nothing", &actor()).await.is_err());
    assert!(
        store.adjust(lot, -1, "  ", &actor()).await.is_err(),
        "an adjustment needs a reason"
    );
    assert!(matches!(
        store.reserve(p, qty(2), &actor()).await,
        Err(StoreError::InsufficientStock { available: 1, .. })
    ));
    assert!(
        ReceiveLot::parse(p, "L2", "2001-01-01", "Main", 5).is_err(),
        "expired receipt refused"
    );
    assert!(ReceiveLot::parse(p, "L2", "next week", "Main", 5).is_err());
    assert!(ReceiveLot::parse(p, "", "2099-01-01", "Main", 5).is_err());
    assert!(ReceiveLot::parse(p, "L2", "2099-01-01", "Main", 0).is_err());
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!((stock.on_hand, stock.reserved), (5, 4));
    store.release(r.id, &actor()).await.unwrap();
}

#[tokio::test]
async fn dispensing_picks_fefo_counts_refills_and_finishes_the_prescription() {
    let store = fresh_store().await;
    let p = product(&store, "00378-0018-01", true).await;
    let second = receive(&store, p, "B", 400, 100).await;
    let first = receive(&store, p, "A", 90, 20).await;
    let (_, rx, item) = verified_rx(&store, p, 30, 1).await;
    let d1 = store
        .dispense(item, Source::Shelf(qty(30)), &actor())
        .await
        .unwrap();
    assert_eq!(
        d1.lots
            .iter()
            .map(|a| (a.lot_id, a.quantity))
            .collect::<Vec<_>>(),
        vec![(first, 20), (second, 10)]
    );
    assert_eq!(
        (d1.fill_number, d1.refills_left, d1.prescription_status),
        (1, 1, RxStatus::PartiallyDispensed)
    );
    let d2 = store
        .dispense(item, Source::Shelf(qty(30)), &actor())
        .await
        .unwrap();
    assert_eq!(
        (d2.fill_number, d2.refills_left, d2.prescription_status),
        (2, 0, RxStatus::Dispensed)
    );
    assert!(matches!(
        store.dispense(item, Source::Shelf(qty(30)), &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.product_stock(p).await.unwrap().on_hand, 60);
    assert_eq!(
        store.prescription(rx, &actor()).await.unwrap().items[0].fills_used,
        2
    );
}

#[tokio::test]
async fn an_unverified_prescription_cannot_be_dispensed() {
    use rxflow_pharmacy::prescriptions::{NewItem, NewPrescription};
    let store = fresh_store().await;
    let p = product(&store, "00378-0018-05", true).await;
    receive(&store, p, "A", 90, 20).await;
    let mut item = NewItem::parse("testdrug", "1 tab po qd", 10, 0).unwrap();
    item.product_id = Some(p);
    let rx = store
        .create_prescription(
            &NewPrescription {
                items: vec![item],
                ..Default::default()
            },
            &actor(),
        )
        .await
        .unwrap();
    let item = store.prescription(rx, &actor()).await.unwrap().items[0].id;
    assert!(matches!(
        store.dispense(item, Source::Shelf(qty(10)), &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.product_stock(p).await.unwrap().on_hand,
        20,
        "nothing left the shelf"
    );
}

#[tokio::test]
async fn daily_demand_follows_the_ledger_and_flags_empty_days() {
    let store = fresh_store().await;
    let p = product(&store, "00093-0311-01", true).await;
    receive(&store, p, "A", 100, 5).await;
    let (_, _, item) = verified_rx(&store, p, 5, 0).await;
    store
        .dispense(item, Source::Shelf(qty(5)), &actor())
        .await
        .unwrap();
    let today = rxflow_pharmacy::clock::today();
    let days = store
        .daily_demand(p, today + time::Duration::days(2))
        .await
        .unwrap();
    assert_eq!(days.len(), 3, "today and two days after");
    assert_eq!(
        (days[0].dispensed, days[0].stockout),
        (5, true),
        "sold out today"
    );
    assert!(days[1..].iter().all(|d| d.dispensed == 0 && d.stockout));
    assert!(matches!(
        store.daily_demand(9999, today).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Age a lot past its expiry: receiving expired stock is refused.
async fn expire_now(store: &rxflow_pharmacy::Store, lot: i64) {
    sqlx::query("UPDATE lots SET expiry = '2020-01-01' WHERE id = $1")
        .bind(lot)
        .execute(store.pool())
        .await
        .unwrap();
}

/// A lot that expires between checkout and the fill never reaches the
/// patient: in-date stock goes out instead, and the expired units stay on
/// the shelf for removal. Without in-date stock the fill is refused whole.
#[tokio::test]
async fn a_reserved_lot_that_expires_is_not_dispensed() {
    let store = fresh_store().await;
    let p = product(&store, "00093-5056-98", true).await;
    let soon = receive(&store, p, "SOON", 2, 40).await;
    let (_, _, item) = verified_rx(&store, p, 30, 2).await;
    let reservation = store.reserve(p, qty(30), &actor()).await.unwrap();
    expire_now(&store, soon).await;
    match store
        .dispense(item, Source::Reservation(reservation.id), &actor())
        .await
    {
        Err(StoreError::InsufficientStock {
            requested: 30,
            available: 0,
            ..
        }) => {}
        other => panic!("expected no in-date stock, got {other:?}"),
    }
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!(
        (stock.on_hand, stock.reserved),
        (40, 30),
        "the refusal wrote nothing"
    );

    let later = receive(&store, p, "LATER", 300, 50).await;
    let fill = store
        .dispense(item, Source::Reservation(reservation.id), &actor())
        .await
        .unwrap();
    assert_eq!(fill.quantity, 30);
    assert!(
        fill.lots.iter().all(|l| l.lot_id == later),
        "{:?}",
        fill.lots
    );
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!((stock.on_hand, stock.reserved, stock.expired), (60, 0, 40));
    assert_eq!(store.expire_lot(soon, &actor()).await.unwrap(), 40);
    assert_eq!(
        rxflow_pharmacy::testing::projection_mismatches(&store)
            .await
            .unwrap(),
        0
    );
}
