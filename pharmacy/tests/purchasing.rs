#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{actor, days_from_today, fresh_store, product, receive};
use rxflow_pharmacy::purchasing::{
    NewPurchaseOrder, NewSuggestion, PurchaseOrderStatus, Receipt, ReceiptLine, SuggestionFields,
    SuggestionStatus,
};
use rxflow_pharmacy::{Store, StoreError};

fn suggestion(product_id: i64, suggested_qty: i64) -> NewSuggestion {
    NewSuggestion::parse(SuggestionFields {
        product_id,
        model: "sba+season",
        on_hand: 40,
        on_order: 0,
        reorder_point: 60,
        order_up_to: 140,
        suggested_qty,
        reason: "covers 3 days lead time + 7 days review at 95% service",
        forecast: r#"{"mean":[1.5,2.0]}"#.into(),
    })
    .unwrap()
}

/// Saves one suggestion per (product, quantity) and returns the open ones' ids by product.
async fn suggest(store: &Store, batch: &[(i64, i64)]) -> Vec<i64> {
    let new: Vec<NewSuggestion> = batch.iter().map(|(p, q)| suggestion(*p, *q)).collect();
    store.save_suggestions(&new, &actor()).await.unwrap();
    let open = store.open_suggestions().await.unwrap();
    batch
        .iter()
        .map(|(p, _)| open.iter().find(|o| o.product_id == *p).unwrap().id)
        .collect()
}

fn line(line_id: i64, lot: &str, qty: i64) -> ReceiptLine {
    ReceiptLine::parse(line_id, lot, &days_from_today(400), "Back room", qty).unwrap()
}

#[tokio::test]
async fn a_recompute_replaces_open_suggestions_and_keeps_accepted_ones() {
    let store = fresh_store().await;
    let a = product(&store, "00093-5056-98", true).await;
    let b = product(&store, "00093-5057-98", true).await;
    let first = suggest(&store, &[(a, 200), (b, 0)]).await;
    let again = suggest(&store, &[(a, 300)]).await;
    let open = store.open_suggestions().await.unwrap();
    assert_eq!(open.len(), 2, "one open suggestion per product");
    assert_ne!(first[0], again[0], "a's suggestion was replaced");
    assert_eq!(
        open.iter()
            .find(|s| s.product_id == a)
            .unwrap()
            .suggested_qty,
        300
    );
    assert_eq!(
        open.iter().find(|s| s.id == first[1]).unwrap().product_id,
        b,
        "b was not in the second batch and keeps its suggestion"
    );

    let order = NewPurchaseOrder::parse(None, [(again[0], None)]).unwrap();
    store.create_purchase_order(&order, &actor()).await.unwrap();
    let latest = store.latest_forecast(a).await.unwrap().unwrap();
    assert_eq!(latest.suggestion.status, SuggestionStatus::Accepted);
    assert_eq!(latest.forecast, r#"{"mean":[1.5,2.0]}"#);
    let next = suggest(&store, &[(a, 0)]).await;
    assert_eq!(
        store
            .latest_forecast(a)
            .await
            .unwrap()
            .unwrap()
            .suggestion
            .id,
        next[0]
    );
    assert!(store.latest_forecast(b + 100).await.unwrap().is_none());
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        rxflow_pharmacy::audit::Verdict::Ok { .. }
    ));
}

#[tokio::test]
async fn an_accepted_suggestion_is_ordered_received_into_a_lot_and_leaves_on_order() {
    let store = fresh_store().await;
    let p = product(&store, "00093-5056-98", true).await;
    receive(&store, p, "OLD", 200, 40).await;
    let ids = suggest(&store, &[(p, 200)]).await;
    let order = NewPurchaseOrder::parse(None, [(ids[0], Some(150))]).unwrap();
    let po = store.create_purchase_order(&order, &actor()).await.unwrap();
    let draft = store.purchase_order(po).await.unwrap();
    assert_eq!(draft.status, PurchaseOrderStatus::Draft);
    assert_eq!(
        (draft.lines[0].quantity, draft.lines[0].suggestion_id),
        (150, Some(ids[0])),
        "the manager's edit wins over the suggestion"
    );
    assert_eq!(store.on_order().await.unwrap().get(&p), Some(&150));
    assert!(store.open_suggestions().await.unwrap().is_empty());

    let line_id = draft.lines[0].id;
    let early = Receipt::new(vec![line(line_id, "N1", 10)]).unwrap();
    assert!(
        matches!(
            store.receive_purchase_order(po, &early, &actor()).await,
            Err(StoreError::Conflict(_))
        ),
        "a draft has not been sent, so nothing can arrive against it"
    );
    store.mark_ordered(po, &actor()).await.unwrap();

    // Part of the delivery, in two lots.
    let part = Receipt::new(vec![line(line_id, "N1", 60), line(line_id, "N2", 40)]).unwrap();
    let lots = store
        .receive_purchase_order(po, &part, &actor())
        .await
        .unwrap();
    assert_eq!(lots.len(), 2);
    assert_eq!(store.product_stock(p).await.unwrap().on_hand, 140);
    assert_eq!(store.on_order().await.unwrap().get(&p), Some(&50));
    let partly = store.purchase_order(po).await.unwrap();
    assert_eq!(
        (partly.status, partly.lines[0].received),
        (PurchaseOrderStatus::Ordered, 100)
    );

    let too_much = Receipt::new(vec![line(line_id, "N3", 51)]).unwrap();
    assert!(matches!(
        store.receive_purchase_order(po, &too_much, &actor()).await,
        Err(StoreError::Invalid { .. })
    ));
    let rest = Receipt::new(vec![line(line_id, "N3", 50)]).unwrap();
    store
        .receive_purchase_order(po, &rest, &actor())
        .await
        .unwrap();
    let done = store.purchase_order(po).await.unwrap();
    assert_eq!(done.status, PurchaseOrderStatus::Received);
    assert_eq!(store.product_stock(p).await.unwrap().on_hand, 190);
    assert_eq!(store.on_order().await.unwrap().get(&p), None);
    assert!(matches!(
        store.cancel_purchase_order(po, &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    let listed = store
        .list_purchase_orders(Some(PurchaseOrderStatus::Received), 10)
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![po]);
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        rxflow_pharmacy::audit::Verdict::Ok { .. }
    ));
}

#[tokio::test]
async fn a_receipt_with_one_bad_line_receives_nothing() {
    let store = fresh_store().await;
    let a = product(&store, "00093-5056-98", true).await;
    let b = product(&store, "00093-5057-98", true).await;
    let ids = suggest(&store, &[(a, 100), (b, 100)]).await;
    let order = NewPurchaseOrder::parse(None, [(ids[0], None), (ids[1], None)]).unwrap();
    let po = store.create_purchase_order(&order, &actor()).await.unwrap();
    store.mark_ordered(po, &actor()).await.unwrap();
    let lines = store.purchase_order(po).await.unwrap().lines;
    receive(&store, a, "TAKEN", 30, 5).await;
    // The second lot number is on file for product `a` with another expiry.
    let receipt = Receipt::new(vec![
        line(lines[1].id, "B1", 100),
        ReceiptLine::parse(lines[0].id, "TAKEN", &days_from_today(500), "Main", 100).unwrap(),
    ])
    .unwrap();
    assert!(matches!(
        store.receive_purchase_order(po, &receipt, &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.product_stock(b).await.unwrap().on_hand, 0);
    assert!(
        store
            .purchase_order(po)
            .await
            .unwrap()
            .lines
            .iter()
            .all(|l| l.received == 0)
    );
    let stranger = Receipt::new(vec![line(lines[0].id + 1000, "X", 1)]).unwrap();
    assert!(matches!(
        store.receive_purchase_order(po, &stranger, &actor()).await,
        Err(StoreError::Invalid { .. })
    ));
}

#[tokio::test]
async fn suggestions_are_accepted_once_and_need_a_quantity() {
    let store = fresh_store().await;
    let a = product(&store, "00093-5056-98", true).await;
    let b = product(&store, "00093-5057-98", true).await;
    let c = product(&store, "00093-5058-98", true).await;
    let ids = suggest(&store, &[(a, 100), (b, 0), (c, 100)]).await;

    let nothing = NewPurchaseOrder::parse(None, [(ids[1], None)]).unwrap();
    assert!(matches!(
        store.create_purchase_order(&nothing, &actor()).await,
        Err(StoreError::Invalid { .. })
    ));
    store.dismiss_suggestion(ids[2], &actor()).await.unwrap();
    let dismissed = NewPurchaseOrder::parse(None, [(ids[0], None), (ids[2], None)]).unwrap();
    assert!(matches!(
        store.create_purchase_order(&dismissed, &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.open_suggestions().await.unwrap().len(),
        2,
        "a refused order accepts nothing"
    );
    let unknown = NewPurchaseOrder::parse(None, [(ids[0] + 1000, None)]).unwrap();
    assert!(matches!(
        store.create_purchase_order(&unknown, &actor()).await,
        Err(StoreError::NotFound { .. })
    ));
    let no_supplier = NewPurchaseOrder::parse(Some(999), [(ids[0], None)]).unwrap();
    assert!(matches!(
        store.create_purchase_order(&no_supplier, &actor()).await,
        Err(StoreError::Invalid { .. })
    ));

    let edited = NewPurchaseOrder::parse(None, [(ids[1], Some(30))]).unwrap();
    let po = store
        .create_purchase_order(&edited, &actor())
        .await
        .unwrap();
    assert!(matches!(
        store.create_purchase_order(&edited, &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    store.cancel_purchase_order(po, &actor()).await.unwrap();
    assert_eq!(
        store.on_order().await.unwrap().get(&b),
        None,
        "a cancelled order is not on order"
    );
    assert!(matches!(
        store.mark_ordered(po, &actor()).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.mark_ordered(po + 1000, &actor()).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn inputs_parse_or_are_refused() {
    assert!(NewPurchaseOrder::parse(None, []).is_err());
    assert!(NewPurchaseOrder::parse(None, [(1, None), (1, Some(3))]).is_err());
    assert!(NewPurchaseOrder::parse(None, [(1, Some(0))]).is_err());
    assert!(Receipt::new(Vec::new()).is_err());
    assert!(ReceiptLine::parse(1, "", &days_from_today(30), "Main", 5).is_err());
    assert!(ReceiptLine::parse(1, "L1", "2020-01-01", "Main", 5).is_err());
    assert!(ReceiptLine::parse(1, "L1", &days_from_today(30), "Main", -5).is_err());
    let fields = |reorder_point, order_up_to, forecast: &str| SuggestionFields {
        product_id: 1,
        model: "ets",
        on_hand: 0,
        on_order: 0,
        reorder_point,
        order_up_to,
        suggested_qty: 0,
        reason: "why",
        forecast: forecast.into(),
    };
    assert!(NewSuggestion::parse(fields(5, 10, "{}")).is_ok());
    assert!(NewSuggestion::parse(fields(-1, 10, "{}")).is_err());
    assert!(NewSuggestion::parse(fields(10, 5, "{}")).is_err());
    assert!(NewSuggestion::parse(fields(5, 10, "not json")).is_err());
}
