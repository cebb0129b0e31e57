//! A structural check of the FHIR R4 resources rxflow emits: required
//! elements, cardinality, the value sets of the codes we send, reference
//! and dateTime formats, no unknown, empty or null elements. It is not a
//! FHIR validator; it is narrow on purpose, so a builder that drifts from
//! the specification fails a test instead of an EHR's import.

use super::is_fhir_id;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// FHIR `unsignedInt`.
    Count,
    DateTime,
    Code(&'static [&'static str]),
    /// A Reference whose `reference` names one of these types; empty: any.
    Ref(&'static [&'static str]),
    Concept,
    /// A CodeableConcept with at least one coding of `system`, all of whose
    /// codings of that system are in the list.
    ConceptFrom(&'static str, &'static [&'static str]),
    Quantity,
    Nested(&'static [Field]),
    Resource,
}

#[derive(Clone, Copy)]
struct Field {
    name: &'static str,
    required: bool,
    many: bool,
    kind: Kind,
}

const fn one(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: true,
        many: false,
        kind,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: false,
        many: false,
        kind,
    }
}

const fn many(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        required: false,
        many: true,
        kind,
    }
}

const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

const EXTENSION: &[Field] = &[one("url", Kind::Text), opt("valueString", Kind::Text)];
const CODING: &[Field] = &[
    one("system", Kind::Text),
    one("code", Kind::Text),
    opt("display", Kind::Text),
];
const CONCEPT: &[Field] = &[
    many("coding", Kind::Nested(CODING)),
    opt("text", Kind::Text),
];
const REFERENCE: &[Field] = &[opt("reference", Kind::Text), opt("display", Kind::Text)];
/// rxflow only counts whole, non-negative units.
const QUANTITY: &[Field] = &[
    one("value", Kind::Count),
    opt("unit", Kind::Text),
    opt("system", Kind::Text),
    opt("code", Kind::Text),
];
const IDENTIFIER: &[Field] = &[opt("system", Kind::Text), one("value", Kind::Text)];
const DOSAGE: &[Field] = &[opt("text", Kind::Text), opt("route", Kind::Concept)];
const ANNOTATION: &[Field] = &[one("text", Kind::Text)];

const REQUEST_STATUS: &[&str] = &[
    "active",
    "on-hold",
    "cancelled",
    "completed",
    "entered-in-error",
    "stopped",
    "draft",
    "unknown",
];
const REQUEST_INTENT: &[&str] = &[
    "proposal",
    "plan",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
];
const DISPENSE_REQUEST: &[Field] = &[
    opt("numberOfRepeatsAllowed", Kind::Count),
    opt("quantity", Kind::Quantity),
];
const MEDICATION_REQUEST: &[Field] = &[
    many("identifier", Kind::Nested(IDENTIFIER)),
    one("status", Kind::Code(REQUEST_STATUS)),
    opt("statusReason", Kind::Concept),
    one("intent", Kind::Code(REQUEST_INTENT)),
    one("medicationCodeableConcept", Kind::Concept),
    one("subject", Kind::Ref(&["Patient", "Group"])),
    opt("authoredOn", Kind::DateTime),
    opt(
        "requester",
        Kind::Ref(&["Practitioner", "PractitionerRole", "Organization"]),
    ),
    opt("groupIdentifier", Kind::Nested(IDENTIFIER)),
    many("dosageInstruction", Kind::Nested(DOSAGE)),
    opt("dispenseRequest", Kind::Nested(DISPENSE_REQUEST)),
    many("note", Kind::Nested(ANNOTATION)),
];

const DISPENSE_STATUS: &[&str] = &[
    "preparation",
    "in-progress",
    "cancelled",
    "on-hold",
    "completed",
    "entered-in-error",
    "stopped",
    "declined",
    "unknown",
];
const PERFORMER: &[Field] = &[one(
    "actor",
    Kind::Ref(&["Practitioner", "PractitionerRole", "Organization"]),
)];
const MEDICATION_DISPENSE: &[Field] = &[
    many("identifier", Kind::Nested(IDENTIFIER)),
    one("status", Kind::Code(DISPENSE_STATUS)),
    one("medicationCodeableConcept", Kind::Concept),
    one("subject", Kind::Ref(&["Patient", "Group"])),
    many("performer", Kind::Nested(PERFORMER)),
    many("authorizingPrescription", Kind::Ref(&["MedicationRequest"])),
    opt(
        "type",
        Kind::ConceptFrom(ACT_CODE, &["FF", "RF", "EM", "TF"]),
    ),
    opt("quantity", Kind::Quantity),
    opt("whenHandedOver", Kind::DateTime),
    many("dosageInstruction", Kind::Nested(DOSAGE)),
    many("note", Kind::Nested(ANNOTATION)),
];

const ISSUE_STATUS: &[&str] = &[
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
];
/// The ActDetectedIssueCode codes `fhir::issue_code` sends.
const ISSUE_CODES: &[&str] = &["DRG", "DUPTHPGEN", "DUPTHPCLS", "DALG", "DOSEH", "ABUSE"];
const EVIDENCE: &[Field] = &[many("code", Kind::Concept), many("detail", Kind::Ref(&[]))];
const MITIGATION: &[Field] = &[
    one("action", Kind::Concept),
    opt("date", Kind::DateTime),
    opt("author", Kind::Ref(&["Practitioner", "PractitionerRole"])),
];
const DETECTED_ISSUE: &[Field] = &[
    many("identifier", Kind::Nested(IDENTIFIER)),
    one("status", Kind::Code(ISSUE_STATUS)),
    opt("code", Kind::ConceptFrom(ACT_CODE, ISSUE_CODES)),
    opt("severity", Kind::Code(&["high", "moderate", "low"])),
    opt("patient", Kind::Ref(&["Patient"])),
    opt("identifiedDateTime", Kind::DateTime),
    many("implicated", Kind::Ref(&[])),
    many("evidence", Kind::Nested(EVIDENCE)),
    opt("detail", Kind::Text),
    opt("reference", Kind::Text),
    many("mitigation", Kind::Nested(MITIGATION)),
];

const SEARCH: &[Field] = &[opt("mode", Kind::Code(&["match", "include", "outcome"]))];
const ENTRY: &[Field] = &[
    opt("fullUrl", Kind::Text),
    opt("resource", Kind::Resource),
    opt("search", Kind::Nested(SEARCH)),
];
const BUNDLE_TYPES: &[&str] = &[
    "document",
    "message",
    "transaction",
    "transaction-response",
    "batch",
    "batch-response",
    "history",
    "searchset",
    "collection",
];
const BUNDLE: &[Field] = &[
    one("type", Kind::Code(BUNDLE_TYPES)),
    opt("total", Kind::Count),
    many("entry", Kind::Nested(ENTRY)),
];

/// Every problem found in `resource`, as `path: problem`; empty when it
/// has the shape rxflow promises.
pub fn shape_errors(resource: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    no_empty(resource, "", &mut errors);
    check_resource(resource, "", &mut errors);
    errors
}

/// FHIR forbids `null`, empty strings, arrays and objects anywhere.
fn no_empty(v: &Value, path: &str, errors: &mut Vec<String>) {
    let empty = match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    if empty {
        errors.push(format!("{}: empty or null", at(path)));
    }
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                no_empty(x, &format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                no_empty(x, &join(path, k), errors);
            }
        }
        _ => {}
    }
}

fn at(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn check_resource(v: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(obj) = v.as_object() else {
        errors.push(format!("{}: a resource must be an object", at(path)));
        return;
    };
    // Bundles answering a search are not stored, so they have no id.
    let (fields, needs_id) = match obj.get("resourceType").and_then(Value::as_str) {
        Some("MedicationRequest") => (MEDICATION_REQUEST, true),
        Some("MedicationDispense") => (MEDICATION_DISPENSE, true),
        Some("DetectedIssue") => (DETECTED_ISSUE, true),
        Some("Bundle") => (BUNDLE, false),
        other => {
            errors.push(format!(
                "{}: resourceType {other:?} is not one rxflow emits",
                join(path, "resourceType")
            ));
            return;
        }
    };
    let id_path = join(path, "id");
    match obj.get("id") {
        Some(Value::String(id)) if is_fhir_id(id) => {}
        Some(other) => errors.push(format!("{id_path}: {other} is not a FHIR id")),
        None if needs_id => errors.push(format!("{id_path}: required")),
        None => {}
    }
    check_fields(obj, fields, &["resourceType", "id", "meta"], path, errors);
}

fn check_fields(
    obj: &Map<String, Value>,
    fields: &[Field],
    extra: &[&str],
    path: &str,
    errors: &mut Vec<String>,
) {
    for key in obj.keys() {
        let known = fields.iter().any(|f| f.name == key) || extra.contains(&key.as_str());
        if !known && key != "extension" {
            errors.push(format!("{}: unknown element", join(path, key)));
        }
    }
    if let Some(ext) = obj.get("extension") {
        check_field(
            &many("extension", Kind::Nested(EXTENSION)),
            ext,
            path,
            errors,
        );
    }
    for f in fields {
        match obj.get(f.name) {
            Some(v) => check_field(f, v, path, errors),
            None if f.required => errors.push(format!("{}: required", join(path, f.name))),
            None => {}
        }
    }
}

fn check_field(f: &Field, v: &Value, path: &str, errors: &mut Vec<String>) {
    let path = join(path, f.name);
    match (f.many, v) {
        (true, Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                check_kind(f.kind, x, &format!("{path}[{i}]"), errors);
            }
        }
        (true, _) => errors.push(format!("{path}: must be an array (0..*)")),
        (false, Value::Array(_)) => errors.push(format!("{path}: must not repeat (0..1)")),
        (false, _) => check_kind(f.kind, v, &path, errors),
    }
}

fn check_kind(kind: Kind, v: &Value, path: &str, errors: &mut Vec<String>) {
    let problem = match kind {
        Kind::Text => (!v.is_string()).then(|| "must be a string".to_string()),
        Kind::Count => (!v.is_u64()).then(|| "must be an unsignedInt".to_string()),
        Kind::DateTime => match v.as_str() {
            Some(s) if is_date_time(s) => None,
            _ => Some(format!("{v} is not a FHIR dateTime")),
        },
        Kind::Code(allowed) => match v.as_str() {
            Some(s) if allowed.contains(&s) => None,
            _ => Some(format!("{v} is not one of {allowed:?}")),
        },
        Kind::Ref(types) => return check_reference(v, types, path, errors),
        Kind::Concept => return check_concept(v, path, errors),
        Kind::ConceptFrom(system, codes) => {
            check_concept(v, path, errors);
            concept_from(v, system, codes)
        }
        Kind::Quantity => return check_object(v, QUANTITY, path, errors),
        Kind::Nested(fields) => return check_object(v, fields, path, errors),
        Kind::Resource => return check_resource(v, path, errors),
    };
    if let Some(p) = problem {
        errors.push(format!("{path}: {p}"));
    }
}

fn check_object(v: &Value, fields: &[Field], path: &str, errors: &mut Vec<String>) {
    match v.as_object() {
        Some(obj) => check_fields(obj, fields, &[], path, errors),
        None => errors.push(format!("{path}: must be an object")),
    }
}

fn check_concept(v: &Value, path: &str, errors: &mut Vec<String>) {
    check_object(v, CONCEPT, path, errors);
    if v.get("coding").is_none() && v.get("text").is_none() {
        errors.push(format!("{path}: needs a coding or a text"));
    }
}

fn concept_from(v: &Value, system: &str, codes: &[&str]) -> Option<String> {
    let ours: Vec<&Value> = v
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| c.get("system").and_then(Value::as_str) == Some(system))
        .collect();
    let all_known = ours.iter().all(|c| {
        c.get("code")
            .and_then(Value::as_str)
            .is_some_and(|code| codes.contains(&code))
    });
    (ours.is_empty() || !all_known).then(|| format!("needs codes of {system} from {codes:?}"))
}

fn check_reference(v: &Value, types: &[&str], path: &str, errors: &mut Vec<String>) {
    check_object(v, REFERENCE, path, errors);
    let Some(reference) = v.get("reference") else {
        if v.get("display").is_none() {
            errors.push(format!(
                "{path}: a reference needs a reference or a display"
            ));
        }
        return;
    };
    let parsed = reference.as_str().and_then(|r| r.split_once('/'));
    let ok = parsed.is_some_and(|(kind, id)| {
        is_type(kind) && is_fhir_id(id) && (types.is_empty() || types.contains(&kind))
    });
    if !ok {
        errors.push(format!(
            "{path}.reference: {reference} is not Type/id with a type in {types:?}"
        ));
    }
}

fn is_type(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphabetic())
}

/// FHIR `dateTime`: a year, year-month or date, or a full date and time
/// with seconds and a zone.
fn is_date_time(s: &str) -> bool {
    if s.contains('T') {
        return OffsetDateTime::parse(s, &Rfc3339).is_ok();
    }
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str, len: usize| p.len() == len && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && m.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m)),
        [y, m, d] if num(y, 4) && num(m, 2) && num(d, 2) => {
            let month = m.parse::<u8>().ok().and_then(|m| Month::try_from(m).ok());
            match (y.parse::<i32>(), month, d.parse::<u8>()) {
                (Ok(y), Some(m), Ok(d)) => Date::from_calendar_date(y, m, d).is_ok(),
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request() -> Value {
        json!({
            "resourceType": "MedicationRequest",
            "id": "41",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": { "text": "Amoxicillin 500 mg capsule" },
            "subject": { "reference": "Patient/12" },
            "authoredOn": "2025-03-01",
        })
    }

    fn broken(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut r = request();
        edit(&mut r);
        shape_errors(&r)
    }

    #[test]
    fn a_minimal_request_passes() {
        assert_eq!(shape_errors(&request()), Vec::<String>::new());
    }

    #[test]
    fn broken_resources_are_caught() {
        type Edit = Box<dyn FnOnce(&mut Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("status", Box::new(|r| r["status"] = json!("verified"))),
            ("intent", Box::new(|r| r["intent"] = json!("prescription"))),
            (
                "subject",
                Box::new(|r| r["subject"] = json!({ "reference": "Patient 12" })),
            ),
            (
                "subject",
                Box::new(|r| r["subject"] = json!({ "reference": "Practitioner/3" })),
            ),
            (
                "subject",
                Box::new(|r| r["subject"] = json!([{ "reference": "Patient/12" }])),
            ),
            ("subject", Box::new(|r| r["subject"] = json!({}))),
            (
                "intent: required",
                Box::new(|r| {
                    if let Some(o) = r.as_object_mut() {
                        o.remove("intent");
                    }
                }),
            ),
            (
                "authoredOn",
                Box::new(|r| r["authoredOn"] = json!("2025-02-30")),
            ),
            (
                "authoredOn",
                Box::new(|r| r["authoredOn"] = json!("2025-03-01T10:00")),
            ),
            (
                "authoredOn",
                Box::new(|r| r["authoredOn"] = json!("01/03/2025")),
            ),
            ("id", Box::new(|r| r["id"] = json!("has space"))),
            (
                "resourceType",
                Box::new(|r| r["resourceType"] = json!("MedicationOrder")),
            ),
            ("dosage", Box::new(|r| r["dosage"] = json!("1 tab"))),
            (
                "dosageInstruction",
                Box::new(|r| r["dosageInstruction"] = json!({ "text": "x" })),
            ),
            ("note", Box::new(|r| r["note"] = json!([]))),
            (
                "medicationCodeableConcept",
                Box::new(|r| {
                    r["medicationCodeableConcept"] = json!({ "coding": [{ "code": "x" }] })
                }),
            ),
            ("requester", Box::new(|r| r["requester"] = json!(null))),
            (
                "quantity",
                Box::new(|r| r["dispenseRequest"] = json!({ "quantity": { "value": -3 } })),
            ),
        ];
        for (what, edit) in cases {
            let errors = broken(edit);
            assert!(
                errors.iter().any(|e| e.contains(what)),
                "{what}: {errors:?}"
            );
        }
    }

    #[test]
    fn issue_codes_and_severities_are_checked() {
        let issue = json!({
            "resourceType": "DetectedIssue",
            "id": "f-1",
            "status": "final",
            "code": { "coding": [{ "system": ACT_CODE, "code": "DRUG" }] },
            "severity": "severe",
            "mitigation": [{ "date": "2025-03-01" }],
        });
        let errors = shape_errors(&issue);
        for what in ["code", "severity", "mitigation[0].action"] {
            assert!(
                errors.iter().any(|e| e.contains(what)),
                "{what}: {errors:?}"
            );
        }
    }

    #[test]
    fn bundles_check_their_entries() {
        let bundle = json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{ "resource": { "resourceType": "MedicationRequest", "id": "1" } }],
        });
        let errors = shape_errors(&bundle);
        assert!(
            errors
                .iter()
                .any(|e| e.contains("entry[0].resource.status")),
            "{errors:?}"
        );
        assert!(
            shape_errors(&json!({ "resourceType": "Bundle", "type": "list" }))
                .iter()
                .any(|e| e.contains("type"))
        );
    }

    #[test]
    fn date_times() {
        for ok in [
            "2025",
            "2025-03",
            "2025-03-01",
            "2025-03-01T10:00:00Z",
            "2025-03-01T10:00:00.5+01:00",
        ] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in [
            "25",
            "2025-13",
            "2025-02-29",
            "2025-03-01T10:00Z",
            "2025-03-01 10:00:00Z",
            "",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }
}
