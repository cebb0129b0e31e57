//! CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/): the discovery document,
//! the `order-sign` request turned into a regimen and profile for
//! `Kb::check`, findings turned into cards, and card feedback. No HTTP:
//! the routes parse bodies with these functions and send what they return.

use super::fhir::kind_code;
use super::{
    FINDING_KIND_SYSTEM, InteropError, KB_INGREDIENT_SYSTEM, OVERRIDE_REASON_SYSTEM, is_fhir_id,
};
use rxflow_clinical::finding::override_reasons;
use rxflow_clinical::model::Lang;
use rxflow_clinical::search::MatchKind;
use rxflow_clinical::{
    CdsIndicator, Dose, DoseUnit, Finding, FindingKind, IngredientId, ItemStatus, Kb,
    PatientProfile, Regimen, RegimenItem, Route, per_day,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub(crate) const SERVICE_ID: &str = "rxflow-medication-safety";
pub(crate) const HOOK: &str = "order-sign";

/// Limits on what one request may ask of the checker. An order-sign call
/// carries the orders being signed, rarely more than a handful.
const MAX_DRAFT_ORDERS: usize = 50;
const MAX_PREFETCH_ENTRIES: usize = 500;
const MAX_STRING_CHARS: usize = 1024;
const MAX_HOOK_INSTANCE_CHARS: usize = 128;
const MAX_USER_ID_CHARS: usize = 256;
const MAX_URL_CHARS: usize = 2048;
const MAX_FEEDBACK: usize = 100;
const MAX_COMMENT_CHARS: usize = 2000;
/// The spec asks for a summary under 140 characters.
const MAX_SUMMARY_CHARS: usize = 139;
/// Below this a name match is a guess; a wrong drug is worse than an
/// unchecked one, which at least gets its own card.
const MIN_CONFIDENCE: f32 = 0.8;

const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
const NDC: &str = "http://hl7.org/fhir/sid/ndc";
const SNOMED: &str = "http://snomed.info/sct";

/// Namespace of card uuids (v5): the same hook call and finding always get
/// the same card uuid, so feedback maps back to the rule it is about.
const CARD_NAMESPACE: Uuid = Uuid::from_u128(0xed1b_bfea_443a_4dbe_8037_55c1_4430_d621);

/// The discovery document (`GET /cds-services`).
pub(crate) fn discovery() -> Value {
    json!({ "services": [{
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "rxflow medication safety",
        "description": "Checks the medication orders being signed against the patient's \
            active medications, allergies and age: drug interactions, duplicate therapy, \
            allergy cross-sensitivity, doses above the maximum and controlled substances.",
        "prefetch": {
            "patient": "Patient/{{context.patientId}}",
            "medications": "MedicationRequest?patient={{context.patientId}}&status=active",
            "allergies": "AllergyIntolerance?patient={{context.patientId}}&clinical-status=active",
        },
        "usageRequirements": "Send the prefetch: rxflow does not call back to the FHIR server.",
    }]})
}

/// An `order-sign` call as sent. `fhirAuthorization` is deliberately not
/// read: rxflow never calls the FHIR server, so it keeps no token.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CdsRequest {
    pub hook: String,
    pub hook_instance: String,
    pub fhir_server: Option<String>,
    pub context: Option<OrderSignContext>,
    pub prefetch: Option<Prefetch>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderSignContext {
    pub user_id: Option<String>,
    pub patient_id: Option<String>,
    pub encounter_id: Option<String>,
    pub draft_orders: Option<Value>,
}

/// The prefetch keys of [`discovery`]; `null` when the EHR could not fetch.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Prefetch {
    pub patient: Option<Value>,
    pub medications: Option<Value>,
    pub allergies: Option<Value>,
}

/// A validated `order-sign` call: the resources the checker reads.
#[derive(Debug, Clone)]
pub(crate) struct OrderSign {
    pub hook_instance: String,
    pub user_id: String,
    pub patient_id: String,
    pub encounter_id: Option<String>,
    /// The draft MedicationRequests being signed.
    pub drafts: Vec<Value>,
    /// Prefetched active MedicationRequests.
    pub active: Vec<Value>,
    /// Prefetched AllergyIntolerances.
    pub allergies: Vec<Value>,
    pub patient: Option<Value>,
}

impl OrderSign {
    /// Parses and validates a request body.
    pub(crate) fn parse(body: &[u8]) -> Result<OrderSign, InteropError> {
        serde_json::from_slice::<CdsRequest>(body)
            .map_err(|e| InteropError::Malformed(e.to_string()))?
            .validate()
    }
}

fn limit_chars(field: &str, value: &str, limit: usize) -> Result<(), InteropError> {
    if value.chars().count() > limit {
        return Err(InteropError::TooLong {
            field: field.to_string(),
            limit,
        });
    }
    Ok(())
}

fn required(value: Option<String>, field: &'static str) -> Result<String, InteropError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or(InteropError::Missing(field))
}

/// Every string in `v` is bounded: names go to search, text to cards.
fn bounded_strings(v: &Value, path: &str) -> Result<(), InteropError> {
    match v {
        Value::String(s) => limit_chars(path, s, MAX_STRING_CHARS),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| bounded_strings(x, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .try_for_each(|(k, x)| bounded_strings(x, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

fn resource_type(r: &Value) -> Option<&str> {
    r.get("resourceType").and_then(Value::as_str)
}

/// The resources of a Bundle's entries.
fn bundle_resources(
    bundle: &Value,
    what: &'static str,
    limit: usize,
) -> Result<Vec<Value>, InteropError> {
    if resource_type(bundle) != Some("Bundle") {
        return Err(InteropError::NotABundle(what));
    }
    let entries = match bundle.get("entry") {
        None => return Ok(Vec::new()),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(InteropError::invalid(what, "entry is not an array")),
    };
    if entries.len() > limit {
        return Err(InteropError::TooMany {
            what,
            count: entries.len(),
            limit,
        });
    }
    Ok(entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .cloned()
        .collect())
}

/// A resource that names another patient than the call's is refused:
/// checking one patient's orders against another's drugs is never right.
fn same_patient(r: &Value, patient_id: &str, what: &'static str) -> Result<(), InteropError> {
    let reference = ["subject", "patient"]
        .iter()
        .find_map(|k| r.get(k)?.get("reference")?.as_str());
    let ours = format!("Patient/{patient_id}");
    // Absolute references end with the relative one.
    let is_ours = |r: &str| r == ours || r.ends_with(&format!("/{ours}"));
    match reference {
        Some(reference) if !is_ours(reference) => Err(InteropError::invalid(
            what,
            format!("{reference} is not the patient in context"),
        )),
        _ => Ok(()),
    }
}

fn of_type(
    resources: Vec<Value>,
    kind: &str,
    patient_id: &str,
    what: &'static str,
) -> Result<Vec<Value>, InteropError> {
    let kept: Vec<Value> = resources
        .into_iter()
        .filter(|r| resource_type(r) == Some(kind))
        .collect();
    kept.iter()
        .try_for_each(|r| same_patient(r, patient_id, what))?;
    Ok(kept)
}

/// Prefetched orders are meant to be active; an EHR that ignores the
/// query's status filter must not make stopped drugs interact.
fn is_active(r: &Value) -> bool {
    r.get("status")
        .and_then(Value::as_str)
        .is_none_or(|s| s == "active")
}

impl CdsRequest {
    pub(crate) fn validate(self) -> Result<OrderSign, InteropError> {
        if self.hook != HOOK {
            return Err(InteropError::WrongHook {
                expected: HOOK,
                got: self.hook.chars().take(64).collect(),
            });
        }
        let hook_instance = required(Some(self.hook_instance), "hookInstance")?;
        limit_chars("hookInstance", &hook_instance, MAX_HOOK_INSTANCE_CHARS)?;
        if let Some(server) = &self.fhir_server {
            limit_chars("fhirServer", server, MAX_URL_CHARS)?;
        }
        let context = self.context.ok_or(InteropError::Missing("context"))?;
        let user_id = required(context.user_id, "context.userId")?;
        limit_chars("context.userId", &user_id, MAX_USER_ID_CHARS)?;
        let patient_id = required(context.patient_id, "context.patientId")?;
        if !is_fhir_id(&patient_id) {
            return Err(InteropError::invalid("context.patientId", "not a FHIR id"));
        }
        if let Some(encounter) = &context.encounter_id {
            limit_chars("context.encounterId", encounter, MAX_USER_ID_CHARS)?;
        }
        let drafts = context
            .draft_orders
            .ok_or(InteropError::Missing("context.draftOrders"))?;
        bounded_strings(&drafts, "context.draftOrders")?;
        let drafts = bundle_resources(&drafts, "context.draftOrders", MAX_DRAFT_ORDERS)?;
        let drafts = of_type(
            drafts,
            "MedicationRequest",
            &patient_id,
            "context.draftOrders",
        )?;
        if drafts.is_empty() {
            return Err(InteropError::NoMedicationRequest);
        }
        let prefetch = self.prefetch.unwrap_or_default();
        let (active, allergies, patient) = read_prefetch(prefetch, &patient_id)?;
        Ok(OrderSign {
            hook_instance,
            user_id,
            patient_id,
            encounter_id: context.encounter_id,
            drafts,
            active,
            allergies,
            patient,
        })
    }
}

type Prefetched = (Vec<Value>, Vec<Value>, Option<Value>);

/// The resources of `kind` in a prefetched searchset, if one was sent.
fn prefetched(
    bundle: Option<Value>,
    what: &'static str,
    kind: &str,
    patient_id: &str,
) -> Result<Vec<Value>, InteropError> {
    let Some(bundle) = bundle else {
        return Ok(Vec::new());
    };
    bounded_strings(&bundle, what)?;
    let resources = bundle_resources(&bundle, what, MAX_PREFETCH_ENTRIES)?;
    of_type(resources, kind, patient_id, what)
}

fn read_prefetch(p: Prefetch, patient_id: &str) -> Result<Prefetched, InteropError> {
    let what = "prefetch.medications";
    let active = prefetched(p.medications, what, "MedicationRequest", patient_id)?
        .into_iter()
        .filter(is_active)
        .collect();
    let what = "prefetch.allergies";
    let allergies = prefetched(p.allergies, what, "AllergyIntolerance", patient_id)?;
    if let Some(patient) = &p.patient {
        bounded_strings(patient, "prefetch.patient")?;
        let id = patient.get("id").and_then(Value::as_str);
        if resource_type(patient) != Some("Patient") || id.is_some_and(|id| id != patient_id) {
            return Err(InteropError::invalid(
                "prefetch.patient",
                "not the Patient in context",
            ));
        }
    }
    Ok((active, allergies, p.patient))
}

/// What [`regimen`] could not put in front of the checker; each becomes
/// an info card so the prescriber knows what went unchecked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unresolved {
    /// As the EHR named it.
    pub label: String,
    /// `draft order`, `active medication` or `allergy`.
    pub what: &'static str,
    pub reason: String,
}

/// The regimen (drafts as `New`, prefetched orders as `Active`) and the
/// profile for `Kb::check`. `today` dates the patient's age.
pub(crate) fn regimen(
    kb: &Kb,
    request: &OrderSign,
    today: Date,
) -> (Regimen, PatientProfile, Vec<Unresolved>) {
    let mut unresolved = Vec::new();
    let mut items = Vec::new();
    let orders = [
        (&request.drafts, ItemStatus::New, "draft order"),
        (&request.active, ItemStatus::Active, "active medication"),
    ];
    for (orders, status, what) in orders {
        for order in orders {
            match link(kb, order, status) {
                Ok(item) => items.push(item),
                Err((label, reason)) => unresolved.push(Unresolved {
                    label,
                    what,
                    reason,
                }),
            }
        }
    }
    let mut allergies = Vec::new();
    for a in request.allergies.iter().filter(|a| allergy_applies(a)) {
        match allergy_text(kb, a) {
            Some(text) => allergies.push(text),
            None => unresolved.push(Unresolved {
                label: "unnamed allergy".into(),
                what: "allergy",
                reason: "it has neither a text nor a coding rxflow can read".into(),
            }),
        }
    }
    let profile = PatientProfile {
        age_years: request.patient.as_ref().and_then(|p| age_years(p, today)),
        allergies,
        ..PatientProfile::default()
    };
    (Regimen::new(items), profile, unresolved)
}

fn codings(concept: &Value) -> impl Iterator<Item = (&str, &str, Option<&str>)> {
    concept
        .get("coding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let system = c.get("system").and_then(Value::as_str).unwrap_or("");
            let code = c.get("code").and_then(Value::as_str)?;
            Some((system, code, c.get("display").and_then(Value::as_str)))
        })
}

/// `medicationCodeableConcept`, or the code of a contained Medication
/// that `medicationReference` points at.
fn medication_concept(order: &Value) -> Option<&Value> {
    if let Some(c) = order.get("medicationCodeableConcept") {
        return Some(c);
    }
    let reference = order
        .get("medicationReference")?
        .get("reference")?
        .as_str()?;
    let id = reference.strip_prefix('#')?;
    order
        .get("contained")?
        .as_array()?
        .iter()
        .find(|r| resource_type(r) == Some("Medication") && r.get("id") == Some(&json!(id)))?
        .get("code")
}

fn label_of(concept: &Value) -> Option<String> {
    concept
        .get("text")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            codings(concept)
                .next()
                .map(|(_, code, display)| display.unwrap_or(code).to_string())
        })
        .filter(|l| !l.trim().is_empty())
}

/// Ingredient RxCUIs (RxNorm `IN`) are in the KB; clinical-drug RxCUIs are
/// not, and fall through to the coding's display name.
fn by_rxcui(kb: &Kb, code: &str) -> Option<Vec<IngredientId>> {
    let rxcui: u32 = code.trim().parse().ok()?;
    let found: Vec<IngredientId> = (0..kb.counts().ingredients)
        .filter_map(|i| u32::try_from(i).ok().map(IngredientId))
        .filter(|&id| kb.ingredient(id).is_some_and(|g| g.rxcuis.contains(&rxcui)))
        .collect();
    (!found.is_empty()).then_some(found)
}

/// An NDC names one product exactly; anything but an NDC match is refused.
fn by_ndc(kb: &Kb, code: &str) -> Option<(Vec<IngredientId>, Option<u32>)> {
    let c = kb.resolve(code).ok()?;
    (c.match_kind == MatchKind::Ndc).then(|| {
        (
            c.ingredients.iter().map(|i| i.id).collect(),
            c.products.first().map(|p| p.index),
        )
    })
}

fn by_name(kb: &Kb, name: &str) -> Option<Vec<IngredientId>> {
    let c = kb.resolve(name).ok()?;
    let sure = matches!(c.match_kind, MatchKind::Exact | MatchKind::Folded)
        || c.confidence >= MIN_CONFIDENCE;
    sure.then(|| c.ingredients.iter().map(|i| i.id).collect())
}

/// Codes first (they are unambiguous), then the text and display names.
fn identify(kb: &Kb, concept: &Value) -> Option<(Vec<IngredientId>, Option<u32>)> {
    for (system, code, _) in codings(concept) {
        let found = match system {
            RXNORM => by_rxcui(kb, code).map(|ids| (ids, None)),
            NDC => by_ndc(kb, code),
            KB_INGREDIENT_SYSTEM => kb.ingredient_by_name(code).map(|id| (vec![id], None)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    let text = concept.get("text").and_then(Value::as_str);
    let displays = codings(concept).filter_map(|(_, _, display)| display);
    text.into_iter()
        .chain(displays)
        .find_map(|name| by_name(kb, name))
        .map(|ids| (ids, None))
}

fn link(kb: &Kb, order: &Value, status: ItemStatus) -> Result<RegimenItem, (String, String)> {
    let concept = medication_concept(order);
    let label = concept.and_then(label_of);
    let (Some(concept), Some(label)) = (concept, label) else {
        return Err((
            "unnamed medication".into(),
            "it has no medication code or name rxflow can read".into(),
        ));
    };
    let Some((ingredients, product)) = identify(kb, concept) else {
        return Err((
            label,
            "no code or name matches a drug in rxflow's knowledge base".into(),
        ));
    };
    let mut item = RegimenItem::new(label, ingredients, status);
    item.product = product;
    let dosage = order.get("dosageInstruction").and_then(|d| d.get(0));
    item.dose = dosage.and_then(dose);
    item.route = dosage.and_then(|d| d.get("route")).and_then(route);
    Ok(item)
}

fn dose_unit(unit: &str) -> Option<DoseUnit> {
    match unit {
        // UCUM spellings the clinical parser does not know.
        "[iU]" | "[IU]" => Some(DoseUnit::Units),
        "meq" | "mEq" | "meq/l" => Some(DoseUnit::Meq),
        other => other.parse().ok(),
    }
}

/// As intake counts written directions: an as-needed order at the
/// maximum it states (`maxDosePerPeriod`); a regular one at the amount
/// per administration (`doseAndRate[0]`) × times a day (the timing), or at
/// its maximum where that is larger. A dose that cannot be read is left
/// out: the dose check is then skipped for that item, the others still
/// run.
fn dose(dosage: &Value) -> Option<Dose> {
    match (max_dose(dosage), scheduled_dose(dosage)) {
        (Some(max), _) if as_needed(dosage) => Some(max),
        (Some(max), Some(scheduled)) if max.unit == scheduled.unit => {
            Some(if max.daily() >= scheduled.daily() {
                max
            } else {
                scheduled
            })
        }
        (max, scheduled) => max.or(scheduled),
    }
}

/// `asNeededBoolean` or `asNeededCodeableConcept` in FHIR R4, `asNeeded`
/// or `asNeededFor` in R5.
fn as_needed(dosage: &Value) -> bool {
    let flag = ["asNeededBoolean", "asNeeded"]
        .iter()
        .any(|k| dosage.get(k).and_then(Value::as_bool) == Some(true));
    flag || dosage.get("asNeededCodeableConcept").is_some() || dosage.get("asNeededFor").is_some()
}

fn scheduled_dose(dosage: &Value) -> Option<Dose> {
    let (amount, unit) = quantity(dosage.get("doseAndRate")?.get(0)?.get("doseQuantity")?)?;
    let times = times_per_day(dosage.get("timing")?)?;
    Dose::new(amount, unit, times).ok()
}

/// `maxDosePerPeriod`: one Ratio in FHIR R4, a list of them in R5.
fn max_dose(dosage: &Value) -> Option<Dose> {
    let ratio = match dosage.get("maxDosePerPeriod")? {
        Value::Array(ratios) => ratios.first()?,
        ratio => ratio,
    };
    let (amount, unit) = quantity(ratio.get("numerator")?)?;
    let period = ratio.get("denominator")?;
    let count = period.get("value").and_then(Value::as_f64).unwrap_or(1.0);
    let days = count * ucum_days(period)?;
    (days > 0.0)
        .then(|| Dose::new(amount, unit, 1.0 / days).ok())
        .flatten()
}

/// A Quantity's value and its unit as the checks know it.
fn quantity(quantity: &Value) -> Option<(f64, DoseUnit)> {
    let amount = quantity.get("value")?.as_f64()?;
    let unit = ["code", "unit"]
        .iter()
        .filter_map(|k| quantity.get(k)?.as_str())
        .find_map(dose_unit)?;
    Some((amount, unit))
}

/// A duration Quantity's unit in days.
fn ucum_days(quantity: &Value) -> Option<f64> {
    ["code", "unit"]
        .iter()
        .filter_map(|k| quantity.get(k)?.as_str())
        .find_map(unit_days)
}

fn unit_days(unit: &str) -> Option<f64> {
    Some(match unit {
        "s" => 1.0 / 86_400.0,
        "min" => 1.0 / 1440.0,
        "h" => 1.0 / 24.0,
        "d" => 1.0,
        "wk" => 7.0,
        "mo" => 30.4375,
        "a" => 365.25,
        _ => return None,
    })
}

fn times_per_day(timing: &Value) -> Option<f64> {
    let repeat = timing.get("repeat");
    let period = repeat.and_then(|r| r.get("period")).and_then(Value::as_f64);
    let unit = repeat
        .and_then(|r| r.get("periodUnit"))
        .and_then(Value::as_str)
        .and_then(unit_days);
    if let (Some(period), Some(days)) = (period, unit) {
        let frequency = repeat
            .and_then(|r| r.get("frequency"))
            .and_then(Value::as_f64)
            .unwrap_or(1.0);
        let span = period * days;
        return (span > 0.0).then(|| frequency / span);
    }
    let code = timing.get("code")?;
    codings(code)
        .map(|(_, c, _)| c)
        .chain(code.get("text").and_then(Value::as_str))
        .find_map(|c| per_day(c).ok())
}

fn snomed_route(code: &str) -> Option<Route> {
    Some(match code {
        "26643006" => Route::Oral,
        "37839007" => Route::Sublingual,
        "47625008" => Route::Intravenous,
        "78421000" => Route::Intramuscular,
        "34206005" => Route::Subcutaneous,
        "6064005" => Route::Topical,
        "45890007" => Route::Transdermal,
        "54485002" => Route::Ophthalmic,
        "10547007" => Route::Otic,
        "46713006" => Route::Nasal,
        "447694001" => Route::Inhalation,
        "37161004" => Route::Rectal,
        "16857009" => Route::Vaginal,
        _ => return None,
    })
}

fn route(concept: &Value) -> Option<Route> {
    let coded = codings(concept).find_map(|(system, code, display)| {
        (system == SNOMED)
            .then(|| snomed_route(code))
            .flatten()
            .or_else(|| display.and_then(|d| d.parse().ok()))
    });
    coded.or_else(|| concept.get("text")?.as_str()?.parse().ok())
}

fn status_code(r: &Value, key: &str) -> Option<String> {
    codings(r.get(key)?)
        .next()
        .map(|(_, code, _)| code.to_string())
}

/// Resolved, inactive, refuted or mistaken allergies are history, not risk.
fn allergy_applies(a: &Value) -> bool {
    let clinical = status_code(a, "clinicalStatus");
    let verification = status_code(a, "verificationStatus");
    !matches!(clinical.as_deref(), Some("inactive" | "resolved"))
        && !matches!(
            verification.as_deref(),
            Some("refuted" | "entered-in-error")
        )
}

/// One text per allergy: several names for one allergy would raise the
/// same finding several times.
fn allergy_text(kb: &Kb, a: &Value) -> Option<String> {
    let code = a.get("code")?;
    let text = code.get("text").and_then(Value::as_str);
    let display = codings(code).find_map(|(_, _, d)| d);
    let rxnorm = codings(code)
        .filter(|(system, _, _)| *system == RXNORM)
        .find_map(|(_, c, _)| by_rxcui(kb, c))
        .and_then(|ids| ids.first().map(|&id| kb.ingredient_name(id).to_string()));
    text.or(display)
        .map(str::to_string)
        .or(rxnorm)
        .filter(|t| !t.trim().is_empty())
}

/// Age in years from a full `birthDate`; partial dates are too coarse for
/// age-dependent doses and are ignored.
fn age_years(patient: &Value, today: Date) -> Option<f64> {
    let birth = patient.get("birthDate")?.as_str()?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let birth = Date::parse(birth, &format).ok()?;
    let days = (today - birth).whole_days();
    (days >= 0).then(|| days as f64 / 365.2425)
}

/// A CDS Hooks Coding (`overrideReasons`, `source.topic`, feedback reasons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Coding {
    pub system: String,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CardSource {
    pub label: String,
    pub topic: Coding,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Card {
    pub uuid: String,
    pub summary: String,
    pub indicator: CdsIndicator,
    pub detail: String,
    pub source: CardSource,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub override_reasons: Vec<Coding>,
    /// Not sent: the api stores it with the uuid, so feedback counts
    /// against the rule that fired.
    #[serde(skip)]
    pub rule_key: String,
}

/// The `order-sign` response body.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CdsResponse {
    pub cards: Vec<Card>,
}

/// A stable identifier of the rule behind a finding, for override-rate
/// statistics: the same rule firing for other patients gets the same key.
pub(crate) fn rule_key(finding: &Finding) -> String {
    let kind = kind_code(finding.kind).replace('_', "-");
    let source = finding.sources.first().map(|s| s.id.as_ref());
    let mut ingredients = finding.ingredients.clone();
    ingredients.sort();
    ingredients.dedup();
    let subject = match (finding.kind, source) {
        (FindingKind::Interaction | FindingKind::DuplicateIngredient, _)
        | (FindingKind::DoseAboveMaximum, _)
        | (FindingKind::Allergy, Some("allergy-same-ingredient") | None) => ingredients.join("+"),
        (_, Some(id)) => id.to_string(),
        (_, None) => ingredients.join("+"),
    };
    format!("{kind}:{subject}")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Text from the request goes into markdown; it must not format or link.
fn escape_markdown(s: &str) -> String {
    s.chars()
        .fold(String::with_capacity(s.len()), |mut out, c| {
            if "\\`*_{}[]()<>#+-.!|~".contains(c) {
                out.push('\\');
            }
            out.push(c);
            out
        })
}

fn source_name(source: &str) -> &'static str {
    match source {
        "ansm" => "ANSM interaction thesaurus 2020",
        "data/kb/us_supplement.toml" => "US label supplement",
        "data/kb/allergy_groups.toml" => "allergy cross-sensitivity groups",
        "data/kb/duplicate_therapy.toml" => "duplicate-therapy classes",
        "data/kb/max_daily_doses.csv" => "maximum daily doses",
        "fda_ndc" => "FDA NDC directory",
        _ => "built-in rules",
    }
}

/// Every source behind the finding: the text may come from one and the
/// severity from another.
fn source_label(f: &Finding) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in &f.sources {
        let name = source_name(&s.source);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return "rxflow knowledge base".into();
    }
    format!("rxflow knowledge base: {}", names.join(", "))
}

fn kind_display(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Interaction => "Drug interaction",
        FindingKind::DuplicateIngredient => "Duplicate ingredient",
        FindingKind::DuplicateTherapy => "Duplicate therapy",
        FindingKind::Allergy => "Allergy",
        FindingKind::DoseAboveMaximum => "Dose above maximum",
        FindingKind::ControlledSubstance => "Controlled substance",
    }
}

fn detail(f: &Finding) -> String {
    let mut parts = Vec::new();
    for (title, text) in [
        ("Mechanism", &f.mechanism),
        ("Management", &f.management),
        ("Evidence", &f.evidence),
    ] {
        if !text.trim().is_empty() {
            parts.push(format!("**{title}:** {}", text.trim()));
        }
    }
    if let Some(condition) = f.condition.as_deref().filter(|_| f.conditional) {
        parts.push(format!("**Condition not settled:** {condition}"));
    }
    if f.lang == Lang::Fr {
        parts.push("*Mechanism and management are quoted in French from the source.*".into());
    }
    let sources: Vec<String> = f
        .sources
        .iter()
        .map(|s| format!("- {} `{}`: {}", s.source, s.id, s.citation))
        .collect();
    if !sources.is_empty() {
        parts.push(format!("**Sources:**\n\n{}", sources.join("\n")));
    }
    parts.push(format!("Knowledge base snapshot `{}`.", f.snapshot_id));
    parts.join("\n\n")
}

fn card_uuid(hook_instance: &str, identity: &str) -> Uuid {
    Uuid::new_v5(
        &CARD_NAMESPACE,
        format!("{hook_instance}\n{identity}").as_bytes(),
    )
}

fn finding_card(f: &Finding, hook_instance: &str) -> (String, Card) {
    let key = rule_key(f);
    let mut drugs: Vec<&str> = f.drugs.iter().map(|d| d.as_ref()).collect();
    drugs.sort_unstable();
    let identity = format!("{key}|{}", drugs.join("|"));
    let card = Card {
        uuid: card_uuid(hook_instance, &identity).to_string(),
        summary: truncate(&f.summary, MAX_SUMMARY_CHARS),
        indicator: f.cds_indicator,
        detail: detail(f),
        source: CardSource {
            label: source_label(f),
            topic: Coding {
                system: FINDING_KIND_SYSTEM.into(),
                code: kind_code(f.kind).into(),
                display: Some(kind_display(f.kind).into()),
            },
        },
        override_reasons: f
            .override_reasons
            .iter()
            .map(|r| Coding {
                system: OVERRIDE_REASON_SYSTEM.into(),
                code: r.code.to_string(),
                display: Some(r.display.to_string()),
            })
            .collect(),
        rule_key: key,
    };
    (identity, card)
}

fn unresolved_card(u: &Unresolved, hook_instance: &str) -> (String, Card) {
    let identity = format!("not-checked|{}|{}", u.what, u.label);
    let card = Card {
        uuid: card_uuid(hook_instance, &identity).to_string(),
        summary: truncate(
            &format!("Not checked: {} ({})", u.label, u.what),
            MAX_SUMMARY_CHARS,
        ),
        indicator: CdsIndicator::Info,
        detail: format!(
            "rxflow could not check the {} **{}**: {}. Interactions, allergies and doses \
             involving it were not checked; review it by hand, or send it coded with \
             RxNorm or NDC.",
            u.what,
            escape_markdown(&u.label),
            u.reason
        ),
        source: CardSource {
            label: "rxflow medication safety".into(),
            topic: Coding {
                system: FINDING_KIND_SYSTEM.into(),
                code: "not_checked".into(),
                display: Some("Not checked".into()),
            },
        },
        override_reasons: Vec::new(),
        rule_key: "not-checked".into(),
    };
    (identity, card)
}

/// Cards for the findings (most severe first, as `Kb::check` orders them)
/// and one info card per thing left unchecked. A finding raised twice for
/// the same drugs (an allergy recorded under two names) gives one card.
pub(crate) fn cards(
    findings: &[Finding],
    unresolved: &[Unresolved],
    hook_instance: &str,
) -> CdsResponse {
    let mut seen = HashSet::new();
    let cards = findings
        .iter()
        .map(|f| finding_card(f, hook_instance))
        .chain(unresolved.iter().map(|u| unresolved_card(u, hook_instance)))
        .filter(|(identity, _)| seen.insert(identity.clone()))
        .map(|(_, card)| card)
        .collect();
    CdsResponse { cards }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Outcome {
    Accepted,
    Overridden,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OverrideReasonSent {
    pub reason: Option<Coding>,
    pub user_comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AcceptedSuggestion {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FeedbackSent {
    pub card: String,
    pub outcome: Outcome,
    pub override_reason: Option<OverrideReasonSent>,
    #[serde(default)]
    pub accepted_suggestions: Vec<AcceptedSuggestion>,
    pub outcome_timestamp: String,
}

/// The body of `POST /cds-services/{id}/feedback`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FeedbackRequest {
    pub feedback: Vec<FeedbackSent>,
}

/// One validated piece of feedback, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Feedback {
    pub card: Uuid,
    pub outcome: Outcome,
    /// One of rxflow's override reason codes.
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub at: OffsetDateTime,
}

impl FeedbackRequest {
    /// Parses and validates a feedback body.
    pub(crate) fn parse(body: &[u8]) -> Result<Vec<Feedback>, InteropError> {
        serde_json::from_slice::<FeedbackRequest>(body)
            .map_err(|e| InteropError::Malformed(e.to_string()))?
            .validate()
    }

    pub(crate) fn validate(self) -> Result<Vec<Feedback>, InteropError> {
        if self.feedback.is_empty() {
            return Err(InteropError::Missing("feedback"));
        }
        if self.feedback.len() > MAX_FEEDBACK {
            return Err(InteropError::TooMany {
                what: "feedback",
                count: self.feedback.len(),
                limit: MAX_FEEDBACK,
            });
        }
        self.feedback
            .into_iter()
            .enumerate()
            .map(|(i, f)| f.validate(&format!("feedback[{i}]")))
            .collect()
    }
}

fn known_reason(code: &str) -> bool {
    use FindingKind::*;
    [
        Interaction,
        DuplicateTherapy,
        Allergy,
        DoseAboveMaximum,
        ControlledSubstance,
    ]
    .into_iter()
    .flat_map(override_reasons)
    .any(|r| r.code == code)
}

impl FeedbackSent {
    fn validate(self, at: &str) -> Result<Feedback, InteropError> {
        let card = Uuid::try_parse(&self.card)
            .map_err(|_| InteropError::invalid(format!("{at}.card"), "not a card uuid"))?;
        let when = OffsetDateTime::parse(&self.outcome_timestamp, &Rfc3339).map_err(|_| {
            InteropError::invalid(format!("{at}.outcomeTimestamp"), "not an ISO 8601 instant")
        })?;
        // rxflow sends no suggestions, so none can have been accepted.
        if let Some(s) = self.accepted_suggestions.first() {
            return Err(InteropError::invalid(
                format!("{at}.acceptedSuggestions"),
                format!("rxflow cards carry no suggestion {:?}", truncate(&s.id, 64)),
            ));
        }
        let (reason, comment) = match (self.outcome, self.override_reason) {
            (Outcome::Accepted, Some(_)) => {
                return Err(InteropError::invalid(
                    format!("{at}.overrideReason"),
                    "an accepted card has no override reason",
                ));
            }
            (_, None) => (None, None),
            (Outcome::Overridden, Some(o)) => override_reason(o, at)?,
        };
        Ok(Feedback {
            card,
            outcome: self.outcome,
            reason,
            comment,
            at: when,
        })
    }
}

type ReasonAndComment = (Option<String>, Option<String>);

fn override_reason(o: OverrideReasonSent, at: &str) -> Result<ReasonAndComment, InteropError> {
    let field = format!("{at}.overrideReason");
    if let Some(comment) = &o.user_comment {
        limit_chars(&format!("{field}.userComment"), comment, MAX_COMMENT_CHARS)?;
    }
    let reason = match o.reason {
        Some(r) if r.system == OVERRIDE_REASON_SYSTEM && known_reason(&r.code) => Some(r.code),
        Some(_) => {
            return Err(InteropError::invalid(
                format!("{field}.reason"),
                "not one of the card's overrideReasons",
            ));
        }
        None => None,
    };
    Ok((reason, o.user_comment))
}
