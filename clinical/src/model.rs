//! The compact tables of a snapshot. Everything is addressed by dense
//! integer ids so the checks never touch strings on their hot path.

use crate::severity::Severity;
use crate::sources::curated::ConditionKind;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Dense id of an active moiety (salt removed: "metoprolol", not
/// "metoprolol succinate").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IngredientId(pub u32);

impl IngredientId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The unordered pair key used by the interaction table.
pub(crate) fn pair_key(a: IngredientId, b: IngredientId) -> u64 {
    let (lo, hi) = if a.0 <= b.0 { (a.0, b.0) } else { (b.0, a.0) };
    (u64::from(lo) << 32) | u64::from(hi)
}

/// DEA controlled-substance schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DeaSchedule {
    #[serde(rename = "CV")]
    V,
    #[serde(rename = "CIV")]
    IV,
    #[serde(rename = "CIII")]
    III,
    #[serde(rename = "CII")]
    II,
    #[serde(rename = "CI")]
    I,
}

impl DeaSchedule {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "CI" => Some(DeaSchedule::I),
            "CII" => Some(DeaSchedule::II),
            "CIII" => Some(DeaSchedule::III),
            "CIV" => Some(DeaSchedule::IV),
            "CV" => Some(DeaSchedule::V),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeaSchedule::I => "CI",
            DeaSchedule::II => "CII",
            DeaSchedule::III => "CIII",
            DeaSchedule::IV => "CIV",
            DeaSchedule::V => "CV",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ingredient {
    /// US generic name, lower case.
    pub name: String,
    /// ANSM substance names (index spelling) linked to this moiety.
    pub ansm_names: Vec<String>,
    pub rxcuis: Vec<u32>,
    pub classes: Vec<u32>,
    /// Usual schedule of its single-ingredient products.
    pub dea: Option<DeaSchedule>,
    pub product_count: u32,
    /// Confusable names (hydroxyzine / hydralazine), precomputed at build.
    pub look_alikes: Vec<IngredientId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassSource {
    Ansm,
    FdaEpc,
    UsSupplement,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Class {
    pub name: String,
    /// English label (ANSM classes) or the curated name.
    pub label: String,
    pub source: ClassSource,
    pub members: Vec<IngredientId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductIngredient {
    pub ingredient: IngredientId,
    pub strength: String,
    pub unit: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    /// PRODUCTNDC as printed in the directory (`0056-0168`).
    pub product_ndc: String,
    pub brand: String,
    pub generic: String,
    pub form: String,
    pub routes: String,
    pub ingredients: Vec<ProductIngredient>,
    pub dea: Option<DeaSchedule>,
    pub prescription: bool,
    /// False for rows the FDA flagged excluded (listing not certified).
    pub listed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    Generic,
    Brand,
    Salt,
    Synonym,
}

/// A name somebody might write, and the ingredients it stands for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NameEntry {
    pub text: String,
    pub kind: NameKind,
    /// Provenance: `ndc`, `ansm`, `unii`, `drugbank`, `mesh`, `curated` …
    pub source: String,
    pub ingredients: Vec<IngredientId>,
    /// Number of NDC products behind the name: a tie-breaker for ranking.
    pub weight: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Fr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSource {
    Ansm,
    UsSupplement,
}

/// One level of a (possibly conditional) rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleLevel {
    pub severity: Severity,
    pub note: String,
    pub lang: Lang,
    /// Ingredients this level is limited to, when its note names members
    /// of the rule's classes ("for carbamazepine, phenobarbital"); empty
    /// when it applies to every pair of the rule.
    pub applies_to: Vec<IngredientId>,
    /// Both ingredients must be named: a within-class rule ("X + other X")
    /// whose level names members means combinations *of* those members.
    pub applies_to_both: bool,
}

impl RuleLevel {
    pub fn applies(&self, a: IngredientId, b: IngredientId) -> bool {
        let (ha, hb) = (self.applies_to.contains(&a), self.applies_to.contains(&b));
        self.applies_to.is_empty()
            || if self.applies_to_both {
                ha && hb
            } else {
                ha || hb
            }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub id: Arc<str>,
    pub source: RuleSource,
    pub a: String,
    pub b: String,
    /// Most severe first. More than one level means the rule is conditional.
    pub levels: Vec<RuleLevel>,
    pub mechanism: Arc<str>,
    pub management: Arc<str>,
    pub lang: Lang,
    pub evidence: Arc<str>,
    pub citation: Arc<str>,
    pub condition: Option<String>,
    pub condition_kind: Option<ConditionKind>,
    pub overrides_ansm: bool,
    pub source_note: Option<String>,
}

impl Rule {
    /// The levels that apply to this ingredient pair, most severe first.
    /// When every level is limited to other members, the notes did not
    /// settle this pair: all levels apply, so it is never left unreported.
    pub fn levels_for(&self, a: IngredientId, b: IngredientId) -> impl Iterator<Item = &RuleLevel> {
        let any = self.levels.iter().any(|l| l.applies(a, b));
        self.levels.iter().filter(move |l| !any || l.applies(a, b))
    }

    /// Most severe level that applies to the pair.
    pub fn severity_for(&self, a: IngredientId, b: IngredientId) -> Severity {
        self.levels_for(a, b)
            .map(|l| l.severity)
            .max()
            .unwrap_or(Severity::Minor)
    }

    pub fn severity(&self) -> Severity {
        self.levels
            .iter()
            .map(|l| l.severity)
            .max()
            .unwrap_or(Severity::Minor)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DuplicateGroup {
    pub id: String,
    pub name: String,
    pub members: Vec<IngredientId>,
    pub severity: Severity,
    pub rationale: String,
    pub citation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllergyGroup {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub members: Vec<IngredientId>,
    pub within_severity: Severity,
    pub citation: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AllergyCross {
    pub from: u32,
    pub to: u32,
    pub severity: Severity,
    pub note: String,
    pub citation: String,
}

/// A maximum-daily-dose row linked to its ingredient. The row keeps the
/// curated text, with route and unit normalised at build time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MaxDose {
    pub ingredient: IngredientId,
    pub limit: crate::sources::curated::MaxDoseRow,
    /// 1-based data row in `max_daily_doses.csv`, for the finding's source.
    pub row: u32,
}

/// Everything a snapshot holds besides the tantivy index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tables {
    pub ingredients: Vec<Ingredient>,
    pub classes: Vec<Class>,
    pub products: Vec<Product>,
    /// Sorted `(11-digit package NDC, product index)`.
    pub packages: Vec<(u64, u32)>,
    /// Sorted `(9-digit product code, product index)`.
    pub product_codes: Vec<(u64, u32)>,
    pub names: Vec<NameEntry>,
    /// Distinct search keys (OCR-folded), sorted, and per key its name entries.
    pub keys: Vec<String>,
    pub key_names: Vec<Vec<u32>>,
    pub rules: Vec<Rule>,
    /// Sorted unordered ingredient pairs and, per pair, its rules.
    pub pair_keys: Vec<u64>,
    pub pair_rules: Vec<Vec<u32>>,
    pub duplicate_groups: Vec<DuplicateGroup>,
    pub allergy_groups: Vec<AllergyGroup>,
    pub allergy_cross: Vec<AllergyCross>,
    pub max_doses: Vec<MaxDose>,
    /// Things a curator should look at (names that match nothing).
    pub build_warnings: Vec<String>,
}
