//! What an approval must carry, and what is signed. Every finding of
//! moderate severity or above (and every allergy) needs a coded override
//! reason from the finding's own list; every low-confidence field and every
//! identity flag needs an explicit confirmation; every item needs what a
//! fill needs. The signature binds the signer, the time and the meaning to
//! the SHA-256 of exactly the record that was decided.

use rxflow_pharmacy::prescriptions::NewItem;
use rxflow_pharmacy::reviews::Verdict;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Assessment;
use super::checks::needs_override;
use super::sheet::Sheet;
use crate::error::ApiError;

pub const APPROVAL_MEANING: &str = "verified for dispensing";
pub const REJECTION_MEANING: &str = "rejected at pharmacist verification";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: Verdict,
    /// Re-entered: the electronic signature.
    pub password: String,
    pub reason: Option<String>,
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Field keys (`items.0.sig`) and flag codes (`flag:PATIENT_MISMATCH`).
    #[serde(default)]
    pub confirmations: Vec<String>,
    /// Stocked product per item, where the pharmacist picks it.
    #[serde(default)]
    pub products: Vec<ProductChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The finding's key.
    pub finding: String,
    /// One of the finding's override reason codes.
    pub reason: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductChoice {
    pub item: usize,
    pub product_id: i64,
}

/// Refuses an approval that leaves anything unanswered, naming all of it.
pub fn check_approval(
    request: &DecisionRequest,
    sheet: &Sheet,
    assessment: &Assessment,
) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    for r in &assessment.findings {
        let given = request.overrides.iter().find(|o| o.finding == r.key);
        match given {
            None if needs_override(&r.finding) => problems.push(format!(
                "finding {} ({}) needs an override reason",
                r.key,
                r.finding.severity.as_str()
            )),
            Some(o)
                if !r
                    .finding
                    .override_reasons
                    .iter()
                    .any(|c| c.code == o.reason) =>
            {
                problems.push(format!(
                    "{:?} is not an override reason for {}",
                    o.reason, r.key
                ))
            }
            _ => {}
        }
    }
    for o in &request.overrides {
        if !assessment.findings.iter().any(|r| r.key == o.finding) {
            problems.push(format!("there is no finding {:?}", o.finding));
        }
    }
    let confirmed = |key: &str| request.confirmations.iter().any(|c| c == key);
    for field in sheet.to_confirm() {
        if !confirmed(&field.key) && !field.value.is_null() {
            problems.push(format!("{} ({}) must be confirmed", field.label, field.key));
        }
    }
    for flag in &assessment.flags {
        let key = format!("flag:{}", flag.code);
        if !confirmed(&key) {
            problems.push(format!("{} must be confirmed ({key})", flag.message));
        }
    }
    for i in 0..sheet.items {
        for key in sheet.missing(i) {
            problems.push(format!("{key} is missing; correct it before approving"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(format!(
            "the approval is incomplete: {}",
            problems.join("; ")
        )))
    }
}

/// The hash the signature binds to: the record exactly as decided.
pub fn record_sha256(
    prescription_id: i64,
    sheet: &Sheet,
    assessment: &Assessment,
    request: &DecisionRequest,
    signer: &str,
    meaning: &str,
) -> String {
    let record = json!({
        "prescription_id": prescription_id,
        "sheet": sheet,
        "assessment": assessment,
        "decision": request.decision,
        "reason": request.reason,
        "overrides": request.overrides,
        "confirmations": request.confirmations,
        "signer": signer,
        "meaning": meaning,
    });
    hex::encode(Sha256::digest(record.to_string().as_bytes()))
}

/// Item `i` of the sheet as something to fill.
pub fn item(sheet: &Sheet, i: usize, product_id: Option<i64>) -> Result<NewItem, ApiError> {
    let key = |f: &str| format!("items.{i}.{f}");
    let drug = sheet.value(&key("drug"));
    let name = drug
        .and_then(|d| d.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| sheet.text(&key("drug")));
    let quantity = sheet
        .value(&key("dispense"))
        .and_then(|d| d.get("quantity"))
        .and_then(Value::as_f64)
        .filter(|q| q.fract() == 0.0 && *q >= 1.0)
        .ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "{}: the quantity must be a whole number of units",
                key("dispense")
            ))
        })?;
    let refills = sheet
        .value(&key("refills"))
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::Unprocessable(format!("{} is missing", key("refills"))))?;
    let optional = |f: &str| Some(sheet.text(&key(f))).filter(|t| !t.is_empty());
    let mut new = NewItem::parse(name, sheet.text(&key("sig")), quantity as i64, refills)?
        .with_details(
            optional("strength"),
            sheet
                .value(&key("form"))
                .and_then(Value::as_str)
                .or(optional("form")),
            sheet
                .value(&key("route"))
                .and_then(Value::as_str)
                .or(optional("route")),
        )?;
    new.drug_id = drug
        .and_then(|d| d.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    new.product_id = product_id;
    Ok(new)
}
