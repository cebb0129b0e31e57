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

/// An EHR signs its CDS Hooks calls with a JWT, as the specification asks;
/// the service takes them from a client it trusts, for the endpoint they
/// were signed for, once.
#[tokio::test]
async fn an_ehr_signs_its_calls_with_a_jwt() {
    use jsonwebtoken::{Algorithm, EncodingKey, Header, jwk};
    let key = EncodingKey::from_ec_pem(
        &std::fs::read(repo().join("api/tests/fixtures/cds/test-ehr-es384.key.pem")).unwrap(),
    )
    .unwrap();
    let mut public = jwk::Jwk::from_encoding_key(&key, Algorithm::ES384).unwrap();
    public.common.key_id = Some("ehr-2026".into());
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("ehr.jwks.json");
    let keys = jwk::JwkSet { keys: vec![public] };
    std::fs::write(&jwks, serde_json::to_vec(&keys).unwrap()).unwrap();
    let config = dir.path().join("rxflow.toml");
    let toml = format!(
        "public_url = \"https://rx.example.org\"\n\n[[cds_clients]]\nissuer = \"https://ehr.example.org\"\njwks = {:?}\nuser = \"ehr-gateway\"\n",
        jwks.display().to_string()
    );
    std::fs::write(&config, toml).unwrap();
    let config = config.display().to_string();
    let server = Server::seeded_with(5, &[("RXFLOW_CONFIG", &config)]).await;
    let admin = server.demo("admin").await;
    let account = json!({ "username": "ehr-gateway", "display_name": "EHR gateway", "role": "pharmacist", "password": "an unused long password" });
    admin
        .ok(Method::POST, "/api/v1/admin/users", Some(&account), 201)
        .await;

    let path = "/cds-services/rxflow-medication-safety";
    let sign = |aud: &str, jti: &str| {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = json!({ "iss": "https://ehr.example.org", "sub": "ehr", "aud": format!("https://rx.example.org{aud}"), "iat": now, "exp": now + 300, "jti": jti });
        let mut header = Header::new(Algorithm::ES384);
        header.kid = Some("ehr-2026".into());
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    let call = |token: String| {
        reqwest::Client::new()
            .post(format!("{}{path}", server.base))
            .bearer_auth(token)
            .json(&fixture("order-sign.json"))
            .send()
    };
    let signed = sign(path, "call-1");
    let answer = call(signed.clone()).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let cards: Value = answer.json().await.unwrap();
    assert!(!cards["cards"].as_array().unwrap().is_empty());
    for (token, why) in [
        (signed, "a replay"),
        (sign("/cds-services/other", "call-2"), "another endpoint's"),
    ] {
        let answer = call(token).await.unwrap();
        assert_eq!(answer.status().as_u16(), 401, "{why}");
        let problem: Value = answer.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("JWT refused"));
    }
    let elsewhere = reqwest::Client::new()
        .get(format!("{}/api/v1/review/queue", server.base))
        .bearer_auth(sign("/api/v1/review/queue", "call-3"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status().as_u16(),
        401,
        "a JWT opens only the CDS service"
    );
    let store = rxflow_pharmacy::Store::open(&server.database.url, 1)
        .await
        .unwrap();
    let audited: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'ehr-gateway' AND action = 'cds.order_sign'")
            .fetch_one(store.pool())
            .await
            .unwrap(),
        "n",
    )
    .unwrap();
    assert_eq!(audited, 1, "the EHR's call is audited as its account");
}
