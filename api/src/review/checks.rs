//! The clinical checks of a review sheet against the patient's profile: the
//! sheet's items are the new drugs, the profile's active medications the
//! current ones, and its allergies and conditions the context.

use rxflow_clinical::{
    Finding, FindingKind, ItemStatus, Kb, PatientProfile, Regimen, RegimenItem, Severity,
};
use rxflow_intake::dose::{daily_doses, schedule_over_max};
use rxflow_intake::parse::{Route, parse_route, parse_sig, parse_strength};
use rxflow_pharmacy::patients::PatientProfile as Record;
use serde::{Deserialize, Serialize};
use time::Date;

use super::sheet::{CONFIRM_BELOW, Sheet, SheetFlag};

/// A name that links below this is not trusted to stand for the drug.
const LINK_MIN: f32 = 0.85;

/// A finding as stored with a review, under a key stable across re-checks,
/// so an override given to it survives corrections elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    pub key: String,
    #[serde(flatten)]
    pub finding: Finding,
}

/// The outcome of checking a sheet.
pub struct Checked {
    pub findings: Vec<Reviewed>,
    /// Flags about the patient and the drugs that are not clinical findings.
    pub flags: Vec<SheetFlag>,
    pub flagged: bool,
    pub risk: i64,
}

pub fn check(kb: &Kb, sheet: &Sheet, record: Option<&Record>, today: Date) -> Checked {
    let mut items: Vec<RegimenItem> = (0..sheet.items)
        .filter_map(|i| new_item(kb, sheet, i))
        .collect();
    let mut profile = PatientProfile::default();
    let mut flags = contradicting_directions(sheet);
    if let Some(record) = record {
        items.extend(current_items(kb, record, &mut flags));
        profile = clinical_profile(record, today);
        flags.extend(identity_flags(sheet, record));
    }
    let findings: Vec<Reviewed> = kb
        .check(&Regimen::new(items), &profile)
        .into_iter()
        .map(|finding| Reviewed {
            key: finding_key(&finding),
            finding,
        })
        .collect();
    let risk = findings
        .iter()
        .map(|f| rank(f.finding.severity))
        .max()
        .unwrap_or(0);
    let unsure = sheet
        .fields
        .iter()
        .any(|f| f.needs_confirmation && f.confidence < CONFIRM_BELOW);
    Checked {
        flagged: risk >= rank(Severity::Major) || unsure || sheet.failure.is_some(),
        findings,
        flags,
        risk,
    }
}

/// Kind and ingredients: the same hazard keeps its key when the sheet is
/// corrected elsewhere.
pub fn finding_key(f: &Finding) -> String {
    let kind = serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let mut ingredients = f.ingredients.clone();
    ingredients.sort();
    format!("{kind}:{}", ingredients.join("+"))
}

pub fn rank(severity: Severity) -> i64 {
    match severity {
        Severity::Minor => 1,
        Severity::Moderate => 2,
        Severity::Major => 3,
        Severity::Contraindicated => 4,
    }
}

fn new_item(kb: &Kb, sheet: &Sheet, i: usize) -> Option<RegimenItem> {
    let drug = sheet.value(&format!("items.{i}.drug"))?;
    let ids = drug.get("id")?.as_str()?;
    let ingredients = ids
        .split('+')
        .filter_map(|id| id.parse::<u32>().ok())
        .map(rxflow_clinical::IngredientId)
        .filter(|id| kb.ingredient(*id).is_some())
        .collect::<Vec<_>>();
    let label = drug
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or(ids)
        .to_string();
    let item =
        (!ingredients.is_empty()).then(|| RegimenItem::new(label, ingredients, ItemStatus::New))?;
    let text = |field: &str| sheet.text(&format!("items.{i}.{field}"));
    Some(as_written(
        kb,
        item,
        Written {
            strength: text("strength"),
            sig: text("sig"),
            route: text("route"),
        },
    ))
}

/// An item's strength, directions and route as written: on the sheet (as
/// the pharmacist corrected it), or on the patient's medication list.
struct Written<'a> {
    strength: &'a str,
    sig: &'a str,
    route: &'a str,
}

/// The item with the route and the day's dose of each ingredient that its
/// written words give, so dose limits and conditional rules (which differ
/// by route and dose) are checked on what the patient takes.
fn as_written(kb: &Kb, item: RegimenItem, written: Written) -> RegimenItem {
    let sig = parse_sig(written.sig).ok();
    // The route as written, or as the directions give it ("inhale").
    let route: Option<Route> = parse_route(written.route)
        .map(|r| r.route)
        .or_else(|| sig.as_ref()?.route);
    let item = match route {
        Some(route) => item.with_route(route),
        None => item,
    };
    let strength = parse_strength(written.strength).map(|s| s.strength);
    let doses = sig
        .and_then(|sig| daily_doses(&sig, strength.as_ref()))
        .unwrap_or_default();
    match (item.ingredients.as_slice(), doses.as_slice()) {
        ([_], [dose]) => item.with_dose(*dose),
        ([_, _, ..], _) => match kb.split_combination(&item.ingredients, &doses) {
            Some(split) => item.with_ingredient_doses(split),
            None => item,
        },
        _ => item,
    }
}

fn current_items(kb: &Kb, record: &Record, flags: &mut Vec<SheetFlag>) -> Vec<RegimenItem> {
    record
        .active_medications
        .iter()
        .filter_map(|m| {
            let query = format!("{} {}", m.drug, m.strength.as_deref().unwrap_or(""));
            let best = kb
                .resolve(query.trim())
                .ok()
                .filter(|c| c.confidence >= LINK_MIN);
            if best.is_none() {
                flags.push(SheetFlag {
                    code: "PROFILE_DRUG_UNCHECKED".into(),
                    message: format!("'{}' on the patient's medication list is not in the drug database; it was not checked", m.drug),
                    bbox: [0.; 4],
                });
            }
            let c = best?;
            let ids = c.ingredients.iter().map(|i| i.id).collect();
            let item = RegimenItem::new(m.drug.clone(), ids, ItemStatus::Active);
            let written = Written {
                strength: m.strength.as_deref().unwrap_or(""),
                sig: m.sig.as_deref().unwrap_or(""),
                route: "",
            };
            Some(as_written(kb, item, written))
        })
        .collect()
}

fn clinical_profile(record: &Record, today: Date) -> PatientProfile {
    let dob = rxflow_pharmacy::clock::parse_date("dob", &record.patient.dob).ok();
    let codes: Vec<&str> = record
        .conditions
        .iter()
        .filter_map(|c| c.code.as_deref())
        .collect();
    let any = |prefixes: &[&str]| {
        codes
            .iter()
            .any(|c| prefixes.iter().any(|p| c.starts_with(p)))
    };
    PatientProfile {
        age_years: dob.map(|d| (today - d).whole_days() as f64 / 365.25),
        weight_kg: None,
        allergies: record
            .allergies
            .iter()
            .map(|a| a.allergen.clone())
            .collect(),
        // ICD-10: chronic kidney disease and kidney failure; liver disease.
        renal_impairment: any(&["N18", "N17", "N19"]).then_some(true),
        hepatic_impairment: any(&["K70", "K72", "K74", "K76"]).then_some(true),
    }
}

/// The patient on the photo should be the account's patient: a different
/// date of birth is flagged for the pharmacist.
fn identity_flags(sheet: &Sheet, record: &Record) -> Vec<SheetFlag> {
    let Some(field) = sheet.field("patient.dob") else {
        return Vec::new();
    };
    match field.value.as_str() {
        Some(dob) if dob != record.patient.dob => vec![SheetFlag {
            code: "PATIENT_MISMATCH".into(),
            message: format!(
                "the prescription's date of birth {dob} is not the account holder's ({})",
                record.patient.dob
            ),
            bbox: field.bbox,
        }],
        _ => Vec::new(),
    }
}

/// Regular directions that give more a day than the maximum they state:
/// which the prescriber meant is theirs to say, so neither is assumed.
fn contradicting_directions(sheet: &Sheet) -> Vec<SheetFlag> {
    (0..sheet.items)
        .filter_map(|i| {
            let key = format!("items.{i}.sig");
            let sig = parse_sig(sheet.text(&key)).ok()?;
            let (per_day, max) = schedule_over_max(&sig)?;
            let unit = sig.dose.map_or("", |d| d.unit().as_str());
            Some(SheetFlag {
                code: "SIG_OVER_OWN_MAX".into(),
                message: format!(
                    "directions ({}): the schedule gives {per_day} a day, above their own maximum of {max} ({unit}); ask the prescriber which is meant",
                    i + 1
                ),
                bbox: sheet.field(&key).map_or([0.; 4], |f| f.bbox),
            })
        })
        .collect()
}

/// Findings the pharmacist must answer with a coded reason before approval.
pub fn needs_override(f: &Finding) -> bool {
    f.severity >= Severity::Moderate || f.kind == FindingKind::Allergy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::test_kb::kb;

    fn sheet(drug: &str, strength: &str, sig: &str) -> Sheet {
        let form = if strength.contains("mL") {
            "suspension"
        } else if strength.contains("spray") {
            "nasal spray"
        } else {
            "tablet"
        };
        let mut sheet = Sheet::unread("typed in by the pharmacist");
        for (key, text) in [
            ("items.0.strength", strength),
            ("items.0.form", form),
            ("items.0.drug", drug),
            ("items.0.sig", sig),
        ] {
            assert!(
                sheet
                    .correct(key, text, kb(), "rph", "2026-11-22T10:00:00Z")
                    .is_ok()
            );
        }
        sheet
    }

    #[test]
    fn the_written_dose_is_checked_against_the_daily_maximum() {
        let today = Date::from_calendar_date(2026, time::Month::November, 22).unwrap_or(Date::MIN);
        let high = sheet(
            "acetaminophen",
            "500 mg",
            "take 2 tablets by mouth every 4 hours",
        );
        let checked = check(kb(), &high, None, today);
        assert!(
            checked
                .findings
                .iter()
                .any(|r| r.finding.kind == FindingKind::DoseAboveMaximum),
            "6 g a day of acetaminophen"
        );
        let usual = sheet(
            "acetaminophen",
            "500 mg",
            "take 2 tablets by mouth every 6 hours",
        );
        let checked = check(kb(), &usual, None, today);
        assert!(
            checked
                .findings
                .iter()
                .all(|r| r.finding.kind != FindingKind::DoseAboveMaximum),
            "4 g a day is the limit, not over it"
        );
    }

    #[test]
    fn a_schedule_past_its_own_maximum_is_flagged_and_counted_as_scheduled() {
        let today = Date::from_calendar_date(2026, time::Month::November, 22).unwrap_or(Date::MIN);
        let codes = |sig: &str| -> Vec<String> {
            check(kb(), &sheet("acetaminophen", "500 mg", sig), None, today)
                .flags
                .into_iter()
                .map(|f| f.code)
                .collect()
        };
        let contradicting = "take 2 tablets by mouth every 4 hours, max 8 tablets/day";
        assert_eq!(codes(contradicting), ["SIG_OVER_OWN_MAX"]);
        assert_eq!(
            over_the_limit(&sheet("acetaminophen", "500 mg", contradicting), None),
            ["acetaminophen"],
            "6 g a day as scheduled, though the maximum says 4 g"
        );
        assert!(codes("1-2 tabs po q4-6h prn pain, max 8 tabs/day").is_empty());
        assert!(codes("take 2 tablets by mouth every 6 hours, max 8 tablets/day").is_empty());
    }

    /// The ingredients whose daily dose the checks find over the limit.
    fn over_the_limit(sheet: &Sheet, record: Option<&Record>) -> Vec<String> {
        let today = Date::from_calendar_date(2026, time::Month::November, 22).unwrap_or(Date::MIN);
        check(kb(), sheet, record, today)
            .findings
            .iter()
            .filter(|r| r.finding.kind == FindingKind::DoseAboveMaximum)
            .flat_map(|r| r.finding.ingredients.clone())
            .collect()
    }

    #[test]
    fn a_liquid_dose_is_checked_at_its_concentration() {
        let over = |sig: &str| over_the_limit(&sheet("amoxicillin", "400 mg/5 mL", sig), None);
        assert_eq!(
            over("give 15 mL by mouth three times daily"),
            ["amoxicillin"],
            "3.6 g a day, above the 3 g maximum"
        );
        assert!(
            over("give 5 mL by mouth three times daily").is_empty(),
            "1.2 g a day"
        );
    }

    #[test]
    fn as_needed_use_is_checked_at_its_stated_maximum() {
        let prn = |sig: &str| sheet("acetaminophen", "500 mg", sig);
        let high = prn("1-2 tabs po prn pain, max 10 tabs/day");
        assert!(
            !high.missing(0).contains(&"items.0.sig".to_string()),
            "a maximum is enough directions to fill"
        );
        assert_eq!(over_the_limit(&high, None), ["acetaminophen"], "5 g a day");
        let usual = prn("1-2 tabs po prn pain, do not take more than 8 tablets in 24 hours");
        assert!(over_the_limit(&usual, None).is_empty(), "4 g a day");
    }

    #[test]
    fn sprays_in_each_nostril_count_twice() {
        let over =
            |sig: &str| over_the_limit(&sheet("fluticasone propionate", "50 mcg/spray", sig), None);
        assert_eq!(
            over("use 2 sprays in each nostril twice daily"),
            ["fluticasone"],
            "400 mcg a day, above the 200 mcg nasal maximum"
        );
        assert!(
            over("use 2 sprays in each nostril once daily").is_empty(),
            "200 mcg a day is the limit, not over it"
        );
    }

    #[test]
    fn each_ingredient_of_a_combination_is_checked() {
        let over = |sig: &str| {
            let combination = sheet("hydrocodone and acetaminophen", "5/325 mg", sig);
            over_the_limit(&combination, None)
        };
        assert!(
            over("take 2 tablets by mouth every 4 hours as needed for pain").is_empty(),
            "3.9 g of acetaminophen is under 4 g"
        );
        assert_eq!(
            over("take 3 tablets by mouth every 4 hours as needed for pain"),
            ["acetaminophen"],
            "5.85 g of acetaminophen; 90 mg of hydrocodone is not over its limit"
        );
    }

    #[test]
    fn the_profile_s_written_doses_count_towards_the_limit() {
        use rxflow_pharmacy::patients::{Medication, Patient};
        let record = Record {
            patient: Patient {
                id: 1,
                first_name: "Ada".into(),
                last_name: "Byron".into(),
                dob: "1960-03-01".into(),
                sex: "female".into(),
                phone: None,
                email: None,
                address: None,
            },
            allergies: Vec::new(),
            conditions: Vec::new(),
            active_medications: vec![Medication {
                id: 1,
                drug: "acetaminophen".into(),
                strength: Some("500 mg".into()),
                sig: Some("take 2 tablets by mouth every 6 hours".into()),
                started_on: None,
            }],
        };
        let combination = sheet(
            "hydrocodone and acetaminophen",
            "5/325 mg",
            "take 1 tablet by mouth every 6 hours as needed for pain",
        );
        assert!(
            over_the_limit(&combination, None).is_empty(),
            "1.3 g of acetaminophen alone"
        );
        assert_eq!(
            over_the_limit(&combination, Some(&record)),
            ["acetaminophen"],
            "1.3 g on top of the 4 g the patient already takes"
        );
    }

    #[test]
    fn the_route_of_the_directions_picks_the_dose_limit() {
        let today = Date::from_calendar_date(2026, time::Month::November, 22).unwrap_or(Date::MIN);
        let oral = sheet("ketorolac", "10 mg", "take 1 tablet by mouth every 4 hours");
        let severities: Vec<Severity> = check(kb(), &oral, None, today)
            .findings
            .iter()
            .filter(|r| r.finding.kind == FindingKind::DoseAboveMaximum)
            .map(|r| r.finding.severity)
            .collect();
        assert_eq!(
            severities,
            [Severity::Major],
            "60 mg a day by mouth is over the 40 mg oral maximum, though under the 120 mg injected one"
        );
    }
}
