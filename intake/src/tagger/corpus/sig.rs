//! A small grammar of directions ("sigs") in plain English and Latin shorthand.
//!
//! The whole directions text is one Sig span; the "Sig:" label word is not.

use rand::Rng;
use rand::rngs::StdRng;

use super::line::{Line, chance, pick};
use crate::tagger::labels::Role;

/// How one kind of product is dosed: the English and Latin words for it.
struct Route {
    /// Words in a dosage form that this route doses ("HFA inhaler" → inhaled).
    forms: &'static [&'static str],
    verbs: &'static [&'static str],
    doses: &'static [&'static str],
    routes: &'static [&'static str],
    latin_doses: &'static [&'static str],
    latin_routes: &'static [&'static str],
    /// What it is taken "as needed" for, so prn clauses fit the product.
    reasons: &'static [&'static str],
}

/// Most specific first: `route_for` takes the first match, and oral words
/// like "sol" also occur in "soln for injection".
const ROUTES: &[Route] = &[
    Route {
        forms: &["inhal", "hfa", "mdi", "neb", "diskus"],
        verbs: &["Inhale", "Use", "Inhale"],
        doses: &[
            "2 puffs",
            "1 puff",
            "1-2 puffs",
            "1 vial",
            "the contents of 1 vial",
        ],
        routes: &["by mouth", "via nebulizer", "into the lungs", "with spacer"],
        latin_doses: &["ii puffs", "2 puffs", "1-2 puffs", "i neb"],
        latin_routes: &["inh", "INH", "via neb", "po"],
        reasons: &["wheezing", "shortness of breath", "SOB", "cough"],
    },
    Route {
        forms: &["drop", "ophth", "otic", "gtt"],
        verbs: &["Instill", "Place", "Put"],
        doses: &["1 drop", "2 drops", "1-2 drops"],
        routes: &[
            "in each eye",
            "in both eyes",
            "in the right eye",
            "in the left eye",
            "in affected ear",
            "in both ears",
        ],
        latin_doses: &["1 gtt", "i gtt", "2 gtts", "ii gtt"],
        latin_routes: &["OU", "OD", "OS", "AU", "AD", "AS"],
        reasons: &["itching", "dryness", "redness", "ear pain"],
    },
    Route {
        forms: &[
            "cream", "oint", "gel", "lotion", "patch", "crm", "ung", "topical",
        ],
        verbs: &["Apply", "Apply", "Gently apply"],
        doses: &["a thin layer", "a small amount", "a thin film", "1 patch"],
        routes: &[
            "to affected area",
            "to affected area(s)",
            "to the skin",
            "topically",
            "to the rash",
        ],
        latin_doses: &["thin layer", "aa", "1 patch"],
        latin_routes: &["top", "TOP", "to aa", "ext"],
        reasons: &["itching", "rash", "pain"],
    },
    Route {
        forms: &["inj", "vial", "syringe"],
        verbs: &["Inject", "Inject"],
        doses: &["10 units", "0.5 mL", "1 mL", "1 pen", "20 units"],
        routes: &[
            "subcutaneously",
            "under the skin",
            "intramuscularly",
            "into the thigh",
        ],
        latin_doses: &["10 u", "0.5 mL", "1 mL", "20 units"],
        latin_routes: &["SC", "SQ", "subq", "IM"],
        reasons: &["blood sugar over 200", "migraine", "anaphylaxis"],
    },
    Route {
        forms: &["spray", "nasal"],
        verbs: &["Spray", "Use"],
        doses: &["1 spray", "2 sprays"],
        routes: &["in each nostril", "into each nostril"],
        latin_doses: &["1 spray", "ii sprays"],
        latin_routes: &["each nostril", "per nostril", "IN"],
        reasons: &["congestion", "allergies", "nosebleed"],
    },
    Route {
        forms: &["supp", "enema", "vaginal"],
        verbs: &["Insert", "Use"],
        doses: &["1 suppository", "1 applicatorful"],
        routes: &["rectally", "vaginally"],
        latin_doses: &["i supp", "1 supp"],
        latin_routes: &["pr", "PR", "pv"],
        reasons: &["constipation", "nausea", "fever"],
    },
    Route {
        forms: &[
            "tab", "cap", "susp", "sol", "syrup", "elixir", "liquid", "chew",
        ],
        verbs: &["Take", "Take", "Give", "Chew", "take"],
        doses: &[
            "1 tablet",
            "2 tablets",
            "one tablet",
            "1/2 tablet",
            "1 capsule",
            "2 capsules",
            "1 tab",
            "5 mL",
            "10 mL",
            "1 teaspoonful",
        ],
        routes: &["by mouth", "by mouth", "orally", "PO", "po", "with water"],
        latin_doses: &[
            "i tab", "ii tabs", "1 tab", "i cap", "ii caps", "1/2 tab", "ss tab", "5 mL", "1 tsp",
        ],
        latin_routes: &["po", "po", "PO", "p.o.", "SL"],
        reasons: &[
            "pain", "nausea", "anxiety", "sleep", "headache", "HA", "N/V", "fever",
        ],
    },
];

const FREQUENCIES: &[&str] = &[
    "once daily",
    "twice daily",
    "three times daily",
    "four times daily",
    "once a day",
    "twice a day",
    "three times a day",
    "every 4 hours",
    "every 4 to 6 hours",
    "every 6 hours",
    "every 8 hours",
    "every 12 hours",
    "at bedtime",
    "every morning",
    "daily",
    "every day",
    "once weekly",
    "every other day",
    "before meals",
    "every evening",
    "in the morning and at bedtime",
];
const LATIN_FREQUENCIES: &[&str] = &[
    "qd", "daily", "bid", "tid", "qid", "q4h", "q4-6h", "q6h", "q8h", "q12h", "qhs", "hs", "qam",
    "qpm", "qod", "qwk", "BID", "TID", "QID", "QHS", "b.i.d.", "t.i.d.", "q.i.d.", "ac", "ac & hs",
];
const AS_NEEDED: &[&str] = &["as needed for", "as needed for", "if needed for", "PRN"];
const LATIN_AS_NEEDED: &[&str] = &["prn", "prn", "PRN", "p.r.n."];
const DURATIONS: &[&str] = &[
    "x7d",
    "x 7 days",
    "x10d",
    "x 10 days",
    "for 5/7",
    "for 10 days",
    "for 7 days",
    "for 2 weeks",
    "for 14 days",
    "until gone",
    "until finished",
    "x5d",
    "x 1 wk",
    "for 1 month",
    "for 3 days",
    "x30 days",
];
const EXTRAS: &[&str] = &[
    "with food",
    "with meals",
    "on an empty stomach",
    "with a full glass of water",
    "do not crush",
    "and as directed",
    "avoid alcohol",
];
/// Whole directions that do not fit the dose-route-frequency pattern.
const SET_PHRASES: &[&str] = &[
    "Use as directed",
    "UD",
    "As directed",
    "Take as directed",
    "Take 2 tablets on day 1, then 1 tablet daily for 4 days",
    "Dissolve 1 tablet under the tongue every 5 minutes as needed for chest pain, max 3 doses",
    "Take 1 tablet by mouth daily at the same time each day",
    "Take 6 tablets day 1, 5 tablets day 2, 4 tablets day 3, 3 tablets day 4, 2 tablets day 5, 1 tablet day 6",
    "Inject per sliding scale",
];
const SIG_LABELS: &[&str] = &[
    "Sig:",
    "Sig:",
    "Sig:",
    "SIG:",
    "Sig",
    "Sig.",
    "S:",
    "Directions:",
    "Directions",
    "Instructions:",
    "Dir:",
    "DIRECTIONS:",
    "Sig -",
    "Use:",
];

/// The route that doses `form`, if its words are recognised.
fn route_for(form: &str) -> Option<&'static Route> {
    let form = form.to_lowercase();
    ROUTES
        .iter()
        .find(|route| route.forms.iter().any(|word| form.contains(word)))
}

/// One set of directions, fitting `form` (the product's dosage form) when
/// it is known so a line never pairs capsules with eye drops.
pub(super) fn sig_text(rng: &mut StdRng, form: Option<&str>) -> String {
    if chance(rng, 0.07) {
        return pick(rng, SET_PHRASES).to_string();
    }
    let route = match form.and_then(route_for) {
        Some(route) => route,
        None => &ROUTES[rng.random_range(0..ROUTES.len())],
    };
    let mut words = if chance(rng, 0.55) {
        english(rng, route)
    } else {
        latin(rng, route)
    };
    if chance(rng, 0.2) {
        words.push(pick(rng, DURATIONS));
    }
    match rng.random_range(0..10) {
        0 => words.join(" ").to_uppercase(),
        1 => words.join(" ").to_lowercase(),
        _ => words.join(" "),
    }
}

fn english(rng: &mut StdRng, route: &Route) -> Vec<&'static str> {
    let mut words = vec![
        pick(rng, route.verbs),
        pick(rng, route.doses),
        pick(rng, route.routes),
    ];
    // Prescribers mix registers: "Apply a thin layer to affected area bid".
    let frequencies = if chance(rng, 0.2) {
        LATIN_FREQUENCIES
    } else {
        FREQUENCIES
    };
    words.push(pick(rng, frequencies));
    if chance(rng, 0.25) {
        words.extend([pick(rng, AS_NEEDED), pick(rng, route.reasons)]);
    }
    if chance(rng, 0.15) {
        words.push(pick(rng, EXTRAS));
    }
    words
}

fn latin(rng: &mut StdRng, route: &Route) -> Vec<&'static str> {
    let mut words = Vec::new();
    if chance(rng, 0.2) {
        words.push(pick(rng, route.verbs));
    }
    words.push(pick(rng, route.latin_doses));
    // Shorthand often leaves the route implied ("2 puffs q4-6h prn SOB").
    if chance(rng, 0.75) {
        words.push(pick(rng, route.latin_routes));
    }
    words.push(pick(rng, LATIN_FREQUENCIES));
    if chance(rng, 0.3) {
        words.push(pick(rng, LATIN_AS_NEEDED));
        if chance(rng, 0.7) {
            words.push(pick(rng, route.reasons));
        }
    }
    words
}

/// "Sig: ..." with a label, bare directions, or the wrapped tail of a sig
/// that OCR split onto its own line.
pub(super) fn sig_line(rng: &mut StdRng) -> Line {
    let sig = sig_text(rng, None);
    let mut line = Line::default();
    match rng.random_range(0..10) {
        0..=5 => {
            let label = pick(rng, SIG_LABELS);
            line.field(rng, label, Role::Sig, &sig);
        }
        6..=8 => {
            line.tag(Role::Sig, &sig);
        }
        // Only longer sigs wrap; a one-word tail would be an unreadable fragment.
        _ if sig.split_whitespace().count() >= 4 => {
            let tail = sig.split_once(' ').map_or(sig.as_str(), |(_, rest)| rest);
            line.tag(Role::Sig, tail.trim());
        }
        _ => {
            line.tag(Role::Sig, &sig);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn sig_label_word_is_outside_the_span() {
        let mut rng = StdRng::seed_from_u64(4);
        let mut labelled = 0;
        for _ in 0..300 {
            let example = sig_line(&mut rng).finish();
            let [span] = example.spans[..] else {
                panic!("one span expected: {example:?}")
            };
            assert_eq!(span.role, Role::Sig);
            assert_eq!(span.end, example.text.len());
            let before = &example.text[..span.start];
            if before.to_lowercase().starts_with("sig") {
                labelled += 1;
                assert!(!example.text[span.start..].to_lowercase().starts_with("sig"));
            }
        }
        assert!(labelled > 50, "{labelled}");
    }

    #[test]
    fn directions_fit_the_dosage_form() {
        let first_verb = |form| route_for(form).map(|r| r.verbs[0]);
        assert_eq!(first_verb("HFA inhaler"), Some("Inhale"));
        assert_eq!(first_verb("oral suspension"), Some("Take"));
        assert_eq!(first_verb("soln for injection"), Some("Inject"));
        assert_eq!(first_verb("ophthalmic solution"), Some("Instill"));
        assert_eq!(first_verb("OINT"), Some("Apply"));
        assert_eq!(first_verb("kit"), None);
    }

    #[test]
    fn produces_both_english_and_latin() {
        let mut rng = StdRng::seed_from_u64(8);
        let sigs: Vec<String> = (0..300)
            .map(|_| sig_text(&mut rng, None).to_lowercase())
            .collect();
        assert!(sigs.iter().any(|s| s.contains("by mouth")));
        assert!(
            sigs.iter()
                .any(|s| s.contains(" po ") || s.ends_with(" po"))
        );
        assert!(sigs.iter().any(|s| s.contains("bid")));
        assert!(sigs.iter().any(|s| s.split_whitespace().any(|w| w == "ou")));
    }
}
