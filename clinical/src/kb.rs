//! `Kb`: a loaded snapshot, the entry point for search and checks.

use crate::build::{Inputs, compile};
use crate::error::{ClinicalError, Result};
use crate::index::NameIndex;
use crate::model::{Ingredient, IngredientId, Product, Rule, Tables, pair_key};
use crate::snapshot::{self, Counts, Manifest};
use crate::sources::SourcePaths;
use crate::text::name_key;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub struct Kb {
    id: Arc<str>,
    dir: PathBuf,
    pub(crate) t: Tables,
    pair_lookup: FxHashMap<u64, u32>,
    ingredient_lookup: FxHashMap<String, IngredientId>,
    pub(crate) products_by_ingredient: Vec<Vec<u32>>,
    /// Duplicate-therapy groups of each ingredient (most have none).
    pub(crate) duplicate_groups_of: Vec<Vec<u32>>,
    /// Allergy groups by the name key of their id, name or alias: allergy
    /// text is matched on every check, so the keys are folded once here.
    pub(crate) allergy_groups_by_key: FxHashMap<String, Vec<usize>>,
    pub(crate) index: NameIndex,
    /// Names already resolved. The snapshot never changes under a loaded
    /// `Kb`, and services resolve the same few hundred names all day (a
    /// fuzzy miss walks much of the index), so answers are kept.
    pub(crate) resolved: std::sync::Mutex<FxHashMap<String, Option<crate::search::Candidate>>>,
}

/// What `kb build` reports.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub snapshot_id: String,
    pub dir: PathBuf,
    pub counts: Counts,
    /// Curated names that match nothing: worth a curator's look.
    pub warnings: Vec<String>,
    pub seconds: f64,
}

/// Where snapshots live by default: `<data_dir>/cache/kb`.
pub fn default_root(data_dir: &Path) -> PathBuf {
    data_dir.join("cache").join("kb")
}

/// Builds a snapshot from `paths` under `root` and points `root/CURRENT` at it.
pub fn build_snapshot(paths: &SourcePaths, root: &Path) -> Result<BuildReport> {
    let start = Instant::now();
    let (snapshot_id, inputs) = snapshot::compute_id(&paths.inputs())?;
    let tables = compile(&Inputs::read(paths)?);
    let counts = Counts::of(&tables);
    let warnings = tables.build_warnings.clone();
    let manifest = Manifest {
        snapshot_id: snapshot_id.clone(),
        build_code_version: snapshot::build_code_version(),
        inputs,
        counts: counts.clone(),
    };
    let dir = snapshot::write(root, &manifest, &tables)?;
    Ok(BuildReport {
        snapshot_id,
        dir,
        counts,
        warnings,
        seconds: start.elapsed().as_secs_f64(),
    })
}

impl Kb {
    /// Loads the snapshot `root/CURRENT` points at.
    pub fn open_current(root: &Path) -> Result<Kb> {
        Kb::open(&snapshot::current_dir(root)?)
    }

    /// Loads one snapshot directory.
    pub fn open(dir: &Path) -> Result<Kb> {
        let manifest = snapshot::read_manifest(dir)?;
        let t = snapshot::read_tables(dir)?;
        let index = NameIndex::open(&dir.join("index"))?;
        validate(&t).map_err(|reason| ClinicalError::snapshot(dir, reason))?;
        let pair_lookup = t
            .pair_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        let ingredient_lookup = t
            .ingredients
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.clone(), IngredientId(i as u32)))
            .collect();
        let mut products_by_ingredient = vec![Vec::new(); t.ingredients.len()];
        for (p, prod) in t.products.iter().enumerate() {
            for ing in &prod.ingredients {
                if let Some(v) = products_by_ingredient.get_mut(ing.ingredient.index()) {
                    v.push(p as u32);
                }
            }
        }
        let mut duplicate_groups_of = vec![Vec::new(); t.ingredients.len()];
        for (g, group) in t.duplicate_groups.iter().enumerate() {
            for m in &group.members {
                if let Some(v) = duplicate_groups_of.get_mut(m.index()) {
                    v.push(g as u32);
                }
            }
        }
        let allergy_groups_by_key = allergy_keys(&t);
        Ok(Kb {
            id: manifest.snapshot_id.into(),
            dir: dir.to_path_buf(),
            t,
            pair_lookup,
            ingredient_lookup,
            products_by_ingredient,
            duplicate_groups_of,
            allergy_groups_by_key,
            index,
            resolved: Default::default(),
        })
    }

    /// Recorded on every finding, so a past check can be replayed.
    pub fn snapshot_id(&self) -> &str {
        &self.id
    }

    /// Shared by every finding instead of copied into each.
    pub(crate) fn snapshot_arc(&self) -> &Arc<str> {
        &self.id
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn counts(&self) -> Counts {
        Counts::of(&self.t)
    }

    pub fn ingredient(&self, id: IngredientId) -> Option<&Ingredient> {
        self.t.ingredients.get(id.index())
    }

    pub fn ingredient_name(&self, id: IngredientId) -> &str {
        self.ingredient(id).map_or("?", |i| i.name.as_str())
    }

    /// Exact US generic name ("metoprolol") to its id.
    pub fn ingredient_by_name(&self, name: &str) -> Option<IngredientId> {
        self.ingredient_lookup.get(&name_key(name)).copied()
    }

    pub fn product(&self, index: u32) -> Option<&Product> {
        self.t.products.get(index as usize)
    }

    /// Every product, in index order.
    pub fn products(&self) -> &[Product] {
        &self.t.products
    }

    /// The interaction rules recorded for an unordered ingredient pair.
    pub(crate) fn pair_rules(&self, a: IngredientId, b: IngredientId) -> &[u32] {
        match self.pair_lookup.get(&pair_key(a, b)) {
            Some(i) => self
                .t
                .pair_rules
                .get(*i as usize)
                .map_or(&[], Vec::as_slice),
            None => &[],
        }
    }

    /// Index of a folded search key; keys are stored sorted.
    pub(crate) fn key_index(&self, folded: &str) -> Option<u32> {
        self.t
            .keys
            .binary_search_by(|k| k.as_str().cmp(folded))
            .ok()
            .map(|i| i as u32)
    }

    pub(crate) fn rule(&self, idx: u32) -> Option<&Rule> {
        self.t.rules.get(idx as usize)
    }
}

fn all_in<'a>(n: usize, ids: impl IntoIterator<Item = &'a IngredientId>) -> bool {
    ids.into_iter().all(|i| i.index() < n)
}

/// Every index a check follows must be in range: a damaged or mismatched
/// snapshot is refused at load rather than panicking mid-check.
fn validate(t: &Tables) -> std::result::Result<(), String> {
    let n_ing = t.ingredients.len();
    let checks = [
        (
            "pair tables differ in length",
            t.pair_keys.len() == t.pair_rules.len(),
        ),
        (
            "key tables differ in length",
            t.keys.len() == t.key_names.len(),
        ),
        ("search keys are not sorted", t.keys.is_sorted()),
        (
            "a pair names an unknown rule",
            t.pair_rules
                .iter()
                .flatten()
                .all(|&r| (r as usize) < t.rules.len()),
        ),
        (
            "a key names an unknown name",
            t.key_names
                .iter()
                .flatten()
                .all(|&n| (n as usize) < t.names.len()),
        ),
        (
            "a name names an unknown ingredient",
            all_in(n_ing, t.names.iter().flat_map(|n| &n.ingredients)),
        ),
        (
            "a product names an unknown ingredient",
            all_in(
                n_ing,
                t.products
                    .iter()
                    .flat_map(|p| p.ingredients.iter().map(|i| &i.ingredient)),
            ),
        ),
        (
            "a package names an unknown product",
            t.packages
                .iter()
                .chain(&t.product_codes)
                .all(|(_, p)| (*p as usize) < t.products.len()),
        ),
        (
            "a group names an unknown ingredient",
            all_in(n_ing, t.duplicate_groups.iter().flat_map(|g| &g.members))
                && all_in(n_ing, t.allergy_groups.iter().flat_map(|g| &g.members))
                && all_in(n_ing, t.max_doses.iter().map(|m| &m.ingredient))
                && all_in(n_ing, t.ingredients.iter().flat_map(|i| &i.look_alikes)),
        ),
        (
            "a cross link names an unknown group",
            t.allergy_cross.iter().all(|x| {
                (x.from as usize) < t.allergy_groups.len()
                    && (x.to as usize) < t.allergy_groups.len()
            }),
        ),
    ];
    match checks.iter().find(|(_, ok)| !ok) {
        Some((reason, _)) => Err((*reason).to_string()),
        None => Ok(()),
    }
}

fn allergy_keys(t: &Tables) -> FxHashMap<String, Vec<usize>> {
    let mut by_key: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, g) in t.allergy_groups.iter().enumerate() {
        let keys = [name_key(&g.id), name_key(&g.name)]
            .into_iter()
            .chain(g.aliases.iter().cloned());
        for key in keys {
            let groups = by_key.entry(key).or_default();
            if !groups.contains(&i) {
                groups.push(i);
            }
        }
    }
    by_key
}
