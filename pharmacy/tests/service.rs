//! The service's records (issue #6): accounts and sessions, the intake job
//! table, reviews and signed decisions, CDS Hooks telemetry; on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{actor, fresh_store};
use rxflow_pharmacy::audit::Verdict as Chain;
use rxflow_pharmacy::cds::{Feedback, HookCall, IssuedCard, Outcome};
use rxflow_pharmacy::jobs::{Stage, Upload};
use rxflow_pharmacy::patients::{NewAllergy, NewPatient};
use rxflow_pharmacy::prescriptions::{NewItem, RxStatus};
use rxflow_pharmacy::reviews::{Decision, Review, Verdict};
use rxflow_pharmacy::users::{Lockout, NewUser, Role, SessionKind};
use rxflow_pharmacy::{Store, StoreError};
use time::Duration;

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

async fn customer(store: &Store, name: &str) -> rxflow_pharmacy::users::User {
    let user = NewUser::parse(name, "Ann Lee", Role::Customer, HASH.into()).unwrap();
    let patient = NewPatient::parse("Ann", "Lee", "1970-01-02", "female").unwrap();
    store.register_customer(&user, &patient, &[]).await.unwrap()
}

async fn upload(store: &Store, patient_id: i64, max_attempts: i64) -> (i64, i64) {
    let sha = sha(7);
    let upload = Upload {
        patient_id,
        image_ref: &format!("uploads/{sha}.png"),
        image_sha256: &sha,
        max_attempts,
    };
    store.receive_upload(&upload, &actor()).await.unwrap()
}

#[tokio::test]
async fn registration_makes_a_customer_with_a_patient_and_names_are_unique() {
    let t = fresh_store().await;
    let ann = customer(&t.store, "ann").await;
    assert_eq!(ann.role, Role::Customer);
    assert!(ann.patient_id.is_some());
    let again = NewUser::parse("ANN", "Other", Role::Customer, HASH.into()).unwrap();
    let patient = NewPatient::parse("A", "B", "1980-01-01", "male").unwrap();
    let sulfa = [NewAllergy::parse("sulfa", "class", None, "moderate").unwrap()];
    let err = t
        .store
        .register_customer(&again, &patient, &sulfa)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let staff = NewUser::parse("bob", "Bob", Role::Customer, HASH.into()).unwrap();
    assert!(t.store.create_staff(&staff, &actor()).await.is_err());
    // The failed registration left no orphan patient and no allergy.
    for table in ["patients", "patient_allergies"] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(t.store.pool())
                .await
                .unwrap();
        assert_eq!(n, i64::from(table == "patients"), "{table}");
    }
    let bea = NewUser::parse("bea", "Bea", Role::Customer, HASH.into()).unwrap();
    let patient = NewPatient::parse("Bea", "Stone", "1990-02-03", "female").unwrap();
    let bea = t
        .store
        .register_customer(&bea, &patient, &sulfa)
        .await
        .unwrap();
    let profile = t
        .store
        .patient_profile(bea.patient_id.unwrap(), &actor())
        .await
        .unwrap();
    assert_eq!(
        profile.allergies.len(),
        1,
        "declared allergies come with the account"
    );
}

#[tokio::test]
async fn failures_lock_and_a_session_finds_its_user_until_it_ends() {
    let t = fresh_store().await;
    let new = NewUser::parse("rph", "Pat Pharmacist", Role::Pharmacist, HASH.into()).unwrap();
    t.store.create_staff(&new, &actor()).await.unwrap();
    let creds = t.store.credentials("RPH").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, HASH);
    let lockout = Lockout {
        after_failures: 3,
        duration: Duration::minutes(15),
    };
    let id = creds.user.id;
    assert!(!t.store.login_failed(id, lockout).await.unwrap());
    assert!(!t.store.login_failed(id, lockout).await.unwrap());
    assert!(t.store.login_failed(id, lockout).await.unwrap());
    let locked = t.store.credentials("rph").await.unwrap().unwrap();
    assert!(locked.locked_until.is_some());

    t.store
        .open_session(
            &creds.user,
            &sha(1),
            SessionKind::Bearer,
            Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(t.store.session_user(&sha(1)).await.unwrap().unwrap().id, id);
    assert!(t.store.session_user(&sha(2)).await.unwrap().is_none());
    t.store
        .open_session(
            &creds.user,
            &sha(3),
            SessionKind::Cookie,
            Duration::seconds(-1),
        )
        .await
        .unwrap();
    assert!(
        t.store.session_user(&sha(3)).await.unwrap().is_none(),
        "expired"
    );
    t.store.close_session(&sha(1), &actor()).await.unwrap();
    assert!(t.store.session_user(&sha(1)).await.unwrap().is_none());

    t.store
        .open_session(
            &creds.user,
            &sha(4),
            SessionKind::Bearer,
            Duration::hours(1),
        )
        .await
        .unwrap();
    // Resolved once, so that the process remembers it, then changed.
    assert_eq!(
        t.store.session_user(&sha(4)).await.unwrap().unwrap().role,
        Role::Pharmacist
    );
    let promoted = t
        .store
        .update_user(id, Some(Role::Admin), None, &actor())
        .await
        .unwrap();
    assert_eq!(promoted.role, Role::Admin);
    assert_eq!(
        t.store.session_user(&sha(4)).await.unwrap().unwrap().role,
        Role::Admin,
        "a role change takes effect at once"
    );
    let off = t
        .store
        .update_user(id, None, Some(false), &actor())
        .await
        .unwrap();
    assert!(!off.active);
    assert!(
        t.store.session_user(&sha(4)).await.unwrap().is_none(),
        "switched off"
    );
    let err = t
        .store
        .update_user(id, Some(Role::Customer), None, &actor())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid { .. }));
}

#[tokio::test]
async fn jobs_are_claimed_once_retried_to_their_limit_and_then_sent_to_review() {
    let t = fresh_store().await;
    let ann = customer(&t.store, "ann").await;
    let (rx, job) = upload(&t.store, ann.patient_id.unwrap(), 2).await;
    let lease = Duration::minutes(5);
    let claimed = t.store.claim_job("host:1:0", lease).await.unwrap().unwrap();
    assert_eq!(
        (claimed.id, claimed.attempts, claimed.stage),
        (job, 1, Stage::Ocr)
    );
    assert!(
        t.store
            .claim_job("host:1:1", lease)
            .await
            .unwrap()
            .is_none(),
        "claimed once"
    );

    t.store
        .job_failed(job, "model crashed", true)
        .await
        .unwrap();
    let again = t.store.claim_job("host:1:0", lease).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    t.store
        .job_failed(job, "model crashed again", true)
        .await
        .unwrap();
    assert!(
        t.store
            .claim_job("host:1:0", lease)
            .await
            .unwrap()
            .is_none()
    );
    let job_now = t.store.job_of_prescription(rx).await.unwrap();
    assert_eq!(
        (job_now.status.as_str(), job_now.stage),
        ("failed", Stage::Failed)
    );
    let rx_now = t.store.prescription(rx, &actor()).await.unwrap();
    assert_eq!(
        rx_now.status,
        RxStatus::NeedsReview,
        "a pharmacist reads it"
    );
    let queue = t.store.review_queue(10, &actor()).await.unwrap();
    assert!(queue[0].flagged && !queue[0].read);
}

#[tokio::test]
async fn a_stale_job_is_reclaimed_and_a_restarted_host_requeues_its_own() {
    let t = fresh_store().await;
    let ann = customer(&t.store, "ann").await;
    let (_, job) = upload(&t.store, ann.patient_id.unwrap(), 3).await;
    t.store
        .claim_job("a:1:0", Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    // A zero lease makes every running job stale: the dead worker's job returns.
    let stolen = t
        .store
        .claim_job("b:1:0", Duration::seconds(-1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stolen.id, stolen.attempts), (job, 2));
    assert_eq!(t.store.requeue_jobs_of("b").await.unwrap(), 1);
    assert_eq!(t.store.open_jobs().await.unwrap(), 1);
    let resumed = t
        .store
        .claim_job("b:2:0", Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.id, job);
}

#[tokio::test]
async fn the_queue_puts_flagged_and_risky_first_and_a_signed_approval_writes_items() {
    let t = fresh_store().await;
    let ann = customer(&t.store, "ann").await;
    let patient = ann.patient_id.unwrap();
    let mut ids = Vec::new();
    for (flagged, risk) in [(false, 0), (true, 2), (false, 3)] {
        let (rx, job) = upload(&t.store, patient, 3).await;
        t.store
            .claim_job("h:1:0", Duration::minutes(5))
            .await
            .unwrap()
            .unwrap();
        t.store.job_stage(job, Stage::Checks).await.unwrap();
        let review = Review::new("{}".into(), "[]".into(), flagged, risk, "kb1");
        assert_eq!(t.store.complete_intake(job, &review).await.unwrap(), rx);
        ids.push(rx);
    }
    let queue: Vec<i64> = t
        .store
        .review_queue(10, &actor())
        .await
        .unwrap()
        .iter()
        .map(|e| e.prescription_id)
        .collect();
    assert_eq!(queue, vec![ids[1], ids[2], ids[0]]);

    let rph = NewUser::parse("rph", "Pat Pharmacist", Role::Pharmacist, HASH.into()).unwrap();
    let rph_id = t.store.create_staff(&rph, &actor()).await.unwrap();
    let signer = t
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == rph_id)
        .unwrap();
    let decision = Decision {
        verdict: Verdict::Approve,
        reason: None,
        overrides: "[]".into(),
        confirmations: "[]".into(),
        meaning: "verified for dispensing".into(),
        record_sha256: sha(9),
        items: vec![NewItem::parse("lisinopril 10 mg tablet", "1 tab po qd", 30, 2).unwrap()],
        prescriber_id: None,
    };
    t.store.decide(ids[0], &decision, &signer).await.unwrap();
    let rx = t.store.prescription(ids[0], &actor()).await.unwrap();
    assert_eq!((rx.status, rx.items.len()), (RxStatus::Verified, 1));
    let signature = t.store.signature(ids[0]).await.unwrap().unwrap();
    assert_eq!(signature.signer_name, "Pat Pharmacist");
    assert_eq!(signature.record_sha256, sha(9));
    let twice = t
        .store
        .decide(ids[0], &decision, &signer)
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::IllegalTransition { .. }));
    let empty = Decision {
        items: vec![],
        ..decision.clone()
    };
    assert!(
        t.store.decide(ids[1], &empty, &signer).await.is_err(),
        "nothing to fill"
    );
    let reject = Decision {
        verdict: Verdict::Reject,
        reason: Some("illegible".into()),
        ..empty
    };
    t.store.decide(ids[1], &reject, &signer).await.unwrap();
    let list = t.store.prescriptions_of(patient, &actor()).await.unwrap();
    assert_eq!(list.len(), 3);
    let rows = count_audit(&t.store).await;
    assert!(
        matches!(t.store.verify_audit().await.unwrap(), Chain::Ok { rows: r, .. } if r == rows)
    );
}

async fn count_audit(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn feedback_counts_toward_override_rates_per_rule() {
    let t = fresh_store().await;
    let cards = [
        IssuedCard {
            uuid: "u1",
            rule_key: "interaction:a+b",
            indicator: "warning",
        },
        IssuedCard {
            uuid: "u2",
            rule_key: "interaction:a+b",
            indicator: "warning",
        },
        IssuedCard {
            uuid: "u3",
            rule_key: "allergy:penicillins",
            indicator: "critical",
        },
    ];
    let call = HookCall {
        hook_instance: "h1",
        user_id: "Practitioner/7",
        patient_id: "p1",
        encounter_id: None,
    };
    t.store.record_cards(&call, &cards, &actor()).await.unwrap();
    t.store
        .record_cards(&call, &cards[..1], &actor())
        .await
        .unwrap();
    let at = "2026-11-22T10:00:00Z";
    let feedback = [
        Feedback {
            card_uuid: "u1",
            outcome: Outcome::Overridden,
            override_code: Some("benefit-outweighs-risk"),
            comment: None,
            outcome_at: at,
        },
        Feedback {
            card_uuid: "u2",
            outcome: Outcome::Accepted,
            override_code: None,
            comment: None,
            outcome_at: at,
        },
    ];
    t.store.record_feedback(&feedback).await.unwrap();
    let unknown = [Feedback {
        card_uuid: "nope",
        ..feedback[0].clone()
    }];
    assert!(t.store.record_feedback(&unknown).await.is_err());
    let stats = t.store.alert_stats().await.unwrap();
    let ddi = stats
        .iter()
        .find(|s| s.rule_key == "interaction:a+b")
        .unwrap();
    assert_eq!((ddi.issued, ddi.accepted, ddi.overridden), (2, 1, 1));
    assert_eq!(ddi.override_rate, Some(0.5));
    let allergy = stats
        .iter()
        .find(|s| s.rule_key == "allergy:penicillins")
        .unwrap();
    assert_eq!(allergy.override_rate, None);
}

/// A client JWT's id is accepted once per issuer until it is forgotten
/// after its expiry; every store on the database sees the first use.
#[tokio::test]
async fn a_cds_token_id_is_used_once() {
    let store = fresh_store().await;
    let other = Store::open(&store.database.url, 2).await.unwrap();
    let ehr = "https://ehr.example.org";
    assert!(
        store
            .first_use_of_token(ehr, "t-1", 1_000, 0)
            .await
            .unwrap()
    );
    assert!(
        !other
            .first_use_of_token(ehr, "t-1", 1_000, 0)
            .await
            .unwrap(),
        "a replay to another process"
    );
    assert!(
        other
            .first_use_of_token("https://other.example.org", "t-1", 1_000, 0)
            .await
            .unwrap()
    );
    assert!(
        store
            .first_use_of_token(ehr, "t-2", 2_000, 1_500)
            .await
            .unwrap(),
        "t-1 expired and is swept"
    );
    assert!(
        store
            .first_use_of_token(ehr, "t-1", 3_000, 1_500)
            .await
            .unwrap()
    );
    assert!(matches!(
        store.first_use_of_token(ehr, " ", 3_000, 0).await,
        Err(StoreError::Invalid { .. })
    ));
}
