//! CDS Hooks through the real server: discovery, an order-sign call whose
//! cards match the spec's schema, feedback on them, and the override rates
//! an admin reads back.

use crate::support::{Server, repo};
use reqwest::Method;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = repo().join("api/tests/fixtures/cds").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn order_sign_cards_feedback_and_override_rates() {
    let server = Server::seeded(5).await;
    let discovery = server.get_json("/cds-services", 200).await;
    let schema = jsonschema::validator_for(&fixture("discovery.schema.json")).unwrap();
    assert!(schema.is_valid(&discovery), "{discovery}");
    assert_eq!(discovery["services"][0]["id"], "rxflow-medication-safety");

    let ehr = server.demo("pharmacist").await;
    let call = fixture("order-sign.json");
    let (code, _, _) = server
        .post_raw("/cds-services/rxflow-medication-safety")
        .await;
    assert_eq!(code, 401, "the EHR signs in");
    let response = ehr
        .ok(
            Method::POST,
            "/cds-services/rxflow-medication-safety",
            Some(&call),
            200,
        )
        .await;
    let schema = jsonschema::validator_for(&fixture("response.schema.json")).unwrap();
    assert!(schema.is_valid(&response), "{response}");
    let cards = response["cards"].as_array().unwrap();
    let warfarin = cards
        .iter()
        .find(|c| {
            c["summary"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("warfarin")
        })
        .expect("warfarin with aspirin");
    assert_eq!(warfarin["indicator"], "critical");
    let reason = warfarin["overrideReasons"][0].clone();
    let uuid = warfarin["uuid"].as_str().unwrap();

    let mut wrong_hook = call.clone();
    wrong_hook["hook"] = json!("patient-view");
    let (code, problem) = ehr
        .post("/cds-services/rxflow-medication-safety", &wrong_hook)
        .await;
    assert_eq!(code, 422, "{problem}");
    let (code, _) = ehr
        .post(
            "/cds-services/rxflow-medication-safety",
            &json!({ "hook": "order-sign" }),
        )
        .await;
    assert_eq!(code, 400, "a body that is not a hook request");
    let feedback = json!({ "feedback": [{
        "card": uuid, "outcome": "overridden",
        "overrideReason": { "reason": reason, "userComment": "INR checked weekly" },
        "outcomeTimestamp": "2026-11-22T10:15:00Z",
    }]});
    ehr.ok(
        Method::POST,
        "/cds-services/rxflow-medication-safety/feedback",
        Some(&feedback),
        200,
    )
    .await;
    let unknown = json!({ "feedback": [{ "card": "2a6b6a0e-6d0f-4b0a-8d3e-1b2c3d4e5f60", "outcome": "accepted", "outcomeTimestamp": "2026-11-22T10:16:00Z" }]});
    let (code, _) = ehr
        .post("/cds-services/rxflow-medication-safety/feedback", &unknown)
        .await;
    assert_eq!(code, 422, "feedback on a card never issued");

    let admin = server.demo("admin").await;
    let stats = admin
        .ok(Method::GET, "/api/v1/admin/alert-stats", None, 200)
        .await;
    let rule = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule_key"].as_str().unwrap().contains("warfarin"))
        .unwrap();
    assert_eq!(
        (rule["overridden"].as_i64(), rule["override_rate"].as_f64()),
        (Some(1), Some(1.0))
    );
}
