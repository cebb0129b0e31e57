//! CDS Hooks tests against the real knowledge base and the response and
//! discovery schemas written from the 2.0 specification
//! (`api/tests/fixtures/cds/`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::InteropError;
use super::cds_hooks::*;
use super::fhir::detected_issue;
use super::shape::shape_errors;
use super::test_kb::kb;
use rxflow_clinical::{CdsIndicator, DoseUnit, FindingKind, ItemStatus, Route};
use serde_json::{Value, json};
use time::macros::date;

const ORDER_SIGN: &str = include_str!("../../tests/fixtures/cds/order-sign.json");
const FEEDBACK: &str = include_str!("../../tests/fixtures/cds/feedback.json");
const RESPONSE_SCHEMA: &str = include_str!("../../tests/fixtures/cds/response.schema.json");
const DISCOVERY_SCHEMA: &str = include_str!("../../tests/fixtures/cds/discovery.schema.json");

fn fixture() -> Value {
    serde_json::from_str(ORDER_SIGN).unwrap()
}

fn parse(v: &Value) -> Result<OrderSign, InteropError> {
    OrderSign::parse(v.to_string().as_bytes())
}

fn schema_errors(schema: &str, instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The fixture's checks end to end: request → regimen → findings → cards.
fn respond(request: &Value) -> (OrderSign, Vec<Unresolved>, CdsResponse) {
    let kb = kb();
    let call = parse(request).unwrap();
    let (regimen, profile, unresolved) = regimen(kb, &call, date!(2025 - 03 - 01));
    let findings = kb.check(&regimen, &profile);
    let response = cards(&findings, &unresolved, &call.hook_instance);
    (call, unresolved, response)
}

fn card_json(response: &CdsResponse) -> Value {
    serde_json::to_value(response).unwrap()
}

#[test]
fn discovery_names_the_service_and_validates() {
    let d = discovery();
    assert_eq!(schema_errors(DISCOVERY_SCHEMA, &d), Vec::<String>::new());
    let service = &d["services"][0];
    assert_eq!(service["id"], SERVICE_ID);
    assert_eq!(service["hook"], HOOK);
    assert_eq!(
        service["prefetch"]["medications"],
        "MedicationRequest?patient={{context.patientId}}&status=active"
    );
    let broken = json!({ "services": [{ "hook": "order-sign", "id": "x y" }] });
    assert!(!schema_errors(DISCOVERY_SCHEMA, &broken).is_empty());
}

#[test]
fn the_request_is_read_into_orders_and_profile() {
    let call = parse(&fixture()).unwrap();
    assert_eq!(call.user_id, "PractitionerRole/123");
    assert_eq!(call.patient_id, "pat-1");
    assert_eq!(call.encounter_id.as_deref(), Some("enc-89"));
    // The ServiceRequest is not a medication; the stopped order is history.
    assert_eq!(call.drafts.len(), 3);
    assert_eq!(call.active.len(), 1);
    let (regimen, profile, unresolved) = regimen(kb(), &call, date!(2025 - 03 - 01));
    let labels: Vec<(&str, ItemStatus)> = regimen
        .items
        .iter()
        .map(|i| (i.label.as_ref(), i.status))
        .collect();
    assert_eq!(
        labels,
        [
            ("Warfarin 5 mg tablet", ItemStatus::New),
            ("Amoxicillin 500 mg capsule", ItemStatus::New),
            ("Aspirin 81 mg tablet", ItemStatus::Active),
        ]
    );
    let warfarin = &regimen.items[0];
    let dose = warfarin.dose.unwrap();
    assert_eq!(
        (dose.amount, dose.unit, dose.per_day),
        (5.0, DoseUnit::Mg, 1.0)
    );
    assert_eq!(warfarin.route, Some(Route::Oral));
    assert_eq!(regimen.items[1].dose.unwrap().per_day, 3.0);
    // The resolved sulfa allergy is not a risk any more.
    assert_eq!(profile.allergies, ["Penicillin"]);
    let age = profile.age_years.unwrap();
    assert!((74.0..75.0).contains(&age), "{age}");
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].label, "Zyqorvantex 10 mg tablet");
    assert_eq!(unresolved[0].what, "draft order");
}

#[test]
fn warfarin_with_active_aspirin_raises_an_interaction_card() {
    let (_, _, response) = respond(&fixture());
    let card = response
        .cards
        .iter()
        .find(|c| c.rule_key == "interaction:aspirin+warfarin")
        .unwrap_or_else(|| panic!("{:#?}", response.cards));
    assert!(matches!(
        card.indicator,
        CdsIndicator::Critical | CdsIndicator::Warning
    ));
    assert!(card.summary.contains("warfarin") && card.summary.chars().count() < 140);
    assert!(card.detail.contains("**Management:**"), "{}", card.detail);
    assert!(!card.override_reasons.is_empty());
    assert!(
        card.override_reasons
            .iter()
            .all(|r| { r.system == super::OVERRIDE_REASON_SYSTEM && r.display.is_some() })
    );
    assert!(card.source.label.contains("ANSM"), "{}", card.source.label);
}

#[test]
fn a_penicillin_allergy_flags_amoxicillin() {
    let (_, _, response) = respond(&fixture());
    let card = response
        .cards
        .iter()
        .find(|c| c.rule_key == "allergy:penicillins")
        .unwrap_or_else(|| panic!("{:#?}", response.cards));
    assert!(card.summary.contains("amoxicillin"), "{}", card.summary);
    assert_eq!(card.source.topic.code, "allergy");
    assert!(
        card.override_reasons
            .iter()
            .any(|r| r.code == "desensitized")
    );
}

#[test]
fn an_unknown_drug_gets_an_info_card() {
    let (_, _, response) = respond(&fixture());
    let card = response
        .cards
        .iter()
        .find(|c| c.rule_key == "not-checked")
        .unwrap();
    assert_eq!(card.indicator, CdsIndicator::Info);
    assert!(card.summary.contains("Zyqorvantex"));
    // Request text is escaped in markdown.
    assert!(
        card.detail.contains("Zyqorvantex 10 mg tablet"),
        "{}",
        card.detail
    );
    let odd = Unresolved {
        label: "[click](http://x)".into(),
        what: "draft order",
        reason: "unknown".into(),
    };
    let r = cards(&[], &[odd], "h");
    assert!(
        r.cards[0].detail.contains(r"\[click\]\(http://x\)"),
        "{}",
        r.cards[0].detail
    );
}

#[test]
fn cards_validate_against_the_schema_and_uuids_are_stable() {
    let (call, _, response) = respond(&fixture());
    let body = card_json(&response);
    assert_eq!(schema_errors(RESPONSE_SCHEMA, &body), Vec::<String>::new());
    assert!(body["cards"][0].get("rule_key").is_none());
    let (_, _, again) = respond(&fixture());
    let uuids = |r: &CdsResponse| r.cards.iter().map(|c| c.uuid.clone()).collect::<Vec<_>>();
    assert_eq!(uuids(&response), uuids(&again));
    let mut unique = uuids(&response);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), response.cards.len());
    let mut other = fixture();
    other["hookInstance"] = json!("another-call");
    let (_, _, elsewhere) = respond(&other);
    assert_ne!(uuids(&response)[0], uuids(&elsewhere)[0]);
    assert_eq!(call.hook_instance, "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea");
    let broken = json!({ "cards": [{ "summary": "x", "indicator": "severe", "source": {} }] });
    assert_eq!(schema_errors(RESPONSE_SCHEMA, &broken).len(), 2);
}

#[test]
fn the_same_finding_twice_gives_one_card() {
    let mut request = fixture();
    let allergies = &mut request["prefetch"]["allergies"]["entry"];
    let again = allergies[0].clone();
    allergies.as_array_mut().unwrap().push(again);
    let (_, _, response) = respond(&request);
    let n = response
        .cards
        .iter()
        .filter(|c| c.rule_key == "allergy:penicillins")
        .count();
    assert_eq!(n, 1);
}

#[test]
fn drugs_link_by_code() {
    let kb = kb();
    let mut request = fixture();
    let amox = &mut request["context"]["draftOrders"]["entry"][1]["resource"];
    amox["medicationCodeableConcept"] = json!({
        "coding": [{ "system": super::KB_INGREDIENT_SYSTEM, "code": "amoxicillin" }]
    });
    let ndc = kb
        .products()
        .iter()
        .find(|p| p.generic.eq_ignore_ascii_case("aspirin") && p.listed)
        .unwrap()
        .product_ndc
        .clone();
    request["prefetch"]["medications"]["entry"][0]["resource"]["medicationCodeableConcept"] =
        json!({ "coding": [{ "system": "http://hl7.org/fhir/sid/ndc", "code": ndc }] });
    let call = parse(&request).unwrap();
    let (regimen, _, unresolved) = regimen(kb, &call, date!(2025 - 03 - 01));
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    let names = |i: usize| {
        regimen.items[i]
            .ingredients
            .iter()
            .map(|&g| kb.ingredient_name(g).to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(1), ["amoxicillin"]);
    assert!(names(2).contains(&"aspirin".to_string()), "{:?}", names(2));
    assert!(regimen.items[2].product.is_some());
}

#[test]
fn bad_requests_give_typed_errors() {
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut r = fixture();
        f(&mut r);
        parse(&r).unwrap_err()
    };
    assert!(matches!(
        edit(&|r| r["hook"] = json!("patient-view")),
        InteropError::WrongHook { .. }
    ));
    assert_eq!(
        edit(&|r| drop(r.as_object_mut().unwrap().remove("context"))),
        InteropError::Missing("context")
    );
    assert_eq!(
        edit(&|r| drop(r["context"].as_object_mut().unwrap().remove("patientId"))),
        InteropError::Missing("context.patientId")
    );
    assert_eq!(
        edit(&|r| r["context"]["draftOrders"] = json!({ "resourceType": "MedicationRequest" })),
        InteropError::NotABundle("context.draftOrders")
    );
    assert_eq!(
        edit(&|r| r["context"]["draftOrders"]["entry"] = json!([])),
        InteropError::NoMedicationRequest
    );
    let many: Vec<Value> = (0..51)
        .map(|_| fixture()["context"]["draftOrders"]["entry"][0].clone())
        .collect();
    assert!(matches!(
        edit(&|r| r["context"]["draftOrders"]["entry"] = json!(many)),
        InteropError::TooMany { limit: 50, .. }
    ));
    assert!(matches!(
        edit(
            &|r| r["context"]["draftOrders"]["entry"][0]["resource"]["medicationCodeableConcept"]
                ["text"] = json!("x".repeat(5000))
        ),
        InteropError::TooLong { .. }
    ));
    assert!(matches!(
        edit(&|r| r["hookInstance"] = json!("h".repeat(500))),
        InteropError::TooLong { .. }
    ));
    assert!(matches!(
        edit(
            &|r| r["prefetch"]["medications"]["entry"][0]["resource"]["subject"]["reference"] =
                json!("Patient/someone-else")
        ),
        InteropError::Invalid { .. }
    ));
    assert!(matches!(
        edit(&|r| r["prefetch"]["patient"]["id"] = json!("pat-2")),
        InteropError::Invalid { .. }
    ));
    let malformed = OrderSign::parse(b"{\"hook\": 3}").unwrap_err();
    assert_eq!(malformed.http_status(), 400);
    assert_eq!(InteropError::NoMedicationRequest.http_status(), 422);
}

#[test]
fn a_null_prefetch_is_no_prefetch() {
    let mut request = fixture();
    request["prefetch"] = json!({ "patient": null, "medications": null, "allergies": null });
    let call = parse(&request).unwrap();
    assert!(call.active.is_empty() && call.allergies.is_empty() && call.patient.is_none());
}

#[test]
fn feedback_parses_and_rejects_bad_outcomes() {
    let feedback = FeedbackRequest::parse(FEEDBACK.as_bytes()).unwrap();
    assert_eq!(feedback.len(), 2);
    assert_eq!(feedback[0].outcome, Outcome::Overridden);
    assert_eq!(feedback[0].reason.as_deref(), Some("will-monitor"));
    assert_eq!(feedback[0].comment.as_deref(), Some("INR checked weekly"));
    assert_eq!(
        feedback[0].card.to_string(),
        "9368d37b-283f-44a0-93ea-547cebab93ed"
    );
    assert_eq!(feedback[1].outcome, Outcome::Accepted);
    assert_eq!(feedback[1].at.offset().whole_hours(), 1);

    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v: Value = serde_json::from_str(FEEDBACK).unwrap();
        f(&mut v);
        FeedbackRequest::parse(v.to_string().as_bytes()).unwrap_err()
    };
    assert!(matches!(
        edit(&|v| v["feedback"][0]["outcome"] = json!("ignored")),
        InteropError::Malformed(_)
    ));
    for broken in [
        edit(&|v| v["feedback"][0]["card"] = json!("not-a-uuid")),
        edit(&|v| v["feedback"][0]["outcomeTimestamp"] = json!("yesterday")),
        edit(&|v| v["feedback"][0]["overrideReason"]["reason"]["code"] = json!("because")),
        edit(&|v| v["feedback"][0]["overrideReason"]["reason"]["system"] = json!("urn:other")),
        edit(&|v| v["feedback"][1]["overrideReason"] = v["feedback"][0]["overrideReason"].clone()),
        edit(&|v| v["feedback"][1]["acceptedSuggestions"] = json!([{ "id": "s-1" }])),
    ] {
        assert!(matches!(broken, InteropError::Invalid { .. }), "{broken:?}");
    }
    assert!(matches!(
        edit(&|v| v["feedback"][0]["overrideReason"]["userComment"] = json!("c".repeat(3000))),
        InteropError::TooLong { .. }
    ));
    assert_eq!(
        edit(&|v| v["feedback"] = json!([])),
        InteropError::Missing("feedback")
    );
}

#[test]
fn card_uuids_are_what_feedback_names() {
    let (_, _, response) = respond(&fixture());
    let card = &response.cards[0];
    let body = json!({ "feedback": [{
        "card": card.uuid,
        "outcome": "overridden",
        "overrideReason": { "reason": card.override_reasons[0] },
        "outcomeTimestamp": "2025-03-01T10:15:00Z",
    }]});
    let feedback = FeedbackRequest::parse(body.to_string().as_bytes()).unwrap();
    assert_eq!(feedback[0].card.to_string(), card.uuid);
    assert_eq!(
        feedback[0].reason.as_deref(),
        Some(card.override_reasons[0].code.as_str())
    );
}

#[test]
fn a_dose_above_the_maximum_is_read_from_the_timing() {
    let mut request = fixture();
    request["context"]["draftOrders"]["entry"][1]["resource"] = json!({
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": { "text": "Acetaminophen 500 mg tablet" },
        "dosageInstruction": [{
            "timing": { "repeat": { "frequency": 1, "period": 4, "periodUnit": "h" } },
            "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "g", "code": "g" } }],
        }],
    });
    let kb = kb();
    let call = parse(&request).unwrap();
    let (regimen, profile, _) = regimen(kb, &call, date!(2025 - 03 - 01));
    let findings = kb.check(&regimen, &profile);
    let response = cards(&findings, &[], &call.hook_instance);
    assert!(
        response
            .cards
            .iter()
            .any(|c| c.rule_key == "dose-above-maximum:acetaminophen"),
        "{:#?}",
        response.cards
    );
    // Every finding of the call also makes a well-shaped DetectedIssue.
    for (i, f) in findings.iter().enumerate() {
        let issue = detected_issue(f, 1, &format!("i{i}"), &[], None);
        assert_eq!(shape_errors(&issue), Vec::<String>::new(), "{issue:#}");
    }
}

/// Whether a draft order of acetaminophen 500 mg tablets with `dosage`
/// is found above the daily maximum.
fn acetaminophen_over_its_limit(dosage: Value) -> bool {
    let mut request = fixture();
    request["context"]["draftOrders"]["entry"][1]["resource"] = json!({
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": { "text": "Acetaminophen 500 mg tablet" },
        "dosageInstruction": [dosage],
    });
    let kb = kb();
    let call = parse(&request).unwrap();
    let (regimen, profile, _) = regimen(kb, &call, date!(2025 - 03 - 01));
    kb.check(&regimen, &profile)
        .iter()
        .any(|f| f.kind == FindingKind::DoseAboveMaximum)
}

#[test]
fn a_regular_order_counts_as_scheduled_past_a_maximum_it_contradicts() {
    let over = |as_needed: bool| {
        acetaminophen_over_its_limit(json!({
            "asNeededBoolean": as_needed,
            "timing": { "repeat": { "frequency": 1, "period": 4, "periodUnit": "h" } },
            "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "g", "code": "g" } }],
            "maxDosePerPeriod": {
                "numerator": { "value": 4, "unit": "g", "code": "g" },
                "denominator": { "value": 24, "unit": "h", "code": "h" },
            },
        }))
    };
    assert!(
        over(false),
        "1 g every 4 hours is 6 g a day, whatever the maximum says"
    );
    assert!(!over(true), "as needed, the 4 g maximum bounds it");
}

#[test]
fn a_stated_maximum_bounds_an_as_needed_order_without_a_schedule() {
    let over = |max: Value| {
        acetaminophen_over_its_limit(json!({
            "asNeededBoolean": true,
            "doseAndRate": [{ "doseQuantity": { "value": 1, "unit": "g", "code": "g" } }],
            "maxDosePerPeriod": max,
        }))
    };
    let ratio = |grams: f64, hours: f64| {
        json!({
            "numerator": { "value": grams, "unit": "g", "code": "g" },
            "denominator": { "value": hours, "unit": "h", "code": "h" },
        })
    };
    assert!(over(ratio(6.0, 24.0)), "R4: 6 g in 24 hours");
    assert!(
        over(json!([ratio(3.0, 12.0)])),
        "R5: 3 g in 12 hours is 6 g a day"
    );
    assert!(
        !over(ratio(4.0, 24.0)),
        "4 g a day is the limit, not over it"
    );
}
