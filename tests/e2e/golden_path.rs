//! The golden path through the real server and models: a customer signs up
//! and uploads a photo; intake reads it; a pharmacist corrects what must be
//! corrected, overrides the finding with a coded reason and signs; the
//! customer orders and pays; a technician dispenses from the reservation;
//! stock drops and the audit chain verifies.

use crate::support::{RX0002_TRUTH as TRUTH, Server, repo};
use reqwest::Method;
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/intake").join(name)).unwrap()
}

#[tokio::test]
async fn upload_review_sign_order_dispense() {
    let server = Server::seeded(30).await;
    let anonymous = reqwest::Client::new();
    let registered = anonymous
        .post(format!("{}/api/v1/auth/register", server.base))
        .json(&json!({
            "username": "sophia", "password": "a long enough secret",
            "first_name": "Sophia", "last_name": "Yilmaz", "dob": "1966-11-16", "sex": "female",
            "allergies": ["sulfonamide"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 201);
    let customer = server.login("sophia", "a long enough secret").await;

    let (status, _, accepted) = customer
        .upload(fixture("rx0002_photo.jpg"), "IMG_0001.jpg")
        .await;
    assert_eq!(status, 202, "{accepted}");
    let rx = accepted["prescription_id"].as_i64().unwrap();
    let progress = customer.wait_for_intake(rx).await;
    assert_eq!(progress["read"], true, "{progress}");
    assert_eq!(progress["status"], "needs_review");
    assert_eq!(progress["status_text"], "waiting for pharmacist");

    let pharmacist = server.demo("pharmacist").await;
    let queue = pharmacist
        .ok(Method::GET, "/api/v1/review/queue", None, 200)
        .await;
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["prescription_id"] == rx)
    );
    let path = format!("/api/v1/review/{rx}");
    let mut review = pharmacist.ok(Method::GET, &path, None, 200).await;
    let drug = field(&review, "items.0.drug");
    assert!(
        drug["bbox"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_f64().unwrap() > 0.0),
        "fields keep their place"
    );

    // Whatever the machine could not settle, the pharmacist types in.
    let corrections: Vec<Value> = TRUTH
        .iter()
        .filter(|(key, _)| field(&review, key)["value"].is_null())
        .map(|(key, text)| json!({ "key": key, "text": text }))
        .collect();
    if !corrections.is_empty() {
        review = pharmacist
            .ok(
                Method::PATCH,
                &path,
                Some(&json!({ "corrections": corrections })),
                200,
            )
            .await;
    }
    let findings = review["findings"].as_array().unwrap().clone();
    let allergy = findings
        .iter()
        .find(|f| f["kind"] == "allergy")
        .expect("sulfonamide allergy vs a thiazide");
    assert!(allergy["mechanism"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(allergy["sources"].as_array().is_some_and(|s| !s.is_empty()));

    let decision = format!("/api/v1/prescriptions/{rx}/decision");
    let confirmations = review["to_confirm"].clone();
    let overrides: Vec<Value> = findings
        .iter()
        .filter(|f| f["needs_override"] == true)
        .map(|f| json!({ "finding": f["key"], "reason": f["override_reasons"][0]["code"], "comment": "discussed with patient" }))
        .collect();
    let approve = |password: &str, overrides: &[Value]| json!({ "decision": "approve", "password": password, "overrides": overrides, "confirmations": confirmations });
    let (code, _) = pharmacist
        .post(&decision, &approve("not my password", &overrides))
        .await;
    assert_eq!(code, 401, "the signature is the password");
    let (code, problem) = pharmacist
        .post(&decision, &approve("pharmacist-demo-2026", &[]))
        .await;
    assert_eq!(code, 422, "an allergy finding needs an override: {problem}");
    let signed = pharmacist
        .ok(
            Method::POST,
            &decision,
            Some(&approve("pharmacist-demo-2026", &overrides)),
            200,
        )
        .await;
    assert_eq!(signed["prescription"]["status"], "verified");
    assert_eq!(signed["signature"]["meaning"], "verified for dispensing");
    assert_eq!(
        signed["signature"]["record_sha256"].as_str().unwrap().len(),
        64
    );
    let item = &signed["prescription"]["items"][0];
    let product = item["product_id"]
        .as_i64()
        .expect("linked to the stocked hydrochlorothiazide 25 mg");
    let quantity = item["quantity"].as_i64().unwrap();
    assert_eq!(quantity, 120);

    let stock_before = on_hand(&pharmacist, product).await;
    customer
        .ok(Method::POST, "/api/v1/cart", Some(&json!({ "product_id": product, "quantity": quantity, "prescription_item_id": item["id"] })), 201)
        .await;
    let order = customer
        .ok(Method::POST, "/api/v1/checkout", Some(&json!({})), 201)
        .await;
    let order_id = order["id"].as_i64().unwrap();
    let paid = customer
        .ok(
            Method::POST,
            &format!("/api/v1/orders/{order_id}/pay"),
            Some(&json!({ "method": "card" })),
            200,
        )
        .await;
    assert_eq!(paid["status"], "paid");

    let technician = server.demo("technician").await;
    let reservation = paid["lines"][0]["reservation_id"].as_i64().unwrap();
    let filled = technician
        .ok(
            Method::POST,
            "/api/v1/dispenses",
            Some(&json!({ "item_id": item["id"], "reservation_id": reservation })),
            201,
        )
        .await;
    let label = &filled["label"];
    assert_eq!(label["patient"], "Sophia Yilmaz");
    assert_eq!(label["quantity"], 120);
    assert_eq!(label["refills_left"], 1);
    assert_eq!(
        label["directions"], "Take 2 tablets by mouth twice daily",
        "plain English"
    );
    assert_eq!(label["prescriber"], "Lauren Henderson, M.D.");
    let dispensed: i64 = label["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(dispensed, 120);
    assert!(
        label["lots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["expiry"].as_str().is_some_and(|e| e.len() == 10))
    );
    assert!(
        label["lots"][0]["lot_number"]
            .as_str()
            .is_some_and(|l| !l.is_empty())
    );
    assert_eq!(
        on_hand(&pharmacist, product).await,
        stock_before - 120,
        "stock drops by the fill"
    );

    // The same records as FHIR resources.
    let item_id = item["id"].as_i64().unwrap();
    let dispense_id = filled["dispense"]["id"].as_i64().unwrap();
    let patient = mine_patient(&customer, rx).await;
    for path in [
        format!("/fhir/MedicationRequest/{item_id}"),
        format!("/fhir/MedicationDispense/{dispense_id}"),
        format!("/fhir/DetectedIssue?patient={patient}"),
    ] {
        let resource = pharmacist.ok(Method::GET, &path, None, 200).await;
        let errors = rxflow_api::interop::shape::shape_errors(&resource);
        assert!(errors.is_empty(), "{path}: {errors:?}");
        if resource["resourceType"] == "Bundle" {
            let issue = &resource["entry"][0]["resource"];
            assert_eq!(issue["resourceType"], "DetectedIssue");
            assert!(
                issue["mitigation"][0]["action"]["coding"][0]["code"].is_string(),
                "the override is the mitigation: {issue}"
            );
        }
    }
    let (code, _) = customer
        .get(&format!("/fhir/DetectedIssue?patient={}", patient + 1))
        .await;
    assert_eq!(code, 404, "a customer sees only their own record");

    let admin = server.demo("admin").await;
    let audit = admin
        .ok(Method::GET, "/api/v1/admin/audit", None, 200)
        .await;
    assert_eq!(audit["intact"], true, "{audit}");
    let mine = customer
        .ok(
            Method::GET,
            &format!("/api/v1/prescriptions/{rx}"),
            None,
            200,
        )
        .await;
    assert_eq!(mine["verified_by"]["name"], "Pat Quinn, PharmD");
}

async fn mine_patient(customer: &crate::support::Session, rx: i64) -> i64 {
    let mine = customer
        .ok(
            Method::GET,
            &format!("/api/v1/prescriptions/{rx}"),
            None,
            200,
        )
        .await;
    mine["patient_id"].as_i64().unwrap()
}

fn field<'a>(review: &'a Value, key: &str) -> &'a Value {
    review["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap()
}

async fn on_hand(session: &crate::support::Session, product: i64) -> i64 {
    let stock = session
        .ok(
            Method::GET,
            &format!("/api/v1/products/{product}/stock"),
            None,
            200,
        )
        .await;
    stock["on_hand"].as_i64().unwrap()
}
