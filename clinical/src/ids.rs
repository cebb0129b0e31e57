//! The builder's ingredient registry: gives each active moiety a dense id and
//! resolves the many spellings of it (salt, acid/-ate, US/INN) to that id.

use crate::model::{DeaSchedule, IngredientId};
use crate::text::{name_key, strip_salt};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub name: String,
    pub ansm: BTreeSet<String>,
    pub rxcuis: BTreeSet<u32>,
    pub classes: BTreeSet<u32>,
    /// Schedules seen on single-ingredient products, and how many such
    /// products there were.
    pub schedules: Vec<DeaSchedule>,
    pub single_products: u32,
    pub products: u32,
}

impl Draft {
    /// The ingredient's schedule: the most common one on its
    /// single-ingredient products, if at least a fifth of them carry one.
    /// A handful of mislabelled OTC rows (aspirin "CIV") must not schedule
    /// a whole moiety.
    pub fn dea(&self) -> Option<DeaSchedule> {
        if self.schedules.len() * 5 < self.single_products as usize {
            return None;
        }
        let mut counts: Vec<(usize, DeaSchedule)> = Vec::new();
        for s in &self.schedules {
            match counts.iter_mut().find(|(_, x)| x == s) {
                Some(c) => c.0 += 1,
                None => counts.push((1, *s)),
            }
        }
        counts.into_iter().max().map(|(_, s)| s)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    by_name: HashMap<String, IngredientId>,
    /// Exact NDC substance strings (name-keyed) to their moiety.
    by_salt: HashMap<String, IngredientId>,
    pub items: Vec<Draft>,
}

/// "alendronic acid" <-> "alendronate": INN acids and US salt names.
fn acid_variants(key: &str) -> Vec<String> {
    if let Some(stem) = key.strip_suffix("ic acid") {
        vec![format!("{stem}ate")]
    } else if let Some(stem) = key.strip_suffix("ate") {
        vec![format!("{stem}ic acid")]
    } else {
        Vec::new()
    }
}

impl Registry {
    pub fn get_or_create(&mut self, name: &str) -> IngredientId {
        if let Some(id) = self.lookup(name) {
            return id;
        }
        self.create(&name_key(name))
    }

    fn create(&mut self, key: &str) -> IngredientId {
        let id = IngredientId(self.items.len() as u32);
        self.items.push(Draft {
            name: key.to_string(),
            ..Draft::default()
        });
        self.by_name.insert(key.to_string(), id);
        id
    }

    /// Creates the moiety under exactly this key (used for NDC substances,
    /// whose stripped name *is* the moiety name).
    pub fn get_or_create_exact(&mut self, key: &str) -> IngredientId {
        match self.by_name.get(key) {
            Some(id) => *id,
            None => self.create(key),
        }
    }

    pub fn record_salt(&mut self, salt: &str, id: IngredientId) {
        self.by_salt.entry(name_key(salt)).or_insert(id);
        let stripped = strip_salt(salt);
        self.by_salt.entry(stripped).or_insert(id);
    }

    pub fn salt(&self, salt: &str) -> Option<IngredientId> {
        self.by_salt.get(&name_key(salt)).copied()
    }

    /// Resolves a generic name without creating anything.
    pub fn lookup(&self, name: &str) -> Option<IngredientId> {
        let key = name_key(name);
        if key.is_empty() {
            return None;
        }
        let stripped = strip_salt(&key);
        let mut tries = vec![key.clone(), stripped.clone()];
        tries.extend(acid_variants(&key));
        tries.extend(acid_variants(&stripped));
        for t in &tries {
            if let Some(id) = self.by_name.get(t) {
                return Some(*id);
            }
        }
        tries.iter().find_map(|t| self.by_salt.get(t).copied())
    }

    pub fn get(&mut self, id: IngredientId) -> &mut Draft {
        &mut self.items[id.index()]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resolves_salts_and_acids() {
        let mut r = Registry::default();
        let alen = r.get_or_create_exact("alendronate");
        r.record_salt("ALENDRONATE SODIUM", alen);
        assert_eq!(r.lookup("alendronic acid"), Some(alen));
        assert_eq!(r.lookup("Alendronate Sodium"), Some(alen));
        let val = r.get_or_create("valproic acid");
        r.record_salt("DIVALPROEX SODIUM", val);
        assert_eq!(r.lookup("divalproex"), Some(val));
        assert_eq!(r.lookup(""), None);
    }
}
