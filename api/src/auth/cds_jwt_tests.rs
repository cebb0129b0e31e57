//! Signed calls from a test EHR whose keys (test only) are committed under
//! `api/tests/fixtures/cds`.

use super::*;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

const URL: &str = "https://rx.example.org";
const PATH: &str = "/cds-services/rxflow-medication-safety";

/// jsonwebtoken checks `exp` against the real clock.
fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn key(alg: Algorithm) -> EncodingKey {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cds");
    let read = |name: &str| std::fs::read(fixtures.join(name)).unwrap_or_default();
    let key = match alg {
        Algorithm::RS384 | Algorithm::RS256 => {
            EncodingKey::from_rsa_pem(&read("test-ehr-rs384.key.pem"))
        }
        _ => EncodingKey::from_ec_pem(&read("test-ehr-es384.key.pem")),
    };
    key.unwrap_or_else(|e| panic!("test key for {alg:?}: {e}"))
}

fn public(alg: Algorithm, kid: &str) -> Jwk {
    let mut jwk = Jwk::from_encoding_key(&key(alg), alg).unwrap_or_else(|e| panic!("{e}"));
    jwk.common.key_id = Some(kid.into());
    jwk
}

/// Trusts the test EHR with both its keys.
fn clients(dir: &tempfile::TempDir) -> CdsClients {
    let keys = JwkSet {
        keys: vec![
            public(Algorithm::ES384, "ec-1"),
            public(Algorithm::RS384, "rsa-1"),
        ],
    };
    let path = dir.path().join("ehr.jwks.json");
    std::fs::write(&path, serde_json::to_vec(&keys).unwrap_or_default()).unwrap_or_default();
    let client = CdsClient {
        issuer: "https://ehr.example.org".into(),
        jwks: path,
        user: "ehr-gateway".into(),
    };
    CdsClients::load(&[client], Some(URL)).unwrap_or_default()
}

fn sign(alg: Algorithm, kid: &str, claims: serde_json::Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, &claims, &key(alg)).unwrap_or_default()
}

fn claims(jti: &str) -> serde_json::Value {
    json!({
        "iss": "https://ehr.example.org", "sub": "ehr-client", "aud": format!("{URL}{PATH}"),
        "iat": now(), "exp": now() + 240, "jti": jti,
    })
}

fn refusal(clients: &CdsClients, token: &str) -> String {
    match clients.verify(token, PATH, now()) {
        Ok(call) => format!("accepted as {}", call.user),
        Err(e) => e.to_string(),
    }
}

#[test]
fn es384_and_rs384_calls_act_as_the_clients_account() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clients = clients(&dir);
    for (alg, kid, jti) in [
        (Algorithm::ES384, "ec-1", "a"),
        (Algorithm::RS384, "rsa-1", "b"),
    ] {
        let token = sign(alg, kid, claims(jti));
        assert!(CdsClients::is_jwt(&token));
        let call = clients.verify(&token, PATH, now());
        assert_eq!(call.as_ref().map(|c| c.user).ok(), Some("ehr-gateway"));
        assert_eq!(call.map(|c| c.jti).ok().as_deref(), Some(jti));
    }
}

#[test]
fn wrong_audience_issuer_key_or_lifetime_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let clients = clients(&dir);
    let with = |field: &str, value: serde_json::Value| {
        let mut c = claims(field);
        c[field] = value;
        sign(Algorithm::ES384, "ec-1", c)
    };
    let cases = [
        (
            with("aud", json!(format!("{URL}/cds-services/other"))),
            "InvalidAudience",
        ),
        (
            with("iss", json!("https://stranger.example.org")),
            "not a trusted client",
        ),
        (with("exp", json!(now() - 3600)), "ExpiredSignature"),
        (with("exp", json!(now() + 3600)), "more than five minutes"),
        (sign(Algorithm::ES384, "rsa-1", claims("k")), "refused"),
        (
            sign(Algorithm::ES384, "nobody", claims("n")),
            "no key of the client matches kid",
        ),
        (
            sign(Algorithm::RS256, "rsa-1", claims("alg")),
            "alg must be ES384 or RS384",
        ),
    ];
    for (token, why) in cases {
        let said = refusal(&clients, &token);
        assert!(said.contains(why), "{said}, expected {why}");
    }
    assert!(refusal(&clients, "eyJ.garbage.token").contains("malformed"));
}

#[test]
fn clients_need_an_audience_and_readable_keys() {
    let client = CdsClient {
        issuer: "https://ehr.example.org".into(),
        jwks: "/nonexistent/keys.json".into(),
        user: "ehr-gateway".into(),
    };
    assert!(matches!(
        CdsClients::load(std::slice::from_ref(&client), None),
        Err(CdsClientError::NoAudience)
    ));
    assert!(matches!(
        CdsClients::load(&[client], Some(URL)),
        Err(CdsClientError::Keys { .. })
    ));
    assert!(!CdsClients::is_jwt(&"ab".repeat(32)), "a session token");
}
