//! Duplicate ingredient (the same moiety on two items, e.g. two
//! acetaminophen products) and duplicate therapy (two members of a curated
//! group). Overlapping groups report once, at the highest severity.

use crate::finding::{Draft, Finding, FindingKind, SourceRef};
use crate::kb::Kb;
use crate::model::{IngredientId, Lang};
use crate::regimen::Regimen;
use crate::severity::Severity;
use std::collections::BTreeSet;
use std::sync::Arc;

pub(super) fn check(kb: &Kb, regimen: &Regimen, out: &mut Vec<Finding>) {
    let mut therapy: Vec<(usize, BTreeSet<IngredientId>, BTreeSet<usize>)> = Vec::new();
    for (x, y) in regimen.pairs() {
        let (a, b) = (&regimen.items[x], &regimen.items[y]);
        for &i in &a.ingredients {
            if b.ingredients.contains(&i) {
                out.push(same_ingredient(kb, [&a.label, &b.label], i));
            }
            let gi = kb
                .duplicate_groups_of
                .get(i.index())
                .map_or(&[][..], Vec::as_slice);
            if gi.is_empty() {
                continue;
            }
            for &j in b.ingredients.iter().filter(|&&j| j != i) {
                let gj = kb
                    .duplicate_groups_of
                    .get(j.index())
                    .map_or(&[][..], Vec::as_slice);
                for g in gi.iter().filter(|g| gj.contains(g)).map(|&g| g as usize) {
                    match therapy.iter_mut().find(|(k, _, _)| *k == g) {
                        Some((_, ings, its)) => {
                            ings.extend([i, j]);
                            its.extend([x, y]);
                        }
                        None => therapy.push((g, BTreeSet::from([i, j]), BTreeSet::from([x, y]))),
                    }
                }
            }
        }
    }
    therapy.sort_by(|a, b| {
        kb.t.duplicate_groups[b.0]
            .severity
            .cmp(&kb.t.duplicate_groups[a.0].severity)
    });
    let mut reported: Vec<BTreeSet<IngredientId>> = Vec::new();
    for (g, ings, its) in therapy {
        if reported.iter().any(|r| ings.is_subset(r)) {
            continue;
        }
        let group = &kb.t.duplicate_groups[g];
        let names = kb.names_of(&ings.iter().copied().collect::<Vec<_>>());
        out.push(
            Draft {
                kind: FindingKind::DuplicateTherapy,
                severity: group.severity,
                drugs: its.iter().map(|&k| Arc::clone(&regimen.items[k].label)).collect(),
                ingredients: names.clone(),
                summary: format!("Duplicate therapy ({}): {}", group.name, names.join(", ")),
                mechanism: group.rationale.as_str().into(),
                management: "Confirm both are intended; if one replaces the other, stop the old one.".into(),
                lang: Lang::En,
                evidence: "curated duplicate-therapy group".into(),
                sources: vec![SourceRef {
                    source: "data/kb/duplicate_therapy.toml".into(),
                    id: group.id.as_str().into(),
                    severity: group.severity,
                    citation: group.citation.as_str().into(),
                }],
            }
            .build(kb.snapshot_arc()),
        );
        reported.push(ings);
    }
}

fn same_ingredient(kb: &Kb, [a, b]: [&Arc<str>; 2], id: IngredientId) -> Finding {
    let name = kb.ingredient_name(id).to_string();
    Draft {
        kind: FindingKind::DuplicateIngredient,
        severity: Severity::Major,
        drugs: vec![Arc::clone(a), Arc::clone(b)],
        ingredients: vec![name.clone()],
        summary: format!("{name} is in both {a} and {b}"),
        mechanism: "The same active ingredient from two products adds up: the total dose may exceed the maximum.".into(),
        management: "Confirm the total daily dose; usually one product should be stopped.".into(),
        lang: Lang::En,
        evidence: "builder rule: same active moiety".into(),
        sources: vec![SourceRef {
            source: "rxflow".into(),
            id: "duplicate-ingredient".into(),
            severity: Severity::Major,
            citation: "rxflow builder rule (data/kb/duplicate_therapy.toml header)".into(),
        }],
    }
    .build(kb.snapshot_arc())
}
