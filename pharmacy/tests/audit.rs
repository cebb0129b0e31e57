//! Tampering with any single row of a real chain — its contents, its hash, its
//! place in the order, or its existence — is detected by `audit verify`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{actor, fresh_store, product, receive, verified_rx};
use rxflow_pharmacy::audit::Verdict;
use rxflow_pharmacy::{Backend, Quantity, Store};
use sqlx::Row;

async fn build_chain(store: &Store) -> i64 {
    let p = product(store, "00093-5058-98", true).await;
    receive(store, p, "A", 100, 50).await;
    let (_, _, item) = verified_rx(store, p, 5, 2).await;
    store
        .reserve(p, Quantity::new(3).unwrap(), &actor())
        .await
        .unwrap();
    store
        .dispense(
            item,
            rxflow_pharmacy::dispensing::Source::Shelf(Quantity::new(5).unwrap()),
            &actor(),
        )
        .await
        .unwrap();
    match store.verify_audit().await.unwrap() {
        Verdict::Ok { rows, .. } => rows,
        broken => panic!("fresh chain should verify: {broken:?}"),
    }
}

async fn exec(store: &Store, sql: String) {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(store.pool())
        .await
        .unwrap();
}

/// The append-only triggers are the first line of defence; an attacker with
/// raw SQL access can drop them, which is what these tests model.
async fn drop_guards(store: &Store) {
    match store.backend() {
        Backend::Sqlite => {
            exec(store, "DROP TRIGGER audit_log_no_update".into()).await;
            exec(store, "DROP TRIGGER audit_log_no_delete".into()).await;
        }
        Backend::Postgres => {
            exec(
                store,
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change".into(),
            )
            .await
        }
    }
}

async fn broken_at(store: &Store) -> Option<i64> {
    match store.verify_audit().await.unwrap() {
        Verdict::Ok { .. } => None,
        Verdict::Broken { seq, .. } => Some(seq),
    }
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes() {
    let store = fresh_store().await;
    build_chain(&store).await;
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
            .execute(store.pool())
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 1")
            .execute(store.pool())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn editing_any_row_or_its_hash_is_detected_at_that_row() {
    let store = fresh_store().await;
    let rows = build_chain(&store).await;
    assert!(
        rows >= 10,
        "the scenario should make a chain worth testing, got {rows}"
    );
    drop_guards(&store).await;
    for seq in 1..=rows {
        let original = sqlx::query("SELECT details, hash FROM audit_log WHERE seq = $1")
            .bind(seq)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let (details, hash): (String, String) = (
            original.try_get("details").unwrap(),
            original.try_get("hash").unwrap(),
        );
        exec(
            &store,
            format!("UPDATE audit_log SET details = '{{\"forged\":true}}' WHERE seq = {seq}"),
        )
        .await;
        assert_eq!(
            broken_at(&store).await,
            Some(seq),
            "edited details of row {seq}"
        );
        sqlx::query("UPDATE audit_log SET details = $1 WHERE seq = $2")
            .bind(&details)
            .bind(seq)
            .execute(store.pool())
            .await
            .unwrap();
        exec(
            &store,
            format!(
                "UPDATE audit_log SET hash = '{}' WHERE seq = {seq}",
                "f".repeat(64)
            ),
        )
        .await;
        assert_eq!(
            broken_at(&store).await,
            Some(seq),
            "replaced hash of row {seq}"
        );
        sqlx::query("UPDATE audit_log SET hash = $1 WHERE seq = $2")
            .bind(&hash)
            .bind(seq)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            broken_at(&store).await,
            None,
            "restoring row {seq} restores the chain"
        );
    }
}

#[tokio::test]
async fn reordering_or_removing_any_row_is_detected() {
    let store = fresh_store().await;
    let rows = build_chain(&store).await;
    drop_guards(&store).await;
    for seq in 1..rows {
        let next = seq + 1;
        swap(&store, seq, next).await;
        assert!(
            broken_at(&store).await.is_some(),
            "swapping rows {seq} and {next} went unnoticed"
        );
        swap(&store, seq, next).await;
        assert_eq!(
            broken_at(&store).await,
            None,
            "swapping back restores the chain"
        );
    }
    exec(&store, format!("DELETE FROM audit_log WHERE seq = {rows}")).await;
    assert_eq!(
        broken_at(&store).await,
        Some(rows),
        "truncating the tail is caught by the head"
    );
}

async fn swap(store: &Store, a: i64, b: i64) {
    exec(
        store,
        format!("UPDATE audit_log SET seq = -1 WHERE seq = {a}"),
    )
    .await;
    exec(
        store,
        format!("UPDATE audit_log SET seq = {a} WHERE seq = {b}"),
    )
    .await;
    exec(
        store,
        format!("UPDATE audit_log SET seq = {b} WHERE seq = -1"),
    )
    .await;
}

/// Audited reads and CDS calls that arrive together share a commit: each
/// still leaves exactly its own row, in one unbroken chain, on both
/// backends; and a card issued twice is stored once.
#[tokio::test]
async fn concurrent_audited_reads_each_leave_one_row() {
    use rxflow_pharmacy::cds::{HookCall, IssuedCard};
    let store = fresh_store().await;
    let before = build_chain(&store).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            if i % 3 == 0 {
                let call = HookCall {
                    hook_instance: "hook",
                    user_id: "Practitioner/1",
                    patient_id: "Patient/1",
                    encounter_id: None,
                };
                let card = IssuedCard {
                    uuid: "card-shared",
                    rule_key: "ddi:a:b",
                    indicator: "warning",
                };
                store.record_cards(&call, &[card], &actor()).await.unwrap();
            } else {
                store.review_queue(10, &actor()).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    match store.verify_audit().await.unwrap() {
        Verdict::Ok { rows, .. } => assert_eq!(rows, before + 60),
        broken => panic!("{broken:?}"),
    }
    let cards: i64 = sqlx::query("SELECT COUNT(*) AS n FROM cds_cards")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(cards, 1);
}
