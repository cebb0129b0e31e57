#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{actor, fresh_store, product, receive, verified_rx};
use rxflow_pharmacy::dispensing::Source;
use rxflow_pharmacy::orders::{InStore, InStorePickup, OrderStatus, PaymentMethod};
use rxflow_pharmacy::patients::NewPatient;
use rxflow_pharmacy::{Quantity, StoreError};

fn qty(n: i64) -> Quantity {
    Quantity::new(n).unwrap()
}

#[tokio::test]
async fn otc_order_reserves_pays_invoices_ships_and_takes_stock() {
    let store = fresh_store().await;
    let p = product(&store, "00904-6720-60", false).await;
    receive(&store, p, "A", 200, 10).await;
    let patient = store
        .create_patient(
            &NewPatient::parse("Grace", "Hopper", "1906-12-09", "f").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    store
        .add_to_cart(patient, p, qty(3), None, &actor())
        .await
        .unwrap();
    let order = store.checkout(patient, &actor()).await.unwrap();
    assert!(store.cart(patient).await.unwrap().is_empty());
    let o = store.order(order, &actor()).await.unwrap();
    // 3 × 10.00 at 8.25% = 30.00 + 2.48 (2.475 rounds half up).
    assert_eq!(
        (o.subtotal_cents, o.tax_cents, o.total_cents, o.status),
        (3000, 248, 3248, OrderStatus::Pending)
    );
    assert_eq!(store.product_stock(p).await.unwrap().available, 7);
    assert_eq!(
        store
            .pay(order, &InStore, PaymentMethod::Card, &actor())
            .await
            .unwrap(),
        1,
        "first invoice is number 1"
    );
    store.start_processing(order, &actor()).await.unwrap();
    let tracking = store.ship(order, &InStorePickup, &actor()).await.unwrap();
    assert!(tracking.starts_with("PICKUP-"));
    store.deliver(order, &actor()).await.unwrap();
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!((stock.on_hand, stock.reserved), (7, 0));
    store
        .return_order(order, &InStore, "unopened, wrong item", &actor())
        .await
        .unwrap();
    assert_eq!(
        store.order(order, &actor()).await.unwrap().status,
        OrderStatus::Refunded
    );
}

#[tokio::test]
async fn prescription_only_items_need_a_verified_prescription_of_the_same_patient() {
    let store = fresh_store().await;
    let p = product(&store, "00378-1800-10", true).await;
    receive(&store, p, "A", 200, 100).await;
    let stranger = store
        .create_patient(
            &NewPatient::parse("Alan", "Turing", "1912-06-23", "m").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    assert!(
        store
            .add_to_cart(stranger, p, qty(30), None, &actor())
            .await
            .is_err(),
        "no prescription, no cart line"
    );
    let (patient, _, item) = verified_rx(&store, p, 30, 0).await;
    store
        .add_to_cart(stranger, p, qty(30), Some(item), &actor())
        .await
        .unwrap();
    assert!(
        matches!(
            store.checkout(stranger, &actor()).await,
            Err(StoreError::Conflict(_))
        ),
        "someone else's prescription"
    );
    assert_eq!(
        store.product_stock(p).await.unwrap().available,
        100,
        "a refused checkout reserves nothing"
    );

    store
        .add_to_cart(patient, p, qty(30), Some(item), &actor())
        .await
        .unwrap();
    let order = store.checkout(patient, &actor()).await.unwrap();
    store
        .pay(order, &InStore, PaymentMethod::Cash, &actor())
        .await
        .unwrap();
    store.start_processing(order, &actor()).await.unwrap();
    assert!(
        matches!(
            store.ship(order, &InStorePickup, &actor()).await,
            Err(StoreError::Conflict(_))
        ),
        "not dispensed yet"
    );
    let reservation = store.order(order, &actor()).await.unwrap().lines[0].reservation_id;
    let fill = store
        .dispense(item, Source::Reservation(reservation), &actor())
        .await
        .unwrap();
    assert_eq!(fill.quantity, 30);
    store.ship(order, &InStorePickup, &actor()).await.unwrap();
    let stock = store.product_stock(p).await.unwrap();
    assert_eq!(
        (stock.on_hand, stock.reserved, stock.available),
        (70, 0, 70)
    );
}

#[tokio::test]
async fn cancelling_releases_reservations_and_refunds() {
    let store = fresh_store().await;
    let p = product(&store, "00904-6720-80", false).await;
    receive(&store, p, "A", 200, 5).await;
    let patient = store
        .create_patient(
            &NewPatient::parse("Mary", "Seacole", "1955-01-01", "f").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    store
        .add_to_cart(patient, p, qty(5), None, &actor())
        .await
        .unwrap();
    let order = store.checkout(patient, &actor()).await.unwrap();
    assert_eq!(store.product_stock(p).await.unwrap().available, 0);
    store
        .pay(order, &InStore, PaymentMethod::Cash, &actor())
        .await
        .unwrap();
    store.cancel_order(order, &InStore, &actor()).await.unwrap();
    assert_eq!(store.product_stock(p).await.unwrap().available, 5);
    assert!(matches!(
        store.cancel_order(order, &InStore, &actor()).await,
        Err(StoreError::IllegalOrderTransition { .. })
    ));
    assert!(
        matches!(
            store.checkout(patient, &actor()).await,
            Err(StoreError::Invalid { .. })
        ),
        "empty cart"
    );
}

#[tokio::test]
async fn invoice_numbers_are_gapless_and_unique() {
    let store = fresh_store().await;
    let p = product(&store, "00904-6720-90", false).await;
    receive(&store, p, "A", 200, 50).await;
    let patient = store
        .create_patient(
            &NewPatient::parse("Ida", "Wells", "1962-07-16", "f").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    let mut numbers = Vec::new();
    for _ in 0..4 {
        store
            .add_to_cart(patient, p, qty(1), None, &actor())
            .await
            .unwrap();
        let order = store.checkout(patient, &actor()).await.unwrap();
        numbers.push(
            store
                .pay(order, &InStore, PaymentMethod::Cash, &actor())
                .await
                .unwrap(),
        );
    }
    assert_eq!(numbers, vec![1, 2, 3, 4]);
}
