//! Drug search: generic names, brands (combination brands resolve to every
//! ingredient), salts, synonyms, NDCs in any layout, and names written with
//! strength and form ("amoxicilin 500 mg caps"). OCR-aware: keys are
//! folded (see `fold`) and candidates ranked by edit distance.

use crate::build::product_code;
use crate::codes::Ndc;
use crate::error::{ClinicalError, Result};
use crate::fold::{fold_key, levenshtein};
use crate::index::budget;
use crate::kb::Kb;
use crate::model::{IngredientId, NameKind, Product};
use crate::regimen::{ItemStatus, RegimenItem};
use crate::text::name_key;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Longer input is not a drug name; refuse it before doing any work.
pub const MAX_QUERY_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strength {
    pub value: f64,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedQuery {
    /// The name part, strength and form words removed.
    pub name: String,
    pub strength: Option<Strength>,
    /// NDC dosage-form word to look for ("TABLET", "CAPSULE").
    pub form: Option<String>,
    /// Release modifier ("EXTENDED RELEASE").
    pub release: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    Exact,
    /// Equal once OCR confusables are folded.
    Folded,
    /// Whole name within a small edit distance.
    Fuzzy,
    /// Some words of the name match.
    Words,
    Ndc,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngredientRef {
    pub id: IngredientId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductMatch {
    pub index: u32,
    pub product_ndc: String,
    pub brand: String,
    pub generic: String,
    pub form: String,
    pub routes: String,
    pub strength: String,
    pub listed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub matched_name: String,
    pub name_kind: NameKind,
    pub source: String,
    pub match_kind: MatchKind,
    pub ingredients: Vec<IngredientRef>,
    /// Closeness of the name, 0..=1.
    pub score: f32,
    /// Edit distance between the folded query and the folded name.
    pub distance: u32,
    /// Confusable drug names (hydroxyzine for hydralazine): callers should
    /// lower their confidence and show them.
    pub look_alikes: Vec<String>,
    /// Score lowered for look-alikes and close competitors.
    pub confidence: f32,
    /// Products with the queried strength/form (or the NDC's product).
    pub products: Vec<ProductMatch>,
    /// `Some(true)` when strength/form were given and a product has them.
    pub strength_confirmed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    pub query: String,
    pub parsed: ParsedQuery,
    pub candidates: Vec<Candidate>,
}

fn validate(query: &str) -> Result<()> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(ClinicalError::BadQuery(format!(
            "query longer than {MAX_QUERY_BYTES} bytes"
        )));
    }
    if query.chars().any(char::is_control) {
        return Err(ClinicalError::BadQuery(
            "query contains control characters".into(),
        ));
    }
    if query.trim().is_empty() {
        return Err(ClinicalError::BadQuery("empty query".into()));
    }
    Ok(())
}

const FORMS: &[(&[&str], &str)] = &[
    (&["tab", "tabs", "tablet", "tablets", "tb"], "TABLET"),
    (&["cap", "caps", "capsule", "capsules"], "CAPSULE"),
    (&["sol", "soln", "solution", "drops"], "SOLUTION"),
    (&["susp", "suspension"], "SUSPENSION"),
    (&["inj", "injection", "injectable"], "INJECTION"),
    (&["cream", "crm"], "CREAM"),
    (&["oint", "ointment"], "OINTMENT"),
    (&["patch", "patches"], "PATCH"),
    (&["syrup"], "SYRUP"),
    (&["gel"], "GEL"),
    (&["spray"], "SPRAY"),
    (&["supp", "suppository"], "SUPPOSITORY"),
    (&["inhaler", "aerosol", "mdi"], "AEROSOL"),
    (&["lotion"], "LOTION"),
    (&["powder"], "POWDER"),
    (&["elixir"], "ELIXIR"),
];

const RELEASES: &[(&[&str], &str)] = &[
    (
        &["er", "xr", "sr", "xl", "la", "cr", "cd"],
        "EXTENDED RELEASE",
    ),
    (&["dr", "ec"], "DELAYED RELEASE"),
    (&["odt"], "ORALLY DISINTEGRATING"),
];

/// Words that describe how a drug is given, not which drug it is.
const NOISE: &[&str] = &[
    "unspecified",
    "form",
    "oral",
    "po",
    "route",
    "dose",
    "generic",
    "tablets",
    "by",
    "mouth",
];

const UNITS: &[&str] = &[
    "mg", "mcg", "g", "ml", "%", "unit", "units", "iu", "meq", "ug", "mg/ml", "mg/5ml", "mcg/ml",
];

/// Splits "500mg" / "0.5 mg" / "5%" into a strength when the rest is a unit.
fn strength_of(token: &str, next: Option<&str>) -> Option<(Strength, bool)> {
    let num_len = token
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(token.len());
    if num_len == 0 {
        return None;
    }
    let value: f64 = token[..num_len].replace(',', "").parse().ok()?;
    let rest = &token[num_len..];
    if rest.is_empty() {
        let unit = next.filter(|n| UNITS.contains(n))?;
        return Some((
            Strength {
                value,
                unit: unit.to_string(),
            },
            true,
        ));
    }
    UNITS.contains(&rest).then(|| {
        (
            Strength {
                value,
                unit: rest.to_string(),
            },
            false,
        )
    })
}

pub fn parse_query(query: &str) -> ParsedQuery {
    let lower = query.to_lowercase();
    let tokens: Vec<&str> = lower.split_whitespace().collect();
    let mut parsed = ParsedQuery {
        name: String::new(),
        strength: None,
        form: None,
        release: None,
    };
    let mut name = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        let bare = t.trim_matches(|c: char| c == ',' || c == ';' || c == '(' || c == ')');
        if let Some((s, used_next)) = strength_of(bare, tokens.get(i + 1).copied()) {
            parsed.strength.get_or_insert(s);
            i += if used_next { 2 } else { 1 };
            continue;
        }
        if let Some((_, f)) = FORMS.iter().find(|(ws, _)| ws.contains(&bare)) {
            parsed.form.get_or_insert(f.to_string());
        } else if let Some((_, r)) = RELEASES
            .iter()
            .find(|(ws, _)| ws.contains(&bare))
            .filter(|_| !name.is_empty())
        {
            parsed.release.get_or_insert(r.to_string());
        } else if !NOISE.contains(&bare) {
            name.push(t);
        }
        i += 1;
    }
    parsed.name = name.join(" ");
    parsed
}

/// 9, 10 or 11 digits with optional hyphens: an NDC, not a name.
fn looks_like_ndc(q: &str) -> bool {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    q.chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c.is_whitespace())
        && (8..=11).contains(&digits)
}

/// Scores how well the query's words cover a key's words (and vice versa).
/// A word matched at distance d earns `len - 2d` characters of credit, so an
/// exact word beats a near one ("oxybate" → sodium oxybate, not oxylate).
fn word_score(query: &str, key: &str) -> (f32, u32) {
    let kw: Vec<&str> = key.split(' ').collect();
    let mut credit = vec![0usize; kw.len()];
    let (mut q_hit, mut q_all, mut dist) = (0usize, 0usize, 0u32);
    for w in query.split(' ') {
        q_all += w.len();
        let cap = usize::from(budget(w.len()));
        let best = kw
            .iter()
            .enumerate()
            .map(|(j, k)| (levenshtein(w, k, cap), j))
            .filter(|(d, _)| *d <= cap)
            .min();
        if let Some((d, j)) = best {
            let c = w.len().saturating_sub(2 * d);
            credit[j] = credit[j].max(kw[j].len().saturating_sub(2 * d));
            q_hit += c;
            dist += d as u32;
        }
    }
    let k_all: usize = kw.iter().map(|k| k.len()).sum();
    let k_hit: usize = credit.iter().sum();
    if q_all == 0 || k_all == 0 || q_hit == 0 {
        return (0.0, dist);
    }
    let cover = 0.6 * q_hit as f32 / q_all as f32 + 0.4 * k_hit as f32 / k_all as f32;
    (0.9 * cover, dist)
}

type Hits = FxHashMap<u32, (f32, u32, MatchKind)>;

/// Keeps the best score seen for a key.
fn put(hits: &mut Hits, key: u32, score: f32, dist: u32, kind: MatchKind) {
    let e = hits.entry(key).or_insert((score, dist, kind));
    if score > e.0 {
        *e = (score, dist, kind);
    }
}

fn strength_text(p: &Product) -> String {
    p.ingredients
        .iter()
        .map(|i| format!("{} {}", i.strength, i.unit))
        .collect::<Vec<_>>()
        .join("; ")
}

fn same_strength(p: &Product, s: &Strength) -> bool {
    p.ingredients.iter().any(|i| {
        let unit = i.unit.split('/').next().unwrap_or("").to_ascii_lowercase();
        let value: f64 = i.strength.parse().unwrap_or(f64::NAN);
        let wanted = s.unit.split('/').next().unwrap_or("");
        (value - s.value).abs() < 1e-6
            && (unit == wanted || (wanted == "iu" && unit.contains("iu")))
    })
}

/// Names [`Kb::resolve`] remembers before it starts over.
const RESOLVED_MAX: usize = 20_000;

impl Kb {
    /// Ranked candidates for `query`. Errors only for refused input (empty,
    /// too long, control characters); an unknown name gives no candidates.
    pub fn search(&self, query: &str) -> Result<SearchResult> {
        validate(query)?;
        if looks_like_ndc(query) {
            let candidates = self.search_ndc(query);
            let parsed = ParsedQuery {
                name: query.trim().to_string(),
                strength: None,
                form: None,
                release: None,
            };
            return Ok(SearchResult {
                query: query.to_string(),
                parsed,
                candidates,
            });
        }
        let parsed = parse_query(query);
        let key = name_key(&parsed.name);
        let folded = fold_key(&key);
        if folded.is_empty() {
            return Err(ClinicalError::BadQuery("no drug name in the query".into()));
        }
        let mut hits = Hits::default();
        if let Some(k) = self.key_index(&folded) {
            put(&mut hits, k, 1.0, 0, MatchKind::Exact);
        } else {
            let cap = usize::from(budget(folded.chars().count()));
            for k in self.index.near_keys(&folded, 64)? {
                let Some(kt) = self.t.keys.get(k as usize) else {
                    continue;
                };
                let d = levenshtein(&folded, kt, cap);
                let len = folded.chars().count().max(kt.chars().count()) as f32;
                put(
                    &mut hits,
                    k,
                    0.95 * (1.0 - d as f32 / len),
                    d as u32,
                    MatchKind::Fuzzy,
                );
            }
            // Word matching finds partial names ("oxybate" → sodium oxybate);
            // it is skipped when the whole name is already within one edit.
            let close = hits.values().any(|(s, d, _)| *d <= 1 && *s > 0.8);
            let words: Vec<&str> = folded.split(' ').collect();
            let word_hits = if close {
                Vec::new()
            } else {
                self.index.word_keys(&words, 200)?
            };
            for (_, k) in word_hits {
                let Some(kt) = self.t.keys.get(k as usize) else {
                    continue;
                };
                let (s, d) = word_score(&folded, kt);
                if s > 0.3 {
                    put(&mut hits, k, s, d, MatchKind::Words);
                }
            }
        }
        let mut candidates = self.candidates_from(&key, hits);
        self.add_products(&parsed, &mut candidates);
        Ok(SearchResult {
            query: query.to_string(),
            parsed,
            candidates,
        })
    }

    /// Name entries behind the hit keys, one candidate per ingredient set.
    fn candidates_from(&self, key: &str, hits: Hits) -> Vec<Candidate> {
        let mut best: FxHashMap<Vec<IngredientId>, (Candidate, u32)> = FxHashMap::default();
        for (k, (score, dist, mk)) in hits {
            let Some(names) = self.t.key_names.get(k as usize) else {
                continue;
            };
            for &n in names {
                let Some(e) = self.t.names.get(n as usize) else {
                    continue;
                };
                let (score, mk) = match mk {
                    MatchKind::Exact if name_key(&e.text) != key => (0.97, MatchKind::Folded),
                    other => (score, other),
                };
                let cand = Candidate {
                    matched_name: e.text.clone(),
                    name_kind: e.kind,
                    source: e.source.clone(),
                    match_kind: mk,
                    ingredients: e
                        .ingredients
                        .iter()
                        .map(|&id| IngredientRef {
                            id,
                            name: self.ingredient_name(id).to_string(),
                        })
                        .collect(),
                    score,
                    distance: dist,
                    look_alikes: Vec::new(),
                    confidence: score,
                    products: Vec::new(),
                    strength_confirmed: None,
                };
                let better = |old: &(Candidate, u32)| {
                    (score, std::cmp::Reverse(e.kind), e.weight)
                        > (old.0.score, std::cmp::Reverse(old.0.name_kind), old.1)
                };
                match best.get(&e.ingredients) {
                    Some(old) if !better(old) => {}
                    _ => {
                        best.insert(e.ingredients.clone(), (cand, e.weight));
                    }
                }
            }
        }
        let mut out: Vec<(Candidate, u32)> = best.into_values().collect();
        out.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.name_kind.cmp(&b.0.name_kind))
                .then(b.1.cmp(&a.1))
                .then(a.0.matched_name.cmp(&b.0.matched_name))
        });
        out.truncate(10);
        let mut out: Vec<Candidate> = out.into_iter().map(|(c, _)| c).collect();
        let runner_up = out.get(1).map(|c| c.score);
        for (i, c) in out.iter_mut().enumerate() {
            c.look_alikes = c
                .ingredients
                .iter()
                .filter_map(|r| self.ingredient(r.id))
                .flat_map(|g| {
                    g.look_alikes
                        .iter()
                        .map(|&l| self.ingredient_name(l).to_string())
                })
                .collect();
            let mut conf = c.score;
            if !c.look_alikes.is_empty() {
                conf *= 0.85;
            }
            if i == 0 && runner_up.is_some_and(|r| c.score - r < 0.05) {
                conf *= 0.9;
            }
            c.confidence = conf;
        }
        out
    }

    fn product_match(&self, index: u32) -> Option<ProductMatch> {
        let p = self.product(index)?;
        Some(ProductMatch {
            index,
            product_ndc: p.product_ndc.clone(),
            brand: p.brand.clone(),
            generic: p.generic.clone(),
            form: p.form.clone(),
            routes: p.routes.clone(),
            strength: strength_text(p),
            listed: p.listed,
        })
    }

    /// Confirms a candidate against products with the queried strength/form.
    fn add_products(&self, parsed: &ParsedQuery, candidates: &mut [Candidate]) {
        if parsed.strength.is_none() && parsed.form.is_none() && parsed.release.is_none() {
            return;
        }
        for c in candidates.iter_mut().take(3) {
            let Some(first) = c.ingredients.first() else {
                continue;
            };
            let wanted: Vec<IngredientId> = c.ingredients.iter().map(|r| r.id).collect();
            let mut found: Vec<u32> = self
                .products_by_ingredient
                .get(first.id.index())
                .into_iter()
                .flatten()
                .copied()
                .filter(|&p| {
                    let Some(prod) = self.product(p) else {
                        return false;
                    };
                    let mut ids: Vec<IngredientId> =
                        prod.ingredients.iter().map(|i| i.ingredient).collect();
                    ids.sort_unstable();
                    let mut w = wanted.clone();
                    w.sort_unstable();
                    ids == w
                        && parsed
                            .strength
                            .as_ref()
                            .is_none_or(|s| same_strength(prod, s))
                        && parsed
                            .form
                            .as_ref()
                            .is_none_or(|f| prod.form.contains(f.as_str()))
                        && parsed
                            .release
                            .as_ref()
                            .is_none_or(|r| prod.form.contains(r.as_str()))
                })
                .collect();
            // The brand the query named first ("Lasix 40 mg" → Lasix tablets).
            let named = name_key(&c.matched_name);
            found.sort_by_key(|&p| {
                self.product(p)
                    .map(|x| (name_key(&x.brand) != named, !x.listed, !x.prescription))
            });
            c.strength_confirmed = Some(!found.is_empty());
            if found.is_empty() {
                c.confidence *= 0.8;
            }
            c.products = found
                .into_iter()
                .take(5)
                .filter_map(|p| self.product_match(p))
                .collect();
        }
    }

    fn products_for_ndc(&self, query: &str) -> Vec<u32> {
        let q: String = query.chars().filter(|c| !c.is_whitespace()).collect();
        // Every product under the code: the directory lists some products
        // twice, 5-3 and 5-4 (64064-002 and 64064-0002), one code apart.
        let find = |table: &[(u64, u32)], code: u64| -> Vec<u32> {
            let i = table.partition_point(|(k, _)| *k < code);
            table
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|(k, _)| *k == code)
                .map(|(_, p)| *p)
                .collect()
        };
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let mut out = Vec::new();
        if let Ok(ndc) = Ndc::parse(&q) {
            if let Ok(code) = ndc.as_str().parse::<u64>() {
                out.extend(find(&self.t.packages, code));
            }
            if out.is_empty() {
                out.extend(
                    ndc.product_code()
                        .parse::<u64>()
                        .ok()
                        .map(|c| find(&self.t.product_codes, c))
                        .unwrap_or_default(),
                );
            }
        } else if let Some(code) = product_code(&q) {
            out.extend(find(&self.t.product_codes, code));
        } else if !q.contains('-') && digits.len() == 10 {
            // A bare 10-digit NDC is ambiguous: try each printed layout.
            for padded in [
                format!("0{digits}"),
                format!("{}0{}", &digits[..5], &digits[5..]),
                format!("{}0{}", &digits[..9], &digits[9..]),
            ] {
                out.extend(
                    padded
                        .parse::<u64>()
                        .ok()
                        .map(|c| find(&self.t.packages, c))
                        .unwrap_or_default(),
                );
            }
        } else if !q.contains('-') && digits.len() == 9 {
            out.extend(
                digits
                    .parse::<u64>()
                    .ok()
                    .map(|c| find(&self.t.product_codes, c))
                    .unwrap_or_default(),
            );
        }
        out.dedup();
        out
    }

    fn search_ndc(&self, query: &str) -> Vec<Candidate> {
        self.products_for_ndc(query)
            .into_iter()
            .filter_map(|p| {
                let prod = self.product(p)?;
                Some(Candidate {
                    matched_name: if prod.brand.is_empty() {
                        prod.generic.clone()
                    } else {
                        prod.brand.clone()
                    },
                    name_kind: NameKind::Brand,
                    source: "ndc".into(),
                    match_kind: MatchKind::Ndc,
                    ingredients: prod
                        .ingredients
                        .iter()
                        .map(|i| IngredientRef {
                            id: i.ingredient,
                            name: self.ingredient_name(i.ingredient).to_string(),
                        })
                        .collect(),
                    score: 1.0,
                    distance: 0,
                    look_alikes: Vec::new(),
                    confidence: 1.0,
                    products: self.product_match(p).into_iter().collect(),
                    strength_confirmed: None,
                })
            })
            .collect()
    }

    /// The best candidate for a name, or `UnknownDrug`.
    pub fn resolve(&self, text: &str) -> Result<Candidate> {
        let unknown = || ClinicalError::UnknownDrug(text.to_string());
        let key = text.trim();
        if let Some(known) = self.resolved.lock().ok().and_then(|m| m.get(key).cloned()) {
            return known.ok_or_else(unknown);
        }
        let found = self
            .search(text)?
            .candidates
            .into_iter()
            .find(|c| !c.ingredients.is_empty());
        if let Ok(mut memo) = self.resolved.lock() {
            // Bounded: a flood of distinct names starts it afresh.
            if memo.len() >= RESOLVED_MAX {
                memo.clear();
            }
            memo.insert(key.to_string(), found.clone());
        }
        found.ok_or_else(unknown)
    }

    /// A regimen item for a name as written, resolved through search. When
    /// the text names a product (NDC) the item keeps it.
    pub fn item(&self, text: &str, status: ItemStatus) -> Result<RegimenItem> {
        let c = self.resolve(text)?;
        let mut item = RegimenItem::new(
            text.trim(),
            c.ingredients.iter().map(|r| r.id).collect(),
            status,
        );
        if c.match_kind == MatchKind::Ndc {
            item.product = c.products.first().map(|p| p.index);
        }
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_strength_and_form() {
        let p = parse_query("amoxicilin 500 mg caps");
        assert_eq!(p.name, "amoxicilin");
        assert_eq!(
            p.strength,
            Some(Strength {
                value: 500.0,
                unit: "mg".into()
            })
        );
        assert_eq!(p.form.as_deref(), Some("CAPSULE"));
        let p = parse_query("Metoprolol succinate ER 25mg tablets");
        assert_eq!(p.name, "metoprolol succinate");
        assert_eq!(p.release.as_deref(), Some("EXTENDED RELEASE"));
        assert_eq!(parse_query("5imvastatin").name, "5imvastatin");
        assert_eq!(
            parse_query("azithromycin unspecified form").name,
            "azithromycin"
        );
    }

    #[test]
    fn refuses_bad_queries() {
        assert!(validate("").is_err());
        assert!(validate("   ").is_err());
        assert!(validate(&"a".repeat(10_000)).is_err());
        assert!(validate("war\u{0}farin").is_err());
        assert!(validate("warfarin").is_ok());
    }

    #[test]
    fn word_score_prefers_covering_names() {
        let (full, _) = word_score("oxybate", "sodium oxybate");
        let (none, _) = word_score("oxybate", "sodium chloride");
        assert!(full > 0.5 && none == 0.0);
    }
}
