//! Allergy and cross-sensitivity. A recorded allergy is matched to groups
//! (by id, name or alias) and to ingredients (by exact name); then each
//! regimen ingredient is checked: same ingredient → contraindicated, same
//! group → the group's severity, linked group → the cross link's severity.

use crate::finding::{Draft, Finding, FindingKind, SourceRef};
use crate::kb::Kb;
use crate::model::{IngredientId, Lang};
use crate::regimen::{PatientProfile, Regimen};
use crate::severity::Severity;
use crate::text::name_key;

struct Allergen {
    text: String,
    ingredients: Vec<IngredientId>,
    groups: Vec<usize>,
}

fn allergen(kb: &Kb, text: &str) -> Allergen {
    let key = name_key(text);
    let ingredients: Vec<IngredientId> = kb
        .key_index(&crate::fold::fold_key(&key))
        .and_then(|k| kb.t.key_names.get(k as usize))
        .into_iter()
        .flatten()
        .filter_map(|&n| kb.t.names.get(n as usize))
        .filter(|e| name_key(&e.text) == key)
        .flat_map(|e| e.ingredients.iter().copied())
        .collect();
    let named = kb.allergy_groups_by_key.get(&key);
    let groups =
        kb.t.allergy_groups
            .iter()
            .enumerate()
            .filter(|(i, g)| {
                named.is_some_and(|n| n.contains(i))
                    || g.members.iter().any(|m| ingredients.contains(m))
            })
            .map(|(i, _)| i)
            .collect();
    Allergen {
        text: text.trim().to_string(),
        ingredients,
        groups,
    }
}

pub(super) fn check(kb: &Kb, regimen: &Regimen, profile: &PatientProfile, out: &mut Vec<Finding>) {
    let allergens: Vec<Allergen> = profile
        .allergies
        .iter()
        .filter(|a| !a.trim().is_empty())
        .map(|a| allergen(kb, a))
        .collect();
    for item in &regimen.items {
        for &ing in &item.ingredients {
            for a in &allergens {
                let mut hits: Vec<(Severity, String, SourceRef)> = Vec::new();
                if a.ingredients.contains(&ing) {
                    hits.push((
                        Severity::Contraindicated,
                        "Same ingredient as the recorded allergen.".into(),
                        SourceRef {
                            source: "rxflow".into(),
                            id: "allergy-same-ingredient".into(),
                            severity: Severity::Contraindicated,
                            citation: "rxflow builder rule (data/kb/CURATION.md)".into(),
                        },
                    ));
                }
                for &g in &a.groups {
                    let group = &kb.t.allergy_groups[g];
                    if group.members.contains(&ing) && !a.ingredients.contains(&ing) {
                        hits.push((
                            group.within_severity,
                            format!(
                                "{} belongs to {}.{}",
                                kb.ingredient_name(ing),
                                group.name,
                                group
                                    .note
                                    .as_ref()
                                    .map(|n| format!(" {n}"))
                                    .unwrap_or_default()
                            ),
                            SourceRef {
                                source: "data/kb/allergy_groups.toml".into(),
                                id: group.id.as_str().into(),
                                severity: group.within_severity,
                                citation: group.citation.as_str().into(),
                            },
                        ));
                    }
                    for x in kb.t.allergy_cross.iter().filter(|x| x.from as usize == g) {
                        let to = &kb.t.allergy_groups[x.to as usize];
                        if to.members.contains(&ing) && !a.groups.contains(&(x.to as usize)) {
                            hits.push((
                                x.severity,
                                x.note.clone(),
                                SourceRef {
                                    source: "data/kb/allergy_groups.toml".into(),
                                    id: format!("cross:{}->{}", group.id, to.id).into(),
                                    severity: x.severity,
                                    citation: x.citation.as_str().into(),
                                },
                            ));
                        }
                    }
                }
                if let Some(sev) = hits.iter().map(|h| h.0).max() {
                    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
                    let name = kb.ingredient_name(ing);
                    out.push(
                        Draft {
                            kind: FindingKind::Allergy,
                            severity: sev,
                            drugs: vec![item.label.clone()],
                            ingredients: vec![name.to_string()],
                            summary: format!("{name}: recorded allergy to {}", a.text),
                            mechanism: hits.iter().map(|h| h.1.as_str()).collect::<Vec<_>>().join(" ")
                                .into(),
                            management: match sev {
                                Severity::Contraindicated | Severity::Major => "Do not dispense without confirming the allergy history with the patient and prescriber; choose an alternative.".into(),
                                _ => "Check the nature of the reaction; usually acceptable for non-severe histories with monitoring.".into(),
                            },
                            lang: Lang::En,
                            evidence: "allergy record and cross-sensitivity groups".into(),
                            sources: hits.into_iter().map(|h| h.2).collect(),
                        }
                        .build(kb.snapshot_arc()),
                    );
                }
            }
        }
    }
}
