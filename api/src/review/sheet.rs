//! The review sheet: the machine's reading laid out as the pharmacist checks
//! it, one entry per field with its box on the image, its confidence and its
//! alternatives. Corrections replace an entry's text and re-derive its value
//! through the same parsers, keeping what it was and who changed it.

use rxflow_clinical::Kb;
use rxflow_intake::prescription::{ExtractedPrescription, Field};
use rxflow_intake::reread::{FieldKind, reread};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

/// Below this a field must be confirmed before approval.
pub const CONFIRM_BELOW: f32 = 0.85;

/// Fields an item cannot be filled without.
const REQUIRED: [&str; 4] = ["drug", "sig", "dispense", "refills"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub fields: Vec<SheetField>,
    pub items: usize,
    pub flags: Vec<SheetFlag>,
    pub lines: Vec<SheetLine>,
    /// Why the machine could not read the photo, when it could not.
    pub failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetField {
    /// `patient.name`, `items.0.drug`, …
    pub key: String,
    pub label: String,
    pub text: String,
    pub value: Value,
    pub confidence: f32,
    /// x0, y0, x1, y1 in the stored image's pixels.
    pub bbox: [f32; 4],
    pub alternatives: Vec<String>,
    pub needs_confirmation: bool,
    pub corrected: Option<Correction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub by: String,
    pub at: String,
    pub was: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetFlag {
    pub code: String,
    pub message: String,
    pub bbox: [f32; 4],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetLine {
    pub text: String,
    pub bbox: [f32; 4],
    pub confidence: f32,
}

impl Sheet {
    pub fn from_reading(rx: &ExtractedPrescription) -> Sheet {
        let mut fields = vec![
            entry("patient.name", "Patient", &rx.patient.name),
            entry("patient.dob", "Date of birth", &rx.patient.dob),
            entry("prescriber.name", "Prescriber", &rx.prescriber.name),
            entry("prescriber.npi", "Prescriber NPI", &rx.prescriber.npi),
            entry("prescriber.dea", "Prescriber DEA", &rx.prescriber.dea),
            entry("written_date", "Date written", &rx.written_date),
        ];
        for (i, item) in rx.items.iter().enumerate() {
            let n = i + 1;
            let key = |f: &str| format!("items.{i}.{f}");
            fields.extend([
                entry(&key("drug"), &format!("Drug ({n})"), &item.drug),
                entry(&key("strength"), &format!("Strength ({n})"), &item.strength),
                entry(&key("form"), &format!("Form ({n})"), &item.form),
                entry(&key("route"), &format!("Route ({n})"), &item.route),
                entry(&key("sig"), &format!("Directions ({n})"), &item.sig),
                entry(&key("dispense"), &format!("Quantity ({n})"), &item.dispense),
                entry(&key("refills"), &format!("Refills ({n})"), &item.refills),
                entry(&key("ndc"), &format!("NDC ({n})"), &item.ndc),
            ]);
        }
        for field in &mut fields {
            field.needs_confirmation = needs_confirmation(field);
        }
        Sheet {
            fields,
            items: rx.items.len(),
            flags: rx
                .flags
                .iter()
                .map(|f| SheetFlag {
                    code: f.code.clone(),
                    message: f.message.clone(),
                    bbox: f.bbox,
                })
                .collect(),
            lines: rx
                .lines
                .iter()
                .map(|l| SheetLine {
                    text: l.text.clone(),
                    bbox: l.bbox,
                    confidence: l.confidence,
                })
                .collect(),
            failure: None,
        }
    }

    /// The sheet of a photo the machine could not read: one empty item for
    /// the pharmacist to fill in from the image.
    pub fn unread(reason: &str) -> Sheet {
        let mut sheet = Sheet::from_reading(&ExtractedPrescription {
            items: vec![Default::default()],
            ..Default::default()
        });
        sheet.failure = Some(reason.to_string());
        sheet
    }

    pub fn field(&self, key: &str) -> Option<&SheetField> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn text(&self, key: &str) -> &str {
        self.field(key).map_or("", |f| f.text.as_str())
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.field(key).map(|f| &f.value).filter(|v| !v.is_null())
    }

    /// Fields the pharmacist must confirm (or correct) before approving.
    pub fn to_confirm(&self) -> impl Iterator<Item = &SheetField> {
        self.fields.iter().filter(|f| f.needs_confirmation)
    }

    /// Replaces a field's text; its value is re-derived, and a corrected
    /// drug is re-linked with its item's strength and form.
    pub fn correct(
        &mut self,
        key: &str,
        text: &str,
        kb: &Kb,
        by: &str,
        at: &str,
    ) -> Result<(), ApiError> {
        let kind = kind_of(key).ok_or_else(|| {
            ApiError::Unprocessable(format!("{key:?} is not a field of this sheet"))
        })?;
        if text.chars().count() > 500 || text.chars().any(char::is_control) {
            return Err(ApiError::Unprocessable(format!(
                "{key}: at most 500 printable characters"
            )));
        }
        let item = key
            .strip_suffix(key.rsplit('.').next().unwrap_or_default())
            .unwrap_or_default();
        let strength = self.text(&format!("{item}strength")).to_string();
        let form = self.text(&format!("{item}form")).to_string();
        let value = reread(kind, text, kb, &strength, &form).unwrap_or(Value::Null);
        let field = self
            .fields
            .iter_mut()
            .find(|f| f.key == key)
            .ok_or_else(|| {
                ApiError::Unprocessable(format!("{key:?} is not a field of this sheet"))
            })?;
        field.corrected = Some(Correction {
            by: by.to_string(),
            at: at.to_string(),
            was: field.text.clone(),
        });
        field.text = text.trim().to_string();
        field.value = value;
        field.confidence = 1.0;
        field.alternatives.clear();
        field.needs_confirmation = false;
        Ok(())
    }

    /// What still keeps item `i` from being filled.
    pub fn missing(&self, i: usize) -> Vec<String> {
        REQUIRED
            .iter()
            .map(|f| format!("items.{i}.{f}"))
            .filter(|k| self.value(k).is_none())
            .collect()
    }
}

fn entry<T: Serialize>(key: &str, label: &str, f: &Field<T>) -> SheetField {
    SheetField {
        key: key.to_string(),
        label: label.to_string(),
        text: f.text.clone(),
        value: f
            .value
            .as_ref()
            .and_then(|v| serde_json::to_value(v).ok())
            .unwrap_or(Value::Null),
        confidence: f.confidence,
        bbox: f.bbox,
        alternatives: f.alternatives.clone(),
        needs_confirmation: false,
        corrected: None,
    }
}

/// A reading below the threshold must be confirmed; so must a required
/// field that is missing (it must then be corrected, as nothing can confirm
/// an empty drug). Optional fields left blank (no DEA on a non-controlled
/// prescription) need nothing.
fn needs_confirmation(field: &SheetField) -> bool {
    let required = REQUIRED
        .iter()
        .any(|r| field.key.ends_with(&format!(".{r}")));
    let found = !field.text.is_empty() || !field.value.is_null();
    (found && field.confidence < CONFIRM_BELOW) || (required && field.value.is_null())
}

fn kind_of(key: &str) -> Option<FieldKind> {
    let last = key.rsplit('.').next()?;
    Some(match (key.split('.').next()?, last) {
        ("patient", "name") => FieldKind::PatientName,
        ("patient", "dob") => FieldKind::Dob,
        ("prescriber", "name") => FieldKind::PrescriberName,
        ("prescriber", "npi") => FieldKind::Npi,
        ("prescriber", "dea") => FieldKind::Dea,
        ("written_date", _) => FieldKind::WrittenDate,
        ("items", "drug") => FieldKind::Drug,
        ("items", "strength") => FieldKind::Strength,
        ("items", "form") => FieldKind::Form,
        ("items", "route") => FieldKind::Route,
        ("items", "sig") => FieldKind::Sig,
        ("items", "dispense") => FieldKind::Quantity,
        ("items", "refills") => FieldKind::Refills,
        ("items", "ndc") => FieldKind::Ndc,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unread_photo_asks_for_every_required_field() {
        let sheet = Sheet::unread("blurred");
        assert_eq!(sheet.items, 1);
        let keys: Vec<&str> = sheet.to_confirm().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "items.0.drug",
                "items.0.sig",
                "items.0.dispense",
                "items.0.refills"
            ]
        );
        assert_eq!(sheet.missing(0).len(), 4);
        assert_eq!(sheet.failure.as_deref(), Some("blurred"));
    }

    #[test]
    fn field_keys_map_to_kinds() {
        assert_eq!(kind_of("items.3.dispense"), Some(FieldKind::Quantity));
        assert_eq!(kind_of("patient.dob"), Some(FieldKind::Dob));
        assert_eq!(kind_of("items.0.colour"), None);
        assert_eq!(kind_of("nonsense"), None);
    }
}
