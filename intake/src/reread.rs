//! Values for fields a pharmacist corrected: the text they typed goes
//! through the same parsers and linking as a machine reading, so a
//! corrected field has the same shape as an extracted one.

use rxflow_clinical::Kb;
use rxflow_clinical::codes::{Dea, Npi};
use serde_json::Value;

use crate::extract::{DOB_PIVOT, iso, ndc_value};
use crate::link;
use crate::parse;
use crate::prescription::Dispense;

/// Which field a text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    PatientName,
    Dob,
    WrittenDate,
    PrescriberName,
    Npi,
    Dea,
    Drug,
    Strength,
    Form,
    Route,
    Sig,
    Quantity,
    Refills,
    Ndc,
}

/// The normalised value of `text` for `kind`, or `None` when it does not
/// parse. A drug is linked with its item's strength and form texts.
pub fn reread(kind: FieldKind, text: &str, kb: &Kb, strength: &str, form: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let json = |v: Option<String>| v.map(Value::String);
    match kind {
        FieldKind::PatientName | FieldKind::PrescriberName => {
            json(Some(text.split_whitespace().collect::<Vec<_>>().join(" ")))
        }
        FieldKind::Dob => json(parse::parse_date_with_pivot(text, DOB_PIVOT).map(iso)),
        FieldKind::WrittenDate => json(parse::parse_date(text).map(iso)),
        FieldKind::Npi => {
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            json(Npi::parse(&digits).ok().map(|n| n.as_str().to_string()))
        }
        FieldKind::Dea => json(
            Dea::parse(&text.replace([' ', '-'], ""))
                .ok()
                .map(|d| d.as_str().to_string()),
        ),
        FieldKind::Drug => {
            link::link(kb, text, strength, form).and_then(|l| serde_json::to_value(l.drug).ok())
        }
        FieldKind::Strength => {
            parse::parse_strength(text).and_then(|s| serde_json::to_value(s.strength).ok())
        }
        FieldKind::Form => json(parse::parse_dose_form(text).map(|f| f.as_str().to_string())),
        FieldKind::Route => json(parse::parse_route(text).map(|r| r.route.as_str().to_string())),
        FieldKind::Sig => parse::parse_sig(text)
            .ok()
            .and_then(|s| serde_json::to_value(s).ok()),
        FieldKind::Quantity => parse::parse_quantity(text)
            .map(|q| Dispense {
                quantity: q.quantity.value(),
                unit: q.quantity.unit().map(|u| u.as_str().to_string()),
            })
            .and_then(|d| serde_json::to_value(d).ok()),
        FieldKind::Refills => parse::parse_refills(text)
            .or_else(|| parse::parse_refills(&format!("Refills: {text}")))
            .or_else(|| text.eq_ignore_ascii_case("none").then_some(0))
            .map(Value::from),
        FieldKind::Ndc => json(ndc_value(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> Option<Kb> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
        Kb::open_current(&rxflow_clinical::default_root(&root)).ok()
    }

    #[test]
    fn corrected_texts_normalise_like_readings() {
        let Some(kb) = kb() else {
            panic!("the knowledge base is missing: run `rxflow kb build`");
        };
        let r = |k, t| reread(k, t, &kb, "", "");
        assert_eq!(r(FieldKind::Refills, "2"), Some(Value::from(2)));
        assert_eq!(r(FieldKind::Refills, "none"), Some(Value::from(0)));
        assert_eq!(
            r(FieldKind::Dob, "03/17/1944"),
            Some(Value::from("1944-03-17"))
        );
        assert_eq!(r(FieldKind::Form, "TAB"), Some(Value::from("tablet")));
        assert_eq!(r(FieldKind::Npi, "1234567890"), None, "bad check digit");
        let qty = r(FieldKind::Quantity, "#30 tablets").unwrap_or_default();
        assert_eq!(qty["quantity"], 30.0);
        let drug = reread(
            FieldKind::Drug,
            "Hydrochlorothiazide",
            &kb,
            "25 mg",
            "tablet",
        );
        assert!(drug.is_some_and(|d| {
            d["name"]
                .as_str()
                .is_some_and(|n| n.contains("hydrochlorothiazide"))
        }));
        assert_eq!(r(FieldKind::Sig, "   "), None);
    }
}
