//! `eval ddi`: resolves each pair of a labelled CSV through search, checks
//! it, and scores the result against the acceptable severities.

use crate::error::{ClinicalError, Result};
use crate::kb::Kb;
use crate::regimen::{ItemStatus, PatientProfile, Regimen};
use crate::severity::Severity;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
struct Row {
    drug_a: String,
    drug_b: String,
    label: String,
    acceptable_severities: String,
}

/// A labelled pair; `acceptable` holds `None` for "no finding is fine".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledPair {
    pub drug_a: String,
    pub drug_b: String,
    pub positive: bool,
    pub acceptable: Vec<Option<Severity>>,
}

pub fn read_pairs(path: &Path) -> Result<Vec<LabelledPair>> {
    let bytes = std::fs::read(path).map_err(|e| ClinicalError::io(path, e))?;
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(bytes.as_slice()).deserialize::<Row>() {
        let row = row.map_err(|e| ClinicalError::source(path, e.to_string()))?;
        let positive = match row.label.trim() {
            "1" => true,
            "0" => false,
            other => {
                return Err(ClinicalError::source(
                    path,
                    format!("label {other:?} is not 0 or 1"),
                ));
            }
        };
        let acceptable = row
            .acceptable_severities
            .split('|')
            .map(|s| match s.trim() {
                "none" => Ok(None),
                s => s
                    .parse::<Severity>()
                    .map(Some)
                    .map_err(|e| ClinicalError::source(path, e.to_string())),
            })
            .collect::<Result<Vec<_>>>()?;
        out.push(LabelledPair {
            drug_a: row.drug_a,
            drug_b: row.drug_b,
            positive,
            acceptable,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct PairOutcome {
    pub drug_a: String,
    pub drug_b: String,
    pub resolved_a: Option<String>,
    pub resolved_b: Option<String>,
    pub label: u8,
    /// Most severe finding between the two drugs, if any.
    pub severity: Option<Severity>,
    pub acceptable: bool,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub snapshot_id: String,
    pub pairs_total: usize,
    pub resolved: f64,
    pub sensitivity: f64,
    pub severity_agreement: f64,
    pub false_alert_rate: f64,
    pub pairs: Vec<PairOutcome>,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// Slugs ("isosorbide-mononitrate") are names with hyphens for spaces.
fn as_written(s: &str) -> String {
    s.replace('-', " ")
}

/// Scores the pairs. Only findings between the two drugs count (interaction,
/// duplicate); single-drug notices (controlled schedule) are not DDI alerts.
pub fn evaluate(kb: &Kb, pairs: &[LabelledPair]) -> EvalReport {
    let profile = PatientProfile::default();
    let mut outcomes = Vec::with_capacity(pairs.len());
    for p in pairs {
        let a = kb.item(&as_written(&p.drug_a), ItemStatus::New).ok();
        let b = kb.item(&as_written(&p.drug_b), ItemStatus::Active).ok();
        let name = |i: &crate::regimen::RegimenItem| kb.names_of(&i.ingredients).join("+");
        let (resolved_a, resolved_b) = (a.as_ref().map(name), b.as_ref().map(name));
        let findings = match (a, b) {
            (Some(a), Some(b)) => kb.check(&Regimen::new(vec![a, b]), &profile),
            _ => Vec::new(),
        };
        let between: Vec<_> = findings
            .iter()
            .filter(|f| f.kind.is_between_drugs())
            .collect();
        let severity = between.iter().map(|f| f.severity).max();
        outcomes.push(PairOutcome {
            drug_a: p.drug_a.clone(),
            drug_b: p.drug_b.clone(),
            resolved_a,
            resolved_b,
            label: u8::from(p.positive),
            severity,
            acceptable: p.acceptable.contains(&severity),
            sources: between
                .iter()
                .flat_map(|f| f.sources.iter().map(|s| s.id.to_string()))
                .collect(),
        });
    }
    let resolved = outcomes
        .iter()
        .filter(|o| o.resolved_a.is_some() && o.resolved_b.is_some())
        .count();
    let pos: Vec<&PairOutcome> = outcomes.iter().filter(|o| o.label == 1).collect();
    let neg: Vec<&PairOutcome> = outcomes.iter().filter(|o| o.label == 0).collect();
    EvalReport {
        snapshot_id: kb.snapshot_id().to_string(),
        pairs_total: outcomes.len(),
        resolved: ratio(resolved, outcomes.len()),
        sensitivity: ratio(
            pos.iter().filter(|o| o.severity.is_some()).count(),
            pos.len(),
        ),
        severity_agreement: ratio(pos.iter().filter(|o| o.acceptable).count(), pos.len()),
        false_alert_rate: ratio(
            neg.iter()
                .filter(|o| o.severity.is_some() && !o.acceptable)
                .count(),
            neg.len(),
        ),
        pairs: outcomes,
    }
}
