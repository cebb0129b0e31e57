//! Daily dose above the labelled maximum (`max_daily_doses.csv`). The same
//! ingredient on several items is summed, the patient's current medications
//! with the new ones, except a current medication that a new item renews.
//! The alert threshold is the highest adult maximum for the route;
//! geriatric and renal rows apply when the profile says so; lower,
//! indication-specific maxima are informational.

use crate::finding::{Draft, Finding, FindingKind, SourceRef};
use crate::kb::Kb;
use crate::model::{IngredientId, Lang, MaxDose};
use crate::regimen::{DoseUnit, ItemStatus, PatientProfile, Regimen, RegimenItem, Route};
use crate::severity::Severity;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn limit(row: &MaxDose, profile: &PatientProfile) -> Option<f64> {
    if row.limit.per_kg {
        profile.weight_kg.map(|w| row.limit.max_daily_dose * w)
    } else {
        Some(row.limit.max_daily_dose)
    }
}

fn applies(row: &MaxDose, profile: &PatientProfile) -> bool {
    match row.limit.population.as_str() {
        "geriatric" => profile.age_years.is_some_and(|a| a >= 65.0),
        "renal" => profile.renal_impairment == Some(true),
        _ => true,
    }
}

/// One ingredient's daily total across the regimen's items.
struct Total {
    daily: f64,
    unit: DoseUnit,
    labels: Vec<Arc<str>>,
    route: Option<Route>,
    /// Whether a new item adds to it.
    new: bool,
}

/// The items whose doses add up. A current medication with exactly the
/// ingredients of a new item is what that item renews or replaces, not a
/// second supply taken on top (the duplicate-ingredient finding asks).
fn counted(regimen: &Regimen) -> impl Iterator<Item = &RegimenItem> {
    let ingredients =
        |item: &RegimenItem| item.ingredients.iter().copied().collect::<BTreeSet<_>>();
    let renewed: Vec<BTreeSet<IngredientId>> = regimen
        .items
        .iter()
        .filter(|item| item.status == ItemStatus::New)
        .map(ingredients)
        .collect();
    regimen
        .items
        .iter()
        .filter(move |item| item.status == ItemStatus::New || !renewed.contains(&ingredients(item)))
}

pub(super) fn check(kb: &Kb, regimen: &Regimen, profile: &PatientProfile, out: &mut Vec<Finding>) {
    let mut totals: BTreeMap<IngredientId, Total> = BTreeMap::new();
    let doses = counted(regimen).flat_map(|item| {
        item.ingredients
            .iter()
            .filter_map(move |ing| Some((item, *ing, item.dose_of(*ing)?)))
    });
    for (item, ing, dose) in doses {
        let t = totals.entry(ing).or_insert(Total {
            daily: 0.0,
            unit: dose.unit,
            labels: Vec::new(),
            route: item.route,
            new: false,
        });
        if let Some(v) = dose.unit.convert(dose.daily(), t.unit) {
            t.daily += v;
            t.labels.push(Arc::clone(&item.label));
            t.new |= item.status == ItemStatus::New;
        }
    }
    // A prescription is checked for what it adds; a profile review, for all.
    let any_new = regimen.items.iter().any(|i| i.status == ItemStatus::New);
    for (ing, t) in totals {
        let Total {
            daily,
            unit,
            labels,
            route,
            new,
        } = t;
        if any_new && !new {
            continue;
        }
        let rows: Vec<&MaxDose> = kb
            .t
            .max_doses
            .iter()
            .filter(|r| r.ingredient == ing && applies(r, profile))
            // Rows name one route or several ("intravenous/intramuscular").
            .filter(|r| {
                route.is_none_or(|rt| {
                    r.limit.route.is_empty() || r.limit.route.split(' ').any(|x| x == rt.as_str())
                })
            })
            .collect();
        let in_unit = |r: &MaxDose| -> Option<f64> {
            let u: DoseUnit = r.limit.unit.parse().ok()?;
            u.convert(limit(r, profile)?, unit)
        };
        let general = rows
            .iter()
            .filter(|r| r.limit.population == "adult")
            .filter_map(|r| in_unit(r).map(|l| (l, *r)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let special = rows
            .iter()
            .filter(|r| r.limit.population != "adult")
            .filter_map(|r| in_unit(r).map(|l| (l, *r)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let indication = rows
            .iter()
            .filter(|r| r.limit.population == "adult")
            .filter_map(|r| in_unit(r).map(|l| (l, *r)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let hit = match (general, special, indication) {
            (Some((l, r)), _, _) if daily > l => Some((Severity::Major, l, r)),
            (_, Some((l, r)), _) if daily > l => Some((Severity::Major, l, r)),
            (_, _, Some((l, r))) if daily > l => Some((Severity::Minor, l, r)),
            _ => None,
        };
        let Some((severity, lim, row)) = hit else {
            continue;
        };
        let name = kb.ingredient_name(ing);
        let u = format!("{unit:?}").to_lowercase();
        let context = [
            row.limit.population.as_str(),
            row.limit.condition.as_str(),
            row.limit.form_note.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
        out.push(
            Draft {
                kind: FindingKind::DoseAboveMaximum,
                severity,
                drugs: labels,
                ingredients: vec![name.to_string()],
                summary: format!("{name}: {daily} {u}/day exceeds the maximum of {lim} {u}/day ({context})"),
                mechanism: "Daily dose above the labelled maximum raises the risk of dose-related toxicity.".into(),
                management: "Verify the dose and frequency with the prescriber before dispensing.".into(),
                lang: Lang::En,
                evidence: "label maximum daily dose (curated)".into(),
                sources: vec![SourceRef {
                    source: "data/kb/max_daily_doses.csv".into(),
                    id: format!("row {}", row.row).into(),
                    severity,
                    citation: row.limit.citation.as_str().into(),
                }],
            }
            .build(kb.snapshot_arc()),
        );
    }
}
