//! Drug-name dictionary of drug-named-entity-recognition (DrugBank open
//! vocabulary, MeSH, MedlinePlus, NHS, Wikipedia merged). Wikipedia-derived
//! rows are dropped as data/kb/README.md §4 prescribes.

use super::read_bytes;
use crate::error::{ClinicalError, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
pub struct Canonical {
    /// Absent on one entry (alpha-tocopherol); the key then serves.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub drugbank_id: Option<String>,
    #[serde(default)]
    pub mesh_id: Option<String>,
    #[serde(default)]
    pub medline_plus_id: Option<String>,
    #[serde(default)]
    pub nhs_url: Option<String>,
    #[serde(default)]
    pub wikipedia_url: Option<String>,
}

impl Canonical {
    fn has_other_source(&self) -> bool {
        self.drugbank_id.is_some()
            || self.mesh_id.is_some()
            || self.medline_plus_id.is_some()
            || self.nhs_url.is_some()
    }

    /// Which source vouches for this canonical, for the name's provenance.
    pub fn source_label(&self) -> &'static str {
        if self.drugbank_id.is_some() {
            "drugbank"
        } else if self.mesh_id.is_some() {
            "mesh"
        } else if self.medline_plus_id.is_some() {
            "medlineplus"
        } else {
            "nhs"
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct VariantData {
    #[serde(default)]
    is_brand: bool,
}

#[derive(Deserialize)]
struct Dictionary {
    drug_variant_to_canonical: HashMap<String, Vec<String>>,
    drug_canonical_to_data: HashMap<String, Canonical>,
    drug_variant_to_variant_data: HashMap<String, VariantData>,
}

/// A surface form kept after the Wikipedia filter.
#[derive(Debug, Clone)]
pub struct Synonym {
    pub variant: String,
    pub canonical_key: String,
    pub canonical: Canonical,
    pub is_brand: bool,
    /// True when the variant could only be kept because another source
    /// (UNII, NDC) confirms it.
    pub needs_confirmation: bool,
}

/// Reads the dictionary, dropping Wikipedia-only canonicals. Variants of
/// canonicals that also cite Wikipedia are returned with
/// `needs_confirmation`; the builder keeps them only if UNII or NDC know the
/// name.
pub fn read_synonyms(path: &Path) -> Result<Vec<Synonym>> {
    let dict: Dictionary = serde_json::from_slice(&read_bytes(path)?)
        .map_err(|e| ClinicalError::source(path, e.to_string()))?;
    let mut out = Vec::with_capacity(dict.drug_variant_to_canonical.len());
    for (variant, canon) in &dict.drug_variant_to_canonical {
        let Some(key) = canon.first() else { continue };
        let Some(data) = dict.drug_canonical_to_data.get(key) else {
            continue;
        };
        if !data.has_other_source() {
            continue;
        }
        let needs_confirmation = data.wikipedia_url.is_some() && variant != key;
        out.push(Synonym {
            variant: variant.clone(),
            canonical_key: key.clone(),
            canonical: data.clone(),
            is_brand: dict
                .drug_variant_to_variant_data
                .get(variant)
                .is_some_and(|v| v.is_brand),
            needs_confirmation,
        });
    }
    // HashMap order is random; the snapshot must not depend on it.
    out.sort_by(|a, b| a.variant.cmp(&b.variant));
    Ok(out)
}
