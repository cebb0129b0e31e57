//! The team's curated knowledge in `data/kb/` (schemas: data/kb/CURATION.md).
//! Parsing is strict: an unknown severity or a dangling class reference is an
//! error, because a silently dropped rule is a missed alert.

use super::{read_bytes, read_string};
use crate::error::{ClinicalError, Result};
use crate::severity::Severity;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct UsClass {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
    pub citation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConditionKind {
    Dose,
    Route,
    Duration,
    Context,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UsRule {
    pub id: String,
    pub a: String,
    pub b: String,
    pub severity: Severity,
    pub mechanism: String,
    pub management: String,
    pub evidence: String,
    pub citation: String,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub condition_kind: Option<ConditionKind>,
    #[serde(default)]
    pub overrides_ansm: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UsSupplement {
    #[serde(default)]
    pub class: Vec<UsClass>,
    #[serde(default)]
    pub rule: Vec<UsRule>,
}

impl UsSupplement {
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let s: UsSupplement =
            toml::from_str(text).map_err(|e| ClinicalError::curated(path, e.to_string()))?;
        let classes: HashSet<&str> = s.class.iter().map(|c| c.id.as_str()).collect();
        let mut ids = HashSet::new();
        for r in &s.rule {
            if !ids.insert(r.id.as_str()) {
                return Err(ClinicalError::curated(
                    path,
                    format!("duplicate rule id {}", r.id),
                ));
            }
            for side in [&r.a, &r.b] {
                if let Some(c) = side.strip_prefix("class:")
                    && !classes.contains(c)
                {
                    return Err(ClinicalError::curated(
                        path,
                        format!("rule {} names undefined class {c}", r.id),
                    ));
                }
            }
        }
        Ok(s)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DuplicateGroup {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
    pub severity: Severity,
    pub rationale: String,
    pub citation: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DuplicateTherapy {
    #[serde(default)]
    pub group: Vec<DuplicateGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AllergyGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub members: Vec<String>,
    pub within_severity: Severity,
    pub citation: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AllergyCross {
    pub from: String,
    pub to: String,
    pub severity: Severity,
    pub note: String,
    #[serde(default)]
    pub citation: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AllergyGroups {
    #[serde(default)]
    pub group: Vec<AllergyGroup>,
    #[serde(default)]
    pub cross: Vec<AllergyCross>,
}

impl AllergyGroups {
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let g: AllergyGroups =
            toml::from_str(text).map_err(|e| ClinicalError::curated(path, e.to_string()))?;
        let ids: HashSet<&str> = g.group.iter().map(|x| x.id.as_str()).collect();
        for c in &g.cross {
            if !ids.contains(c.from.as_str()) || !ids.contains(c.to.as_str()) {
                return Err(ClinicalError::curated(
                    path,
                    format!("cross link {} -> {} names an unknown group", c.from, c.to),
                ));
            }
        }
        Ok(g)
    }
}

/// One row of `max_daily_doses.csv`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MaxDoseRow {
    pub drug: String,
    pub route: String,
    pub form_note: String,
    pub max_daily_dose: f64,
    pub unit: String,
    pub per_kg: bool,
    pub population: String,
    pub condition: String,
    pub citation: String,
}

pub fn parse_max_doses(bytes: &[u8], path: &Path) -> Result<Vec<MaxDoseRow>> {
    let rows = csv::Reader::from_reader(bytes)
        .deserialize()
        .collect::<Result<Vec<MaxDoseRow>, _>>()
        .map_err(|e| ClinicalError::curated(path, e.to_string()))?;
    if let Some(bad) = rows
        .iter()
        .find(|r| r.max_daily_dose.is_nan() || r.max_daily_dose <= 0.0)
    {
        return Err(ClinicalError::curated(
            path,
            format!("{}: max_daily_dose must be > 0", bad.drug),
        ));
    }
    Ok(rows)
}

/// All curated files, read together.
#[derive(Debug, Clone, Default)]
pub struct Curated {
    pub us: UsSupplement,
    pub duplicates: DuplicateTherapy,
    pub allergies: AllergyGroups,
    pub max_doses: Vec<MaxDoseRow>,
}

impl Curated {
    /// The real build reads every file; a missing one is an error.
    pub fn read(kb: &Path) -> Result<Self> {
        let us_path = kb.join("us_supplement.toml");
        let dup_path = kb.join("duplicate_therapy.toml");
        let all_path = kb.join("allergy_groups.toml");
        let dose_path = kb.join("max_daily_doses.csv");
        Ok(Curated {
            us: UsSupplement::parse(&read_string(&us_path)?, &us_path)?,
            duplicates: toml::from_str(&read_string(&dup_path)?)
                .map_err(|e| ClinicalError::curated(&dup_path, e.to_string()))?,
            allergies: AllergyGroups::parse(&read_string(&all_path)?, &all_path)?,
            max_doses: parse_max_doses(&read_bytes(&dose_path)?, &dose_path)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn supplement_rejects_undefined_class() {
        let text = r#"
schema_version = 1
[[rule]]
id = "us-x"
a = "class:nope"
b = "warfarin"
severity = "major"
mechanism = "m"
management = "g"
evidence = "label"
citation = "c"
"#;
        assert!(UsSupplement::parse(text, Path::new("t.toml")).is_err());
    }

    #[test]
    fn supplement_rejects_unknown_severity() {
        let text = r#"
[[rule]]
id = "us-x"
a = "a"
b = "b"
severity = "severe"
mechanism = "m"
management = "g"
evidence = "label"
citation = "c"
"#;
        assert!(UsSupplement::parse(text, Path::new("t.toml")).is_err());
    }

    #[test]
    fn max_doses_parse() {
        let csv = "drug,route,form_note,max_daily_dose,unit,per_kg,population,condition,citation\n\
                   lisinopril,oral,,80,mg,false,adult,\"hypertension; hf 40\",Zestril\n";
        let rows = parse_max_doses(csv.as_bytes(), Path::new("m.csv")).unwrap();
        assert_eq!(rows[0].max_daily_dose, 80.0);
        assert!(!rows[0].per_kg);
    }
}
