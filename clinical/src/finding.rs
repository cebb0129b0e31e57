//! A finding: one hazard, explained well enough for a pharmacist to act on
//! it, with its sources and the snapshot that produced it.

use crate::model::{Lang, RuleLevel};
use crate::severity::{CdsIndicator, FhirSeverity, Severity};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Interaction,
    DuplicateIngredient,
    DuplicateTherapy,
    Allergy,
    DoseAboveMaximum,
    ControlledSubstance,
}

impl FindingKind {
    /// Findings about a pair of drugs, as opposed to one drug and the patient.
    pub fn is_between_drugs(self) -> bool {
        matches!(
            self,
            FindingKind::Interaction
                | FindingKind::DuplicateIngredient
                | FindingKind::DuplicateTherapy
        )
    }
}

/// Where a statement comes from: an ANSM rule id, a curated file row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    /// `ansm`, `us_supplement`, `data/kb/duplicate_therapy.toml` …
    pub source: Cow<'static, str>,
    pub id: Arc<str>,
    pub severity: Severity,
    pub citation: Arc<str>,
}

/// A coded reason a pharmacist may give to override the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverrideReason {
    pub code: Cow<'static, str>,
    pub display: Cow<'static, str>,
}

/// Code system of [`OverrideReason::code`].
pub const OVERRIDE_SYSTEM: &str = "urn:rxflow:clinical:override-reason";

const fn r(code: &'static str, display: &'static str) -> OverrideReason {
    OverrideReason {
        code: Cow::Borrowed(code),
        display: Cow::Borrowed(display),
    }
}

const BENEFIT: OverrideReason = r(
    "benefit-outweighs-risk",
    "Benefit outweighs risk; prescriber aware",
);
const CONFIRMED: OverrideReason = r("prescriber-confirmed", "Confirmed with the prescriber");

static INTERACTION: [OverrideReason; 6] = [
    r("will-monitor", "Will monitor (levels, ECG, signs)"),
    r("dose-adjusted", "Dose or timing already adjusted"),
    r(
        "previously-tolerated",
        "Patient has tolerated the combination",
    ),
    r("condition-not-met", "The rule's condition does not apply"),
    BENEFIT,
    CONFIRMED,
];
static DUPLICATE: [OverrideReason; 4] = [
    r("intentional-combination", "Intentional combination"),
    r("therapy-switch", "One drug replaces the other"),
    BENEFIT,
    CONFIRMED,
];
static ALLERGY: [OverrideReason; 5] = [
    r(
        "intolerance-not-allergy",
        "Recorded reaction is an intolerance, not an allergy",
    ),
    r("previously-tolerated", "Patient has tolerated this drug"),
    r("desensitized", "Patient desensitised"),
    BENEFIT,
    CONFIRMED,
];
static DOSE: [OverrideReason; 4] = [
    r(
        "dose-intended",
        "Dose intended (loading, titration, indication)",
    ),
    r("weight-based", "Weight-based dose checked"),
    BENEFIT,
    CONFIRMED,
];
static CONTROLLED: [OverrideReason; 4] = [
    r(
        "prescriber-dea-verified",
        "Prescriber DEA registration verified",
    ),
    r(
        "pdmp-checked",
        "Prescription drug monitoring program checked",
    ),
    BENEFIT,
    CONFIRMED,
];

/// The coded reasons a pharmacist may pick to override a finding of `kind`
/// (static: findings borrow them, nothing is allocated per finding).
pub fn override_reasons(kind: FindingKind) -> &'static [OverrideReason] {
    match kind {
        FindingKind::Interaction => &INTERACTION,
        FindingKind::DuplicateIngredient | FindingKind::DuplicateTherapy => &DUPLICATE,
        FindingKind::Allergy => &ALLERGY,
        FindingKind::DoseAboveMaximum => &DOSE,
        FindingKind::ControlledSubstance => &CONTROLLED,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub fhir_severity: FhirSeverity,
    pub cds_indicator: CdsIndicator,
    /// Regimen item labels involved.
    pub drugs: Vec<Arc<str>>,
    /// Active ingredients involved.
    pub ingredients: Vec<String>,
    pub summary: String,
    pub mechanism: Arc<str>,
    pub management: Arc<str>,
    /// Language of mechanism and management (`fr` where no English text
    /// has been written yet).
    pub lang: Lang,
    pub evidence: Arc<str>,
    pub sources: Vec<SourceRef>,
    /// True when the severity depends on a condition (dose, route, context)
    /// the checker could not settle.
    pub conditional: bool,
    pub condition: Option<String>,
    /// All levels of a conditional rule, most severe first.
    pub levels: Vec<RuleLevel>,
    pub override_reasons: Cow<'static, [OverrideReason]>,
    pub snapshot_id: Arc<str>,
}

/// The parts every check fills in; `build` derives the rest.
pub(crate) struct Draft {
    pub kind: FindingKind,
    pub severity: Severity,
    pub drugs: Vec<Arc<str>>,
    pub ingredients: Vec<String>,
    pub summary: String,
    pub mechanism: Arc<str>,
    pub management: Arc<str>,
    pub lang: Lang,
    pub evidence: Arc<str>,
    pub sources: Vec<SourceRef>,
}

impl Draft {
    pub fn build(self, snapshot_id: &Arc<str>) -> Finding {
        Finding {
            kind: self.kind,
            severity: self.severity,
            fhir_severity: self.severity.fhir(),
            cds_indicator: self.severity.cds_indicator(),
            drugs: self.drugs,
            ingredients: self.ingredients,
            summary: self.summary,
            mechanism: self.mechanism,
            management: self.management,
            lang: self.lang,
            evidence: self.evidence,
            sources: self.sources,
            conditional: false,
            condition: None,
            levels: Vec::new(),
            override_reasons: Cow::Borrowed(override_reasons(self.kind)),
            snapshot_id: Arc::clone(snapshot_id),
        }
    }
}
