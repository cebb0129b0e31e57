//! Content-addressed snapshot directories.
//!
//! ```text
//! <root>/CURRENT                 id of the snapshot to load
//! <root>/<id>/manifest.json      id, build code version, input hashes, counts
//! <root>/<id>/tables.bin         postcard-encoded `Tables`
//! <root>/<id>/index/             tantivy index of the search keys
//! ```
//! The id is a hash of every input file and of the build code version, so
//! a finding that records it can be replayed against the same knowledge.

use crate::error::{ClinicalError, Result};
use crate::model::Tables;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bump when the builder's output changes for the same inputs. The id also
/// hashes the builder's own source files (below), so a code change that
/// forgets the bump still yields a new id.
pub const BUILD_CODE_VERSION: &str =
    concat!("rxflow-clinical ", env!("CARGO_PKG_VERSION"), " build 1");

const BUILDER_SOURCES: &[&str] = &[
    include_str!("build.rs"),
    include_str!("ids.rs"),
    include_str!("text.rs"),
    include_str!("fold.rs"),
    include_str!("model.rs"),
    include_str!("index.rs"),
    include_str!("snapshot.rs"),
    include_str!("severity.rs"),
    include_str!("sources/ansm.rs"),
    include_str!("sources/curated.rs"),
    include_str!("sources/ndc.rs"),
    include_str!("sources/synonyms.rs"),
    include_str!("sources/unii.rs"),
];

/// The build code version with a digest of the builder's sources.
pub fn build_code_version() -> String {
    let mut h = Sha256::new();
    for s in BUILDER_SOURCES {
        h.update(s.as_bytes());
    }
    format!(
        "{BUILD_CODE_VERSION} src {}",
        &hex::encode(h.finalize())[..12]
    )
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputHash {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub snapshot_id: String,
    pub build_code_version: String,
    pub inputs: Vec<InputHash>,
    pub counts: Counts,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Counts {
    pub ingredients: usize,
    pub classes: usize,
    pub products: usize,
    pub packages: usize,
    pub names: usize,
    pub search_keys: usize,
    pub rules: usize,
    pub ingredient_pairs: usize,
    pub duplicate_groups: usize,
    pub allergy_groups: usize,
    pub max_dose_rows: usize,
    pub build_warnings: usize,
}

impl Counts {
    pub fn of(t: &Tables) -> Self {
        Counts {
            ingredients: t.ingredients.len(),
            classes: t.classes.len(),
            products: t.products.len(),
            packages: t.packages.len(),
            names: t.names.len(),
            search_keys: t.keys.len(),
            rules: t.rules.len(),
            ingredient_pairs: t.pair_keys.len(),
            duplicate_groups: t.duplicate_groups.len(),
            allergy_groups: t.allergy_groups.len(),
            max_dose_rows: t.max_doses.len(),
            build_warnings: t.build_warnings.len(),
        }
    }
}

fn hash_file(path: &Path) -> Result<InputHash> {
    let mut f = std::fs::File::open(path).map_err(|e| ClinicalError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| ClinicalError::io(path, e))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        h.update(&buf[..n]);
    }
    // Only the last two path components: the id must not depend on where
    // the repository is checked out.
    let file = path
        .iter()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| c.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Ok(InputHash {
        file,
        bytes,
        sha256: hex::encode(h.finalize()),
    })
}

/// Hashes the inputs; returns the snapshot id and the per-file hashes.
pub fn compute_id(inputs: &[PathBuf]) -> Result<(String, Vec<InputHash>)> {
    let hashes = inputs
        .iter()
        .map(|p| hash_file(p))
        .collect::<Result<Vec<_>>>()?;
    let mut h = Sha256::new();
    h.update(build_code_version().as_bytes());
    for i in &hashes {
        h.update(format!("\n{} {} {}", i.file, i.bytes, i.sha256).as_bytes());
    }
    let id = format!("kb-{}", &hex::encode(h.finalize())[..20]);
    Ok((id, hashes))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| ClinicalError::io(path, e))
}

/// Writes a snapshot atomically (temp dir, then rename) and points CURRENT
/// at it. Returns the snapshot directory.
pub fn write(root: &Path, manifest: &Manifest, tables: &Tables) -> Result<PathBuf> {
    std::fs::create_dir_all(root).map_err(|e| ClinicalError::io(root, e))?;
    let final_dir = root.join(&manifest.snapshot_id);
    let tmp = root.join(format!(
        ".tmp-{}-{}",
        manifest.snapshot_id,
        std::process::id()
    ));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| ClinicalError::io(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| ClinicalError::io(&tmp, e))?;
    let bin = postcard::to_stdvec(tables)
        .map_err(|e| ClinicalError::snapshot(&tmp, format!("encode tables: {e}")))?;
    write_file(&tmp.join("tables.bin"), &bin)?;
    crate::index::NameIndex::create(&tmp.join("index"), &tables.keys)?;
    let json = serde_json::to_vec_pretty(manifest)
        .map_err(|e| ClinicalError::snapshot(&tmp, e.to_string()))?;
    write_file(&tmp.join("manifest.json"), &json)?;
    if final_dir.exists() {
        std::fs::remove_dir_all(&final_dir).map_err(|e| ClinicalError::io(&final_dir, e))?;
    }
    std::fs::rename(&tmp, &final_dir).map_err(|e| ClinicalError::io(&final_dir, e))?;
    let cur_tmp = root.join(format!(".CURRENT-{}", std::process::id()));
    write_file(&cur_tmp, manifest.snapshot_id.as_bytes())?;
    std::fs::rename(&cur_tmp, root.join("CURRENT")).map_err(|e| ClinicalError::io(root, e))?;
    Ok(final_dir)
}

/// The directory CURRENT points at.
pub fn current_dir(root: &Path) -> Result<PathBuf> {
    let cur = root.join("CURRENT");
    let id = std::fs::read_to_string(&cur).map_err(|e| ClinicalError::io(&cur, e))?;
    let id = id.trim();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ClinicalError::snapshot(
            cur,
            format!("CURRENT holds an invalid id {id:?}"),
        ));
    }
    Ok(root.join(id))
}

pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let p = dir.join("manifest.json");
    let bytes = std::fs::read(&p).map_err(|e| ClinicalError::io(&p, e))?;
    serde_json::from_slice(&bytes).map_err(|e| ClinicalError::snapshot(dir, e.to_string()))
}

pub fn read_tables(dir: &Path) -> Result<Tables> {
    let p = dir.join("tables.bin");
    let bytes = std::fs::read(&p).map_err(|e| ClinicalError::io(&p, e))?;
    postcard::from_bytes(&bytes)
        .map_err(|e| ClinicalError::snapshot(dir, format!("decode tables: {e}")))
}
