//! Drug names for the training corpus, from the knowledge base's products:
//! generic and brand names with the strengths and forms they are sold in,
//! so the tagger learns real names rather than a hand-made list.

use super::corpus::DrugEntry;
use rxflow_clinical::Kb;
use rxflow_clinical::model::Product;
use std::collections::BTreeMap;

/// Up to `limit` prescription drugs, one entry per name, taken evenly
/// across the alphabet so every kind of name is represented.
pub fn drug_entries(kb: &Kb, limit: usize) -> Vec<DrugEntry> {
    let mut by_name: BTreeMap<String, DrugEntry> = BTreeMap::new();
    for p in kb.products().iter().filter(|p| p.prescription && p.listed) {
        let strength = strength_text(p);
        let form = p.form.to_lowercase();
        for name in [p.generic.to_lowercase(), p.brand.clone()] {
            if name.trim().is_empty() || name.len() > 60 {
                continue;
            }
            let e = by_name.entry(name.clone()).or_insert_with(|| DrugEntry {
                name,
                strengths: Vec::new(),
                forms: Vec::new(),
            });
            push_unique(&mut e.strengths, &strength);
            push_unique(&mut e.forms, &form);
        }
    }
    let all: Vec<DrugEntry> = by_name.into_values().collect();
    let step = (all.len() / limit.max(1)).max(1);
    all.into_iter().step_by(step).take(limit).collect()
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !s.is_empty() && v.len() < 6 && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// "10 mg", "5 mg/325 mg" as printed on a prescription.
fn strength_text(p: &Product) -> String {
    let parts: Vec<String> = p
        .ingredients
        .iter()
        .map(|i| format!("{} {}", i.strength, i.unit.to_lowercase()))
        .collect();
    parts.join("/")
}
