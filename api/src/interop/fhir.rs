//! FHIR R4 JSON views of prescriptions, dispenses and findings. They are
//! read-only projections: the store stays the source of truth, so nothing
//! here is parsed back.

use super::{FINDING_KIND_SYSTEM, KB_INGREDIENT_SYSTEM, OVERRIDE_REASON_SYSTEM};
use rxflow_clinical::{Finding, FindingKind};
use rxflow_pharmacy::dispensing::Dispense;
use rxflow_pharmacy::prescriptions::{Item, Prescription, RxStatus};
use serde_json::{Map, Value, json};

const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PRESCRIPTION_IDS: &str = "https://rxflow.dev/fhir/NamingSystem/prescription";
const KB_SOURCE_SYSTEM: &str = "https://rxflow.dev/fhir/CodeSystem/kb-source";
const KB_SNAPSHOT_EXT: &str = "https://rxflow.dev/fhir/StructureDefinition/kb-snapshot";

/// A pharmacist's override of a finding, shown as `DetectedIssue.mitigation`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mitigation<'a> {
    /// An override reason code (`will-monitor` …) and its display.
    pub code: &'a str,
    pub display: &'a str,
    /// FHIR dateTime of the override.
    pub date: &'a str,
    /// `Practitioner/{id}` of the pharmacist.
    pub author: &'a str,
}

fn reference(kind: &str, id: impl std::fmt::Display) -> Value {
    json!({ "reference": format!("{kind}/{id}") })
}

/// Inserts `value` under `key` only when there is one: FHIR forbids empty
/// elements and `null`.
fn put(obj: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        obj.insert(key.to_string(), v);
    }
}

/// Drug name, strength and form as a prescriber wrote them.
fn medication_text(item: &Item) -> String {
    [
        Some(item.drug.as_str()),
        item.strength.as_deref(),
        item.form.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ")
}

fn medication(item: &Item) -> Value {
    let mut concept = Map::new();
    put(
        &mut concept,
        "coding",
        item.drug_id.as_ref().map(
            |code| json!([{ "system": KB_INGREDIENT_SYSTEM, "code": code, "display": item.drug }]),
        ),
    );
    concept.insert("text".into(), json!(medication_text(item)));
    Value::Object(concept)
}

/// FHIR has no unit for "as dispensed": the dosage form is what a
/// pharmacist counts, so it is the unit when known.
fn quantity(value: i64, item: &Item) -> Value {
    let unit = item
        .form
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or("unit");
    json!({ "value": value, "unit": unit })
}

fn subject(rx: &Prescription) -> Value {
    match rx.patient_id {
        Some(id) => reference("Patient", id),
        // Subject is 1..1; an unmatched intake still has a patient.
        None => json!({ "display": "patient not yet identified" }),
    }
}

fn dosage(item: &Item) -> Value {
    let mut d = Map::new();
    d.insert("text".into(), json!(item.sig));
    put(
        &mut d,
        "route",
        item.route
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| json!({ "text": r })),
    );
    Value::Object(d)
}

/// MedicationRequest.status for one item of a prescription. An item whose
/// fills are used up is complete even while its siblings are not.
fn request_status(rx: &Prescription, item: &Item) -> &'static str {
    match rx.status {
        RxStatus::Received | RxStatus::Extracted | RxStatus::NeedsReview => "draft",
        RxStatus::Verified | RxStatus::PartiallyDispensed if item.fills_left() <= 0 => "completed",
        RxStatus::Verified | RxStatus::PartiallyDispensed => "active",
        RxStatus::Dispensed => "completed",
        // Rejected at review: withdrawn before any supply, which is
        // `cancelled`; `entered-in-error` would claim it never existed.
        RxStatus::Rejected | RxStatus::Cancelled => "cancelled",
    }
}

/// A prescription item as a FHIR MedicationRequest; its id is the item id
/// and the prescription is its `groupIdentifier`.
pub(crate) fn medication_request(rx: &Prescription, item: &Item) -> Value {
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("MedicationRequest"));
    r.insert("id".into(), json!(item.id.to_string()));
    r.insert("status".into(), json!(request_status(rx, item)));
    put(
        &mut r,
        "statusReason",
        (rx.status == RxStatus::Rejected)
            .then(|| json!({ "text": "Rejected at pharmacist review" })),
    );
    r.insert("intent".into(), json!("order"));
    r.insert("medicationCodeableConcept".into(), medication(item));
    r.insert("subject".into(), subject(rx));
    r.insert(
        "authoredOn".into(),
        json!(rx.written_on.as_deref().unwrap_or(&rx.created_at)),
    );
    put(
        &mut r,
        "requester",
        rx.prescriber_id.map(|id| reference("Practitioner", id)),
    );
    r.insert(
        "groupIdentifier".into(),
        json!({ "system": PRESCRIPTION_IDS, "value": rx.id.to_string() }),
    );
    r.insert("dosageInstruction".into(), json!([dosage(item)]));
    r.insert(
        "dispenseRequest".into(),
        json!({
            "numberOfRepeatsAllowed": item.refills_authorized.max(0),
            "quantity": quantity(item.quantity, item),
        }),
    );
    Value::Object(r)
}

fn lots_note(dispense: &Dispense) -> Option<Value> {
    if dispense.lots.is_empty() {
        return None;
    }
    let lots: Vec<String> = dispense
        .lots
        .iter()
        .map(|l| format!("lot {} × {}", l.lot_id, l.quantity))
        .collect();
    Some(json!([{ "text": format!("Dispensed from {}", lots.join(", ")) }]))
}

/// A fill as a FHIR MedicationDispense. `when` is the hand-over dateTime
/// and `performer` the `Practitioner/{id}` reference of who handed it over.
pub(crate) fn medication_dispense(
    dispense: &Dispense,
    item: &Item,
    rx: &Prescription,
    when: &str,
    performer: &str,
) -> Value {
    let fill = if dispense.fill_number <= 1 {
        ("FF", "First Fill")
    } else {
        ("RF", "Refill")
    };
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("MedicationDispense"));
    r.insert("id".into(), json!(dispense.id.to_string()));
    r.insert("status".into(), json!("completed"));
    r.insert("medicationCodeableConcept".into(), medication(item));
    r.insert("subject".into(), subject(rx));
    r.insert(
        "performer".into(),
        json!([{ "actor": { "reference": performer } }]),
    );
    r.insert(
        "authorizingPrescription".into(),
        json!([reference("MedicationRequest", dispense.item_id)]),
    );
    r.insert(
        "type".into(),
        json!({ "coding": [{ "system": ACT_CODE, "code": fill.0, "display": fill.1 }] }),
    );
    r.insert("quantity".into(), quantity(dispense.quantity, item));
    r.insert("whenHandedOver".into(), json!(when));
    r.insert("dosageInstruction".into(), json!([dosage(item)]));
    put(&mut r, "note", lots_note(dispense));
    Value::Object(r)
}

/// HL7 v3 ActCode detected-issue codes (ActDetectedIssueCode).
fn issue_code(kind: FindingKind) -> (&'static str, &'static str) {
    match kind {
        FindingKind::Interaction => ("DRG", "Drug Interaction Alert"),
        FindingKind::DuplicateIngredient => ("DUPTHPGEN", "Duplicate Generic Alert"),
        FindingKind::DuplicateTherapy => ("DUPTHPCLS", "Duplicate Therapeutic Class Alert"),
        FindingKind::Allergy => ("DALG", "Drug Allergy Alert"),
        FindingKind::DoseAboveMaximum => ("DOSEH", "High Dose Alert"),
        FindingKind::ControlledSubstance => ("ABUSE", "Commonly Abused/Misused Alert"),
    }
}

/// rxflow's finding-kind code, the serde name of [`FindingKind`].
pub(crate) fn kind_code(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Interaction => "interaction",
        FindingKind::DuplicateIngredient => "duplicate_ingredient",
        FindingKind::DuplicateTherapy => "duplicate_therapy",
        FindingKind::Allergy => "allergy",
        FindingKind::DoseAboveMaximum => "dose_above_maximum",
        FindingKind::ControlledSubstance => "controlled_substance",
    }
}

fn issue_detail(finding: &Finding) -> String {
    [
        finding.summary.as_str(),
        &finding.mechanism,
        &finding.management,
    ]
    .into_iter()
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join("\n\n")
}

fn evidence(finding: &Finding) -> Option<Value> {
    let items: Vec<Value> = finding
        .sources
        .iter()
        .map(|s| {
            json!({ "code": [{
                "coding": [{ "system": KB_SOURCE_SYSTEM, "code": format!("{}:{}", s.source, s.id) }],
                "text": s.citation.as_ref(),
            }] })
        })
        .collect();
    (!items.is_empty()).then_some(Value::Array(items))
}

fn mitigation_json(m: &Mitigation<'_>) -> Value {
    json!([{
        "action": {
            "coding": [{ "system": OVERRIDE_REASON_SYSTEM, "code": m.code, "display": m.display }],
            "text": format!("Overridden: {}", m.display),
        },
        "date": m.date,
        "author": { "reference": m.author },
    }])
}

/// A finding as a FHIR DetectedIssue about `patient_id`. `implicated` are
/// references (`MedicationRequest/12`) to the orders involved.
pub(crate) fn detected_issue(
    finding: &Finding,
    patient_id: i64,
    id: &str,
    implicated: &[String],
    mitigation: Option<&Mitigation<'_>>,
) -> Value {
    let (code, display) = issue_code(finding.kind);
    let mut r = Map::new();
    r.insert("resourceType".into(), json!("DetectedIssue"));
    r.insert("id".into(), json!(id));
    // Replaying a past check needs the snapshot that produced it.
    r.insert(
        "extension".into(),
        json!([{ "url": KB_SNAPSHOT_EXT, "valueString": finding.snapshot_id.as_ref() }]),
    );
    r.insert("status".into(), json!("final"));
    r.insert(
        "code".into(),
        json!({
            "coding": [
                { "system": ACT_CODE, "code": code, "display": display },
                { "system": FINDING_KIND_SYSTEM, "code": kind_code(finding.kind) },
            ],
            "text": display,
        }),
    );
    r.insert("severity".into(), json!(finding.fhir_severity));
    r.insert("patient".into(), reference("Patient", patient_id));
    put(
        &mut r,
        "implicated",
        (!implicated.is_empty()).then(|| {
            implicated
                .iter()
                .map(|i| json!({ "reference": i }))
                .collect()
        }),
    );
    put(&mut r, "evidence", evidence(finding));
    r.insert("detail".into(), json!(issue_detail(finding)));
    put(&mut r, "mitigation", mitigation.map(mitigation_json));
    Value::Object(r)
}

/// A FHIR searchset Bundle of `resources`, all of them matches.
pub(crate) fn searchset(resources: Vec<Value>) -> Value {
    let entries: Vec<Value> = resources
        .into_iter()
        .map(|resource| json!({ "resource": resource, "search": { "mode": "match" } }))
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
    });
    // An empty search has no `entry`: FHIR forbids empty arrays.
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::interop::shape::shape_errors;
    use crate::interop::test_kb::kb;
    use rxflow_clinical::{ItemStatus, PatientProfile, Regimen};
    use rxflow_pharmacy::inventory::Allocation;

    fn item() -> Item {
        Item {
            id: 41,
            prescription_id: 7,
            product_id: Some(3),
            drug: "Amoxicillin".into(),
            drug_id: Some("amoxicillin".into()),
            strength: Some("500 mg".into()),
            form: Some("capsule".into()),
            route: Some("oral".into()),
            sig: "1 cap PO TID x 10 days".into(),
            quantity: 30,
            refills_authorized: 1,
            fills_used: 0,
        }
    }

    fn rx(status: RxStatus) -> Prescription {
        Prescription {
            id: 7,
            patient_id: Some(12),
            prescriber_id: Some(3),
            status,
            image_ref: None,
            written_on: Some("2025-03-01".into()),
            created_at: "2025-03-01T09:30:00Z".into(),
            updated_at: "2025-03-01T09:30:00Z".into(),
            items: vec![item()],
        }
    }

    fn dispense() -> Dispense {
        Dispense {
            id: 90,
            prescription_id: 7,
            item_id: 41,
            product_id: 3,
            quantity: 30,
            fill_number: 2,
            refills_left: 0,
            lots: vec![
                Allocation {
                    lot_id: 5,
                    quantity: 20,
                },
                Allocation {
                    lot_id: 6,
                    quantity: 10,
                },
            ],
            prescription_status: RxStatus::Dispensed,
        }
    }

    fn findings() -> Vec<Finding> {
        let kb = kb();
        let items = vec![
            kb.item("warfarin", ItemStatus::New).unwrap(),
            kb.item("aspirin", ItemStatus::Active).unwrap(),
        ];
        let profile = PatientProfile {
            allergies: vec!["penicillins".into()],
            ..PatientProfile::default()
        };
        let mut f = kb.check(&Regimen::new(items), &profile);
        let amox = vec![kb.item("amoxicillin", ItemStatus::New).unwrap()];
        f.extend(kb.check(&Regimen::new(amox), &profile));
        f
    }

    #[test]
    fn request_statuses_follow_the_prescription() {
        let cases = [
            (RxStatus::Received, "draft"),
            (RxStatus::NeedsReview, "draft"),
            (RxStatus::Verified, "active"),
            (RxStatus::PartiallyDispensed, "active"),
            (RxStatus::Dispensed, "completed"),
            (RxStatus::Rejected, "cancelled"),
            (RxStatus::Cancelled, "cancelled"),
        ];
        for (status, want) in cases {
            let r = medication_request(&rx(status), &item());
            assert_eq!(r["status"], want, "{status}");
            assert_eq!(shape_errors(&r), Vec::<String>::new(), "{status}: {r:#}");
        }
        let rejected = medication_request(&rx(RxStatus::Rejected), &item());
        assert!(rejected["statusReason"]["text"].is_string());
        let mut used_up = item();
        used_up.fills_used = 2;
        assert_eq!(
            medication_request(&rx(RxStatus::Verified), &used_up)["status"],
            "completed"
        );
    }

    #[test]
    fn medication_request_carries_the_order() {
        let r = medication_request(&rx(RxStatus::Verified), &item());
        assert_eq!(r["id"], "41");
        assert_eq!(r["intent"], "order");
        assert_eq!(r["subject"]["reference"], "Patient/12");
        assert_eq!(r["requester"]["reference"], "Practitioner/3");
        assert_eq!(r["groupIdentifier"]["value"], "7");
        let med = &r["medicationCodeableConcept"];
        assert_eq!(med["text"], "Amoxicillin 500 mg capsule");
        assert_eq!(med["coding"][0]["system"], KB_INGREDIENT_SYSTEM);
        assert_eq!(med["coding"][0]["code"], "amoxicillin");
        assert_eq!(r["dosageInstruction"][0]["route"]["text"], "oral");
        assert_eq!(r["dispenseRequest"]["numberOfRepeatsAllowed"], 1);
        assert_eq!(r["dispenseRequest"]["quantity"]["value"], 30);
    }

    #[test]
    fn unlinked_items_have_no_coding_and_no_empty_elements() {
        let mut bare = item();
        bare.drug_id = None;
        bare.route = None;
        bare.form = None;
        let mut p = rx(RxStatus::Received);
        p.patient_id = None;
        p.prescriber_id = None;
        let r = medication_request(&p, &bare);
        assert!(r["medicationCodeableConcept"].get("coding").is_none());
        assert!(r.get("requester").is_none());
        assert!(r["dosageInstruction"][0].get("route").is_none());
        assert_eq!(shape_errors(&r), Vec::<String>::new(), "{r:#}");
    }

    #[test]
    fn medication_dispense_points_at_its_request() {
        let d = medication_dispense(
            &dispense(),
            &item(),
            &rx(RxStatus::Dispensed),
            "2025-03-02T10:00:00Z",
            "Practitioner/8",
        );
        assert_eq!(shape_errors(&d), Vec::<String>::new(), "{d:#}");
        assert_eq!(d["status"], "completed");
        assert_eq!(
            d["authorizingPrescription"][0]["reference"],
            "MedicationRequest/41"
        );
        assert_eq!(d["type"]["coding"][0]["code"], "RF");
        assert_eq!(d["whenHandedOver"], "2025-03-02T10:00:00Z");
        let note = d["note"][0]["text"].as_str().unwrap();
        assert!(
            note.contains("lot 5 × 20") && note.contains("lot 6 × 10"),
            "{note}"
        );
    }

    #[test]
    fn detected_issues_from_real_findings_are_well_shaped() {
        let all = findings();
        assert!(all.iter().any(|f| f.kind == FindingKind::Interaction));
        assert!(all.iter().any(|f| f.kind == FindingKind::Allergy));
        let mitigation = Mitigation {
            code: "will-monitor",
            display: "Will monitor (levels, ECG, signs)",
            date: "2025-03-01T10:00:00+01:00",
            author: "Practitioner/8",
        };
        for (i, f) in all.iter().enumerate() {
            let d = detected_issue(
                f,
                12,
                &format!("f-{i}"),
                &["MedicationRequest/41".into()],
                Some(&mitigation),
            );
            assert_eq!(shape_errors(&d), Vec::<String>::new(), "{d:#}");
            assert_eq!(d["patient"]["reference"], "Patient/12");
            assert_eq!(
                d["mitigation"][0]["action"]["coding"][0]["code"],
                "will-monitor"
            );
            assert!(d["evidence"].as_array().is_some_and(|e| !e.is_empty()));
        }
        let warfarin = all
            .iter()
            .find(|f| f.kind == FindingKind::Interaction)
            .unwrap();
        let d = detected_issue(warfarin, 12, "w", &[], None);
        assert_eq!(d["code"]["coding"][0]["code"], "DRG");
        assert_eq!(d["severity"], "high");
        assert!(d.get("mitigation").is_none() && d.get("implicated").is_none());
    }

    #[test]
    fn kind_codes_are_the_serde_names() {
        use FindingKind::*;
        for kind in [
            Interaction,
            DuplicateIngredient,
            DuplicateTherapy,
            Allergy,
            DoseAboveMaximum,
            ControlledSubstance,
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind_code(kind));
        }
    }

    #[test]
    fn searchset_wraps_and_counts() {
        let b = searchset(vec![
            medication_request(&rx(RxStatus::Verified), &item()),
            medication_request(&rx(RxStatus::Dispensed), &item()),
        ]);
        assert_eq!(b["total"], 2);
        assert_eq!(b["entry"][1]["search"]["mode"], "match");
        assert_eq!(shape_errors(&b), Vec::<String>::new(), "{b:#}");
        assert_eq!(shape_errors(&searchset(Vec::new())), Vec::<String>::new());
    }
}
