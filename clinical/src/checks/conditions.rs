//! Settles a rule's condition (dose, route, context) against what is known
//! about the regimen and the patient. Curated conditions are short English
//! phrases; only what can be read reliably is evaluated, everything else
//! stays `Unknown` and is shown to the pharmacist with the finding.

use crate::model::{IngredientId, Rule};
use crate::regimen::{DoseUnit, PatientProfile, RegimenItem, Route};
use crate::sources::curated::ConditionKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Met,
    NotMet,
    Unknown,
}

/// The routes a condition names, if any.
fn routes_named(text: &str) -> Vec<fn(Route) -> bool> {
    let t = text.to_ascii_lowercase();
    let mut v: Vec<fn(Route) -> bool> = Vec::new();
    if t.contains("intravenous")
        || t.contains(" iv ")
        || t.starts_with("iv ")
        || t.contains("parenteral")
    {
        v.push(Route::is_parenteral);
    }
    if t.contains("oral") {
        v.push(|r| r == Route::Oral);
    }
    if t.contains("systemic") {
        v.push(Route::is_systemic);
    }
    if t.contains("topical") {
        v.push(|r| r == Route::Topical);
    }
    v
}

/// "above 20 mg/day", "more than 3 g per day", "2 g/day or more" → (limit in mg, inclusive).
fn dose_threshold(text: &str) -> Option<(f64, bool)> {
    let t = text.to_ascii_lowercase().replace("/day", " per day");
    let words: Vec<&str> = t.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let Ok(value) = w.parse::<f64>() else {
            continue;
        };
        let unit: DoseUnit = words.get(i + 1).and_then(|u| u.parse().ok())?;
        let mg = unit.convert(value, DoseUnit::Mg)?;
        let before = if i >= 2 {
            format!("{} {}", words[i - 2], words[i - 1])
        } else {
            String::new()
        };
        let after = words.get(i + 2..).map(|w| w.join(" ")).unwrap_or_default();
        if before.ends_with("above") || before.ends_with("than") || before.ends_with("over") {
            return Some((mg, false));
        }
        if after.contains("or more") {
            return Some((mg, true));
        }
    }
    None
}

/// The item the condition talks about: the one whose ingredient it names.
/// Which of the pair the condition names.
fn subject(text: &str, names: [&str; 2]) -> Option<usize> {
    let t = text.to_ascii_lowercase();
    (0..2).find(|&k| t.contains(names[k]))
}

pub(crate) fn evaluate(
    rule: &Rule,
    items: [&RegimenItem; 2],
    ids: [IngredientId; 2],
    names: [&str; 2],
    profile: &PatientProfile,
) -> Status {
    let (Some(text), Some(kind)) = (rule.condition.as_deref(), rule.condition_kind) else {
        return Status::Met;
    };
    match kind {
        ConditionKind::Route => {
            let tests = routes_named(text);
            let routes: Vec<Route> = match subject(text, names) {
                Some(k) => items[k].route.into_iter().collect(),
                None => items.iter().filter_map(|i| i.route).collect(),
            };
            if tests.is_empty() || routes.is_empty() {
                Status::Unknown
            } else if routes.iter().any(|r| tests.iter().any(|t| t(*r))) {
                Status::Met
            } else {
                Status::NotMet
            }
        }
        ConditionKind::Dose => {
            let (Some((limit, inclusive)), Some(k)) = (dose_threshold(text), subject(text, names))
            else {
                return Status::Unknown;
            };
            // The named ingredient's own dose, also inside a combination.
            let Some(daily) = items[k]
                .dose_of(ids[k])
                .and_then(|d| d.unit.convert(d.daily(), DoseUnit::Mg))
            else {
                return Status::Unknown;
            };
            if daily > limit || (inclusive && daily >= limit) {
                Status::Met
            } else {
                Status::NotMet
            }
        }
        ConditionKind::Context => {
            let t = text.to_ascii_lowercase();
            let organ = match (t.contains("renal"), t.contains("hepatic")) {
                (true, true) => profile
                    .renal_impairment
                    .zip(profile.hepatic_impairment)
                    .map(|(r, h)| r || h),
                (true, false) => profile.renal_impairment,
                (false, true) => profile.hepatic_impairment,
                (false, false) => return Status::Unknown,
            };
            match organ {
                Some(true) => Status::Met,
                Some(false) => Status::NotMet,
                None => Status::Unknown,
            }
        }
        ConditionKind::Duration => Status::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dose_thresholds() {
        assert_eq!(
            dose_threshold("simvastatin dose above 20 mg/day"),
            Some((20.0, false))
        );
        assert_eq!(
            dose_threshold("regular use of about 2 g/day or more for several days"),
            Some((2000.0, true))
        );
        assert_eq!(
            dose_threshold("highest risk with oncology (high) doses"),
            None
        );
    }

    #[test]
    fn reads_routes() {
        let t = routes_named("systemic (oral or parenteral) corticosteroid");
        assert!(t.iter().any(|f| f(Route::Oral)));
        assert!(!t.iter().any(|f| f(Route::Inhalation)));
    }
}
