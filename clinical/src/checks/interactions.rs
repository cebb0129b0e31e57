//! Drug–drug interactions: one hash lookup per ingredient pair in the
//! precomputed pair table, then the matching rules are combined.
//!
//! Combining (data/kb/CURATION.md): a US supplement rule with
//! `overrides_ansm` replaces ANSM's grading for the pair; otherwise the most
//! severe rule wins. Every matching rule is listed as a source.

use super::conditions::{Status, evaluate};
use crate::finding::{Draft, Finding, FindingKind, SourceRef};
use crate::kb::Kb;
use crate::model::{IngredientId, Rule, RuleSource};
use crate::regimen::{PatientProfile, Regimen, RegimenItem};
use crate::severity::Severity;
use std::sync::Arc;

pub(super) fn check(kb: &Kb, regimen: &Regimen, profile: &PatientProfile, out: &mut Vec<Finding>) {
    for (x, y) in regimen.pairs() {
        let (a, b) = (&regimen.items[x], &regimen.items[y]);
        for &i in &a.ingredients {
            for &j in &b.ingredients {
                if i == j {
                    continue;
                }
                let rules = kb.pair_rules(i, j);
                if !rules.is_empty() {
                    out.extend(finding(kb, [a, b], [i, j], rules, profile));
                }
            }
        }
    }
}

fn source_name(r: &Rule) -> &'static str {
    match r.source {
        RuleSource::Ansm => "ansm",
        RuleSource::UsSupplement => "data/kb/us_supplement.toml",
    }
}

fn finding(
    kb: &Kb,
    items: [&RegimenItem; 2],
    ids: [IngredientId; 2],
    rule_ids: &[u32],
    profile: &PatientProfile,
) -> Option<Finding> {
    let names = [kb.ingredient_name(ids[0]), kb.ingredient_name(ids[1])];
    // Each rule with its severity for this pair: a conditional rule may
    // have levels limited to other members of its classes.
    let kept: Vec<(&Rule, Status, Severity)> = rule_ids
        .iter()
        .filter_map(|&r| kb.rule(r))
        .map(|r| (r, r.severity_for(ids[0], ids[1])))
        .map(|(r, sev)| (r, evaluate(r, items, ids, names, profile), sev))
        .filter(|(_, s, _)| *s != Status::NotMet)
        .collect();
    let overriding = kept.iter().any(|(r, _, _)| r.overrides_ansm);
    // Rank: severity first, then curated English text over French.
    let (primary, status, severity) = kept
        .iter()
        .filter(|(r, _, _)| !overriding || r.source == RuleSource::UsSupplement)
        .max_by_key(|(r, _, sev)| {
            (
                *sev,
                r.source == RuleSource::UsSupplement,
                r.lang == crate::model::Lang::En,
            )
        })
        .copied()?;
    let mut sources: Vec<SourceRef> = kept
        .iter()
        .map(|(r, _, sev)| SourceRef {
            source: source_name(r).into(),
            id: r.id.clone(),
            severity: *sev,
            citation: r.citation.clone(),
        })
        .collect();
    sources.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    let mut evidence = primary.evidence.clone();
    if let Some(note) = &primary.source_note {
        evidence = format!("{evidence}; source note: {note}").into();
    }
    let mut f = Draft {
        kind: FindingKind::Interaction,
        severity,
        drugs: items.iter().map(|i| Arc::clone(&i.label)).collect(),
        ingredients: names.map(str::to_string).into(),
        summary: format!("{} + {}: {severity} interaction", names[0], names[1]),
        mechanism: primary.mechanism.clone(),
        management: primary.management.clone(),
        lang: primary.lang,
        evidence,
        sources,
    }
    .build(kb.snapshot_arc());
    let levels: Vec<_> = primary.levels_for(ids[0], ids[1]).cloned().collect();
    if levels.len() > 1 {
        f.conditional = true;
        f.levels = levels;
        f.condition = Some("severity depends on dose or context: see levels".to_string());
    }
    if status == Status::Unknown {
        f.conditional = true;
        f.condition = primary.condition.clone();
    }
    Some(f)
}
