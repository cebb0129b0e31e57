#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::{actor, fresh_store};
use rxflow_pharmacy::StoreError;
use rxflow_pharmacy::patients::{NewAllergy, NewPatient};
use rxflow_pharmacy::prescribers::NewPrescriber;
use rxflow_pharmacy::prescriptions::{NewItem, NewPrescription, RxStatus};

#[tokio::test]
async fn illegal_transitions_are_typed_errors_and_change_nothing() {
    let store = fresh_store().await;
    let item = NewItem::parse("amoxicillin", "500 mg po tid x10d", 30, 0).unwrap();
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
    match store
        .transition_prescription(rx, RxStatus::Verified, None, &actor())
        .await
    {
        Err(StoreError::IllegalTransition {
            from: RxStatus::Received,
            to: RxStatus::Verified,
        }) => {}
        other => panic!("expected illegal transition, got {other:?}"),
    }
    assert_eq!(
        store.prescription(rx, &actor()).await.unwrap().status,
        RxStatus::Received
    );
    store
        .transition_prescription(rx, RxStatus::Cancelled, Some("patient request"), &actor())
        .await
        .unwrap();
    assert!(
        store
            .transition_prescription(rx, RxStatus::Extracted, None, &actor())
            .await
            .is_err()
    );
    assert!(matches!(
        store
            .transition_prescription(9999, RxStatus::Extracted, None, &actor())
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn reading_a_profile_is_audited_and_returns_what_was_recorded() {
    let store = fresh_store().await;
    let id = store
        .create_patient(
            &NewPatient::parse("Edith", "Clarke", "1940-02-10", "female").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    store
        .add_allergy(
            id,
            &NewAllergy::parse("Penicillin", "class", Some("hives"), "moderate").unwrap(),
            &actor(),
        )
        .await
        .unwrap();
    store
        .add_condition(id, Some("I10"), "Essential hypertension", &actor())
        .await
        .unwrap();
    store
        .add_medication(id, "Warfarin", Some("5 mg"), Some("1 tab po qd"), &actor())
        .await
        .unwrap();
    let profile = store.patient_profile(id, &actor()).await.unwrap();
    assert_eq!(profile.allergies[0].allergen, "penicillin");
    assert_eq!(profile.active_medications[0].drug, "warfarin");
    let history = rxflow_pharmacy::audit::history(store.pool(), "patient", &id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history[0].action, "patient.read",
        "the read itself is the newest event"
    );
    assert_eq!(history.len(), 5);
}

#[test]
fn records_parse_rather_than_validate() {
    assert!(NewPatient::parse("", "X", "1990-01-01", "f").is_err());
    assert!(
        NewPatient::parse("A", "B", "2999-01-01", "f").is_err(),
        "born in the future"
    );
    assert!(NewPatient::parse("A", "B", "01/02/1990", "f").is_err());
    assert!(NewPatient::parse("A", "B", "1990-01-01", "alien").is_err());
    assert!(
        NewPatient::parse("A\u{7}", "B", "1990-01-01", "f").is_err(),
        "control characters"
    );
    assert!(NewAllergy::parse("sulfa", "drug", None, "mild").is_err());
    assert!(NewPrescriber::parse("Dr A", "1234567893", Some("AB1234513")).is_ok());
    assert!(
        NewPrescriber::parse("Dr A", "1234567890", None).is_err(),
        "bad NPI check digit"
    );
    assert!(
        NewPrescriber::parse("Dr A", "1234567893", Some("AB1234510")).is_err(),
        "bad DEA check digit"
    );
    assert!(NewItem::parse("x", "sig", 0, 0).is_err());
    assert!(NewItem::parse("x", "sig", 10, 100).is_err());
    assert!(NewItem::parse("x", "", 10, 1).is_err());
}

#[tokio::test]
async fn duplicate_npi_is_a_conflict() {
    let store = fresh_store().await;
    let new = NewPrescriber::parse("Dr A", "1234567893", None).unwrap();
    store.create_prescriber(&new, &actor()).await.unwrap();
    assert!(matches!(
        store.create_prescriber(&new, &actor()).await,
        Err(StoreError::Conflict(_))
    ));
}

#[tokio::test]
async fn demo_seed_fills_an_empty_store_once_with_consistent_stock() {
    use sqlx::Row;
    let store = fresh_store().await;
    let report = store
        .seed_demo(&rxflow_pharmacy::demo::HistoryOptions { days: 60, seed: 1 })
        .await
        .unwrap();
    assert!(
        report.products >= 200 && report.patients >= 50 && report.movements > 1000,
        "{report:?}"
    );
    let negative: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT lot_id, SUM(on_hand_delta) AS h FROM stock_movements GROUP BY lot_id) t WHERE h < 0",
    )
    .fetch_one(store.pool())
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    assert_eq!(negative, 0, "no lot is ever below zero");
    assert_eq!(
        rxflow_pharmacy::testing::projection_mismatches(&store)
            .await
            .unwrap(),
        0,
        "balances equal the ledger"
    );
    assert!(
        !store.expiring_within(90).await.unwrap().is_empty(),
        "some lots are near expiry"
    );
    assert!(
        matches!(
            store.seed_demo(&Default::default()).await,
            Err(StoreError::Conflict(_))
        ),
        "a second seed is refused"
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        rxflow_pharmacy::audit::Verdict::Ok { .. }
    ));
}
