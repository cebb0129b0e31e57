//! Dose forms ("tab", "susp", "HFA inhaler") and routes of administration
//! ("po", "by mouth", "OU", "SQ").

use super::code::serialize_as_str;
use super::text::{Token, longest_phrase, tokenize};

/// Route of administration: the clinical checks' own, so that a parsed
/// route reaches them as it is.
pub use rxflow_clinical::regimen::Route;

/// Which of a pair a dose goes in: eyes, ears or nostrils.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Both,
    Right,
    Left,
}

impl Side {
    /// Lower-case code, e.g. `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Both => "both",
            Self::Right => "right",
            Self::Left => "left",
        }
    }

    /// How many places one dose goes: "2 sprays in each nostril" is 4 sprays.
    pub fn places(self) -> u32 {
        match self {
            Self::Both => 2,
            Self::Right | Self::Left => 1,
        }
    }
}

/// A route, and for the eyes, ears and nostrils, which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RouteSite {
    pub route: Route,
    pub side: Option<Side>,
}

type Site = (Route, Option<Side>);

const fn on(route: Route) -> Site {
    (route, None)
}

const fn eye(which: Side) -> Site {
    (Route::Ophthalmic, Some(which))
}

const fn ear(which: Side) -> Site {
    (Route::Otic, Some(which))
}

const fn nostril(which: Side) -> Site {
    (Route::Nasal, Some(which))
}

/// Route phrases, already lower-cased and stripped of periods by the tokeniser.
const ROUTES: &[(&[&str], Site)] = &[
    (&["po"], on(Route::Oral)),
    (&["per", "os"], on(Route::Oral)),
    (&["by", "mouth"], on(Route::Oral)),
    (&["orally"], on(Route::Oral)),
    (&["oral"], on(Route::Oral)),
    (&["sl"], on(Route::Sublingual)),
    (&["sublingual"], on(Route::Sublingual)),
    (&["sublingually"], on(Route::Sublingual)),
    (&["under", "the", "tongue"], on(Route::Sublingual)),
    (&["buccal"], on(Route::Buccal)),
    (&["buccally"], on(Route::Buccal)),
    (&["between", "cheek", "and", "gum"], on(Route::Buccal)),
    (&["top"], on(Route::Topical)),
    (&["topical"], on(Route::Topical)),
    (&["topically"], on(Route::Topical)),
    (&["externally"], on(Route::Topical)),
    (&["to", "aa"], on(Route::Topical)),
    (&["to", "affected", "area"], on(Route::Topical)),
    (&["to", "affected", "areas"], on(Route::Topical)),
    (&["to", "the", "affected", "area"], on(Route::Topical)),
    (&["to", "the", "affected", "areas"], on(Route::Topical)),
    (&["ou"], eye(Side::Both)),
    (&["od"], eye(Side::Right)),
    (&["os"], eye(Side::Left)),
    (&["ophth"], on(Route::Ophthalmic)),
    (&["ophthalmic"], on(Route::Ophthalmic)),
    (&["both", "eyes"], eye(Side::Both)),
    (&["in", "both", "eyes"], eye(Side::Both)),
    (&["into", "both", "eyes"], eye(Side::Both)),
    (&["each", "eye"], eye(Side::Both)),
    (&["in", "each", "eye"], eye(Side::Both)),
    (&["into", "each", "eye"], eye(Side::Both)),
    (&["right", "eye"], eye(Side::Right)),
    (&["in", "right", "eye"], eye(Side::Right)),
    (&["in", "the", "right", "eye"], eye(Side::Right)),
    (&["into", "the", "right", "eye"], eye(Side::Right)),
    (&["left", "eye"], eye(Side::Left)),
    (&["in", "left", "eye"], eye(Side::Left)),
    (&["in", "the", "left", "eye"], eye(Side::Left)),
    (&["into", "the", "left", "eye"], eye(Side::Left)),
    (&["in", "the", "eye"], on(Route::Ophthalmic)),
    (&["in", "the", "eyes"], on(Route::Ophthalmic)),
    (&["in", "affected", "eye"], on(Route::Ophthalmic)),
    (&["in", "the", "affected", "eye"], on(Route::Ophthalmic)),
    (&["otic"], on(Route::Otic)),
    (&["in", "both", "ears"], ear(Side::Both)),
    (&["in", "each", "ear"], ear(Side::Both)),
    (&["into", "each", "ear"], ear(Side::Both)),
    (&["in", "the", "ear"], on(Route::Otic)),
    (&["in", "the", "ears"], on(Route::Otic)),
    (&["in", "affected", "ear"], on(Route::Otic)),
    (&["in", "the", "affected", "ear"], on(Route::Otic)),
    (&["in", "right", "ear"], ear(Side::Right)),
    (&["in", "the", "right", "ear"], ear(Side::Right)),
    (&["in", "left", "ear"], ear(Side::Left)),
    (&["in", "the", "left", "ear"], ear(Side::Left)),
    (&["nasal"], on(Route::Nasal)),
    (&["nasally"], on(Route::Nasal)),
    (&["intranasal"], on(Route::Nasal)),
    (&["intranasally"], on(Route::Nasal)),
    (&["in", "each", "nostril"], nostril(Side::Both)),
    (&["into", "each", "nostril"], nostril(Side::Both)),
    (&["each", "nostril"], nostril(Side::Both)),
    (&["per", "nostril"], nostril(Side::Both)),
    (&["in", "both", "nostrils"], nostril(Side::Both)),
    (&["into", "both", "nostrils"], nostril(Side::Both)),
    (&["in", "one", "nostril"], on(Route::Nasal)),
    (&["in", "the", "nose"], on(Route::Nasal)),
    (&["inh"], on(Route::Inhalation)),
    (&["inhaled"], on(Route::Inhalation)),
    (&["by", "inhalation"], on(Route::Inhalation)),
    (&["via", "inhalation"], on(Route::Inhalation)),
    (&["via", "mdi"], on(Route::Inhalation)),
    (&["via", "inhaler"], on(Route::Inhalation)),
    (&["via", "nebulizer"], on(Route::Inhalation)),
    (&["via", "neb"], on(Route::Inhalation)),
    (&["per", "neb"], on(Route::Inhalation)),
    (&["pr"], on(Route::Rectal)),
    (&["rectally"], on(Route::Rectal)),
    (&["per", "rectum"], on(Route::Rectal)),
    (&["pv"], on(Route::Vaginal)),
    (&["vaginally"], on(Route::Vaginal)),
    (&["intravaginally"], on(Route::Vaginal)),
    (&["per", "vagina"], on(Route::Vaginal)),
    (&["sc"], on(Route::Subcutaneous)),
    (&["sq"], on(Route::Subcutaneous)),
    (&["subq"], on(Route::Subcutaneous)),
    (&["subcut"], on(Route::Subcutaneous)),
    (&["sub", "q"], on(Route::Subcutaneous)),
    (&["sub", "-", "q"], on(Route::Subcutaneous)),
    (&["subcutaneous"], on(Route::Subcutaneous)),
    (&["subcutaneously"], on(Route::Subcutaneous)),
    (&["under", "the", "skin"], on(Route::Subcutaneous)),
    (&["im"], on(Route::Intramuscular)),
    (&["intramuscular"], on(Route::Intramuscular)),
    (&["intramuscularly"], on(Route::Intramuscular)),
    (&["into", "the", "muscle"], on(Route::Intramuscular)),
    (&["iv"], on(Route::Intravenous)),
    (&["intravenous"], on(Route::Intravenous)),
    (&["intravenously"], on(Route::Intravenous)),
    (&["td"], on(Route::Transdermal)),
    (&["transdermal"], on(Route::Transdermal)),
    (&["transdermally"], on(Route::Transdermal)),
];

/// The route phrase at the start of `tokens`: (tokens used, route, side).
pub(crate) fn match_route(tokens: &[Token]) -> Option<(usize, RouteSite)> {
    longest_phrase(tokens, ROUTES).map(|(len, (route, side))| (len, RouteSite { route, side }))
}

/// The first route named anywhere in `input` ("1 gtt OU qid" → ophthalmic,
/// both eyes). On its own "OD"/"OS" is read as an eye; directions use
/// context instead (see `parse_sig`).
pub fn parse_route(input: &str) -> Option<RouteSite> {
    let tokens = tokenize(input);
    (0..tokens.len())
        .find_map(|i| match_route(&tokens[i..]))
        .map(|(_, site)| site)
}

/// Pharmaceutical dose form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DoseForm {
    Tablet,
    Capsule,
    Solution,
    Suspension,
    Syrup,
    Elixir,
    Cream,
    Ointment,
    Gel,
    Lotion,
    OphthalmicSolution,
    OphthalmicOintment,
    OticSolution,
    /// Drops with no site given ("gtts"): eye or ear must be checked.
    Drops,
    Inhaler,
    InhalationSolution,
    NasalSpray,
    Spray,
    Patch,
    Injection,
    Suppository,
    Powder,
    Lozenge,
}

impl DoseForm {
    /// Lower-case code, e.g. `tablet`, `ophthalmic_solution`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tablet => "tablet",
            Self::Capsule => "capsule",
            Self::Solution => "solution",
            Self::Suspension => "suspension",
            Self::Syrup => "syrup",
            Self::Elixir => "elixir",
            Self::Cream => "cream",
            Self::Ointment => "ointment",
            Self::Gel => "gel",
            Self::Lotion => "lotion",
            Self::OphthalmicSolution => "ophthalmic_solution",
            Self::OphthalmicOintment => "ophthalmic_ointment",
            Self::OticSolution => "otic_solution",
            Self::Drops => "drops",
            Self::Inhaler => "inhaler",
            Self::InhalationSolution => "inhalation_solution",
            Self::NasalSpray => "nasal_spray",
            Self::Spray => "spray",
            Self::Patch => "patch",
            Self::Injection => "injection",
            Self::Suppository => "suppository",
            Self::Powder => "powder",
            Self::Lozenge => "lozenge",
        }
    }
}

serialize_as_str!(Side, DoseForm);

/// Words that decide the form on their own, whatever else is written.
const DEVICE_WORDS: &[(&str, DoseForm)] = &[
    ("inhaler", DoseForm::Inhaler),
    ("hfa", DoseForm::Inhaler),
    ("mdi", DoseForm::Inhaler),
    ("aerosol", DoseForm::Inhaler),
    ("patch", DoseForm::Patch),
    ("patches", DoseForm::Patch),
    ("nebule", DoseForm::InhalationSolution),
    ("nebules", DoseForm::InhalationSolution),
];

const BASE_WORDS: &[(&str, DoseForm)] = &[
    ("tab", DoseForm::Tablet),
    ("tabs", DoseForm::Tablet),
    ("tablet", DoseForm::Tablet),
    ("tablets", DoseForm::Tablet),
    ("tbl", DoseForm::Tablet),
    ("odt", DoseForm::Tablet),
    ("cap", DoseForm::Capsule),
    ("caps", DoseForm::Capsule),
    ("capsule", DoseForm::Capsule),
    ("capsules", DoseForm::Capsule),
    ("sol", DoseForm::Solution),
    ("soln", DoseForm::Solution),
    ("solution", DoseForm::Solution),
    ("susp", DoseForm::Suspension),
    ("suspension", DoseForm::Suspension),
    ("syr", DoseForm::Syrup),
    ("syrup", DoseForm::Syrup),
    ("elix", DoseForm::Elixir),
    ("elixir", DoseForm::Elixir),
    ("cream", DoseForm::Cream),
    ("crm", DoseForm::Cream),
    ("oint", DoseForm::Ointment),
    ("ointment", DoseForm::Ointment),
    ("ung", DoseForm::Ointment),
    ("gel", DoseForm::Gel),
    ("lotion", DoseForm::Lotion),
    ("gtt", DoseForm::Drops),
    ("gtts", DoseForm::Drops),
    ("drops", DoseForm::Drops),
    ("spray", DoseForm::Spray),
    ("inj", DoseForm::Injection),
    ("injection", DoseForm::Injection),
    ("injectable", DoseForm::Injection),
    ("supp", DoseForm::Suppository),
    ("suppository", DoseForm::Suppository),
    ("suppositories", DoseForm::Suppository),
    ("powder", DoseForm::Powder),
    ("pwd", DoseForm::Powder),
    ("pdr", DoseForm::Powder),
    ("lozenge", DoseForm::Lozenge),
    ("troche", DoseForm::Lozenge),
];

#[derive(Clone, Copy, PartialEq)]
enum BodySite {
    Eye,
    Ear,
    Nose,
    Lungs,
}

const SITE_WORDS: &[(&str, BodySite)] = &[
    ("ophthalmic", BodySite::Eye),
    ("ophth", BodySite::Eye),
    ("opth", BodySite::Eye),
    ("eye", BodySite::Eye),
    ("otic", BodySite::Ear),
    ("ear", BodySite::Ear),
    ("nasal", BodySite::Nose),
    ("nose", BodySite::Nose),
    ("inhalation", BodySite::Lungs),
    ("nebulizer", BodySite::Lungs),
    ("neb", BodySite::Lungs),
];

fn lookup<T: Copy>(tokens: &[Token], table: &[(&str, T)]) -> Option<T> {
    tokens
        .iter()
        .find_map(|t| table.iter().find(|(w, _)| t.is(w)).map(|(_, v)| *v))
}

/// The dose form named in `input` ("TAB", "oint", "ophth soln", "HFA inhaler").
pub fn parse_dose_form(input: &str) -> Option<DoseForm> {
    let tokens = tokenize(input);
    if let Some(device) = lookup(&tokens, DEVICE_WORDS) {
        return Some(device);
    }
    let base = lookup(&tokens, BASE_WORDS);
    let site = lookup(&tokens, SITE_WORDS);
    match (site, base) {
        (Some(site), base) => Some(at_site(site, base)),
        (None, base) => base,
    }
}

/// "ophthalmic solution", "ear drops", "nasal spray": the site refines the form.
fn at_site(site: BodySite, base: Option<DoseForm>) -> DoseForm {
    match (site, base) {
        (BodySite::Eye, Some(DoseForm::Ointment | DoseForm::Gel)) => DoseForm::OphthalmicOintment,
        (BodySite::Eye, _) => DoseForm::OphthalmicSolution,
        (BodySite::Ear, _) => DoseForm::OticSolution,
        (BodySite::Nose, _) => DoseForm::NasalSpray,
        (BodySite::Lungs, _) => DoseForm::InhalationSolution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(input: &str) -> Option<(Route, Option<Side>)> {
        parse_route(input).map(|s| (s.route, s.side))
    }

    #[test]
    fn ears_and_nostrils_keep_their_side() {
        assert_eq!(
            route("in each nostril"),
            Some((Route::Nasal, Some(Side::Both)))
        );
        assert_eq!(
            route("2 sprays per nostril"),
            Some((Route::Nasal, Some(Side::Both)))
        );
        assert_eq!(
            route("in the right ear"),
            Some((Route::Otic, Some(Side::Right)))
        );
        assert_eq!(route("in both ears"), Some((Route::Otic, Some(Side::Both))));
        assert_eq!(route("in one nostril"), Some((Route::Nasal, None)));
        assert_eq!(Side::Both.places(), 2);
        assert_eq!(Side::Left.places(), 1);
    }

    #[test]
    fn oral_routes() {
        for input in ["po", "P.O.", "per os", "by mouth", "orally", "PO"] {
            assert_eq!(route(input), Some((Route::Oral, None)), "{input}");
        }
    }

    #[test]
    fn other_routes() {
        let cases = [
            ("SL", Route::Sublingual),
            ("top", Route::Topical),
            ("topically", Route::Topical),
            ("to aa", Route::Topical),
            ("to affected area", Route::Topical),
            ("inh", Route::Inhalation),
            ("by inhalation", Route::Inhalation),
            ("via MDI", Route::Inhalation),
            ("SC", Route::Subcutaneous),
            ("SQ", Route::Subcutaneous),
            ("subcut", Route::Subcutaneous),
            ("IM", Route::Intramuscular),
            ("IV", Route::Intravenous),
            ("i.v.", Route::Intravenous),
            ("PR", Route::Rectal),
            ("PV", Route::Vaginal),
            ("nasally", Route::Nasal),
            ("in the affected ear", Route::Otic),
            ("transdermal", Route::Transdermal),
        ];
        for (input, expected) in cases {
            assert_eq!(route(input), Some((expected, None)), "{input}");
        }
    }

    #[test]
    fn eyes() {
        assert_eq!(route("OU"), Some((Route::Ophthalmic, Some(Side::Both))));
        assert_eq!(route("OD"), Some((Route::Ophthalmic, Some(Side::Right))));
        assert_eq!(route("o.s."), Some((Route::Ophthalmic, Some(Side::Left))));
        assert_eq!(
            route("in both eyes"),
            Some((Route::Ophthalmic, Some(Side::Both)))
        );
        assert_eq!(
            route("in the right eye"),
            Some((Route::Ophthalmic, Some(Side::Right)))
        );
        assert_eq!(
            route("into the left eye"),
            Some((Route::Ophthalmic, Some(Side::Left)))
        );
        assert_eq!(
            route("in the affected eye"),
            Some((Route::Ophthalmic, None))
        );
    }

    #[test]
    fn route_negatives() {
        for input in ["", "tablet", "topography", "poison", "overdose", "2 tabs"] {
            assert_eq!(route(input), None, "{input}");
        }
    }

    #[test]
    fn dose_forms() {
        let cases = [
            ("tab", DoseForm::Tablet),
            ("TABS", DoseForm::Tablet),
            ("caps", DoseForm::Capsule),
            ("cap", DoseForm::Capsule),
            ("susp", DoseForm::Suspension),
            ("oral soln", DoseForm::Solution),
            ("oint", DoseForm::Ointment),
            ("crm", DoseForm::Cream),
            ("gtts", DoseForm::Drops),
            ("ophth soln", DoseForm::OphthalmicSolution),
            ("eye drops", DoseForm::OphthalmicSolution),
            ("ophthalmic ointment", DoseForm::OphthalmicOintment),
            ("otic drops", DoseForm::OticSolution),
            ("HFA inhaler", DoseForm::Inhaler),
            ("MDI", DoseForm::Inhaler),
            ("nasal spray", DoseForm::NasalSpray),
            ("patch", DoseForm::Patch),
            ("supp", DoseForm::Suppository),
            ("inj", DoseForm::Injection),
            ("syrup", DoseForm::Syrup),
            ("elixir", DoseForm::Elixir),
            ("gel", DoseForm::Gel),
            ("lotion", DoseForm::Lotion),
            ("powder", DoseForm::Powder),
            ("Amoxicillin 250 mg/5 mL susp", DoseForm::Suspension),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_dose_form(input), Some(expected), "{input}");
        }
        assert_eq!(parse_dose_form("lisinopril 10 mg"), None);
        assert_eq!(parse_dose_form("table"), None);
    }

    #[test]
    fn codes_are_lower_case() {
        assert_eq!(Route::Subcutaneous.as_str(), "subcutaneous");
        assert_eq!(DoseForm::OphthalmicSolution.as_str(), "ophthalmic_solution");
        assert_eq!(Side::Both.as_str(), "both");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,60}") {
            let _ = parse_route(&input);
            let _ = parse_dose_form(&input);
        }
    }

    #[test]
    fn serialises_as_codes() -> Result<(), serde_json::Error> {
        let site = RouteSite {
            route: Route::Ophthalmic,
            side: Some(Side::Right),
        };
        assert_eq!(
            serde_json::to_string(&site)?,
            r#"{"route":"ophthalmic","side":"right"}"#
        );
        assert_eq!(serde_json::to_string(&DoseForm::Tablet)?, r#""tablet""#);
        Ok(())
    }
}
