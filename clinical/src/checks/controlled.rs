//! Controlled-substance notices for new items: the DEA schedule (of the
//! product when known, else of the ingredient's single-ingredient products)
//! and what it means for the prescription. A notice, not a hazard: minor.

use crate::finding::{Draft, Finding, FindingKind, SourceRef};
use crate::kb::Kb;
use crate::model::{DeaSchedule, Lang};
use crate::regimen::{ItemStatus, Regimen};
use crate::severity::Severity;

fn rules(s: DeaSchedule) -> &'static str {
    match s {
        DeaSchedule::I => "Schedule I: no accepted medical use; cannot be dispensed.",
        DeaSchedule::II => {
            "Schedule II: no refills; a written or electronic prescription is required (oral only in an emergency, followed up in 7 days); verify the prescriber's DEA registration and check the PDMP."
        }
        DeaSchedule::III | DeaSchedule::IV => {
            "Schedule III-IV: at most 5 refills within 6 months of issue; verify the prescriber's DEA registration and check the PDMP."
        }
        DeaSchedule::V => {
            "Schedule V: refills as authorised; some products have state-specific sale limits."
        }
    }
}

pub(super) fn check(kb: &Kb, regimen: &Regimen, out: &mut Vec<Finding>) {
    for item in regimen.items.iter().filter(|i| i.status == ItemStatus::New) {
        let schedule = match item.product.and_then(|p| kb.product(p)) {
            Some(p) => p.dea,
            None => item
                .ingredients
                .iter()
                .filter_map(|&i| kb.ingredient(i)?.dea)
                .max(),
        };
        let Some(s) = schedule else { continue };
        out.push(
            Draft {
                kind: FindingKind::ControlledSubstance,
                severity: Severity::Minor,
                drugs: vec![item.label.clone()],
                ingredients: kb.names_of(&item.ingredients),
                summary: format!("{} is a controlled substance ({})", item.label, s.as_str()),
                mechanism: "".into(),
                management: rules(s).into(),
                lang: Lang::En,
                evidence: "FDA NDC directory DEA schedule".into(),
                sources: vec![SourceRef {
                    source: "fda_ndc".into(),
                    id: s.as_str().into(),
                    severity: Severity::Minor,
                    citation: "FDA NDC directory 2019, DEASCHEDULE; 21 CFR 1306".into(),
                }],
            }
            .build(kb.snapshot_arc()),
        );
    }
}
