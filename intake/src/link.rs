//! Drug linking: the drug text, with its strength and form, through the
//! knowledge base's OCR-aware search. A product with that strength and form
//! confirms the reading; a confusable look-alike lowers confidence.

use crate::prescription::DrugRef;
use rxflow_clinical::{Candidate, Kb};

/// Confidence kept when a look-alike drug name is near: the reviewer must
/// look, whatever the OCR said.
const LOOK_ALIKE_CAP: f32 = 0.6;
/// Confidence kept when the strength and form match no product.
const UNCONFIRMED_CAP: f32 = 0.8;

pub struct Linked {
    pub drug: DrugRef,
    /// How well the name matched, before look-alike and strength caps.
    pub score: f32,
    pub confidence: f32,
    pub alternatives: Vec<String>,
}

/// Links `name` (as read) with the item's `strength` and `form` text.
pub fn link(kb: &Kb, name: &str, strength: &str, form: &str) -> Option<Linked> {
    let query = [name, strength, form]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let result = kb.search(&query).ok()?;
    let mut candidates = result.candidates.iter();
    let best = candidates.next()?;
    let mut alternatives: Vec<String> = best.look_alikes.clone();
    alternatives.extend(candidates.take(3).map(|c| c.matched_name.clone()));
    alternatives.dedup();
    Some(Linked {
        drug: drug_ref(best),
        score: best.confidence,
        confidence: confidence(best),
        alternatives,
    })
}

fn drug_ref(c: &Candidate) -> DrugRef {
    let ids: Vec<String> = c.ingredients.iter().map(|i| i.id.0.to_string()).collect();
    let names: Vec<&str> = c.ingredients.iter().map(|i| i.name.as_str()).collect();
    let joined = names.join(" / ");
    // A salt written out ("alosetron hydrochloride") is what the reviewer
    // recognises; the moiety alone is in `id`.
    let name = if c
        .matched_name
        .to_lowercase()
        .contains(&joined.to_lowercase())
    {
        c.matched_name.to_lowercase()
    } else {
        joined
    };
    DrugRef {
        id: ids.join("+"),
        name,
        product_ndc: c.products.first().map(|p| p.product_ndc.clone()),
    }
}

fn confidence(c: &Candidate) -> f32 {
    let mut conf = c.confidence;
    if !c.look_alikes.is_empty() {
        conf = conf.min(LOOK_ALIKE_CAP);
    }
    if c.strength_confirmed == Some(false) {
        conf = conf.min(UNCONFIRMED_CAP);
    }
    conf
}
