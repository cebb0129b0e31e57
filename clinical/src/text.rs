//! Text normalisation shared by the builder and the search: keys for ANSM
//! names, salt stripping for US substance names, Windows-1252 decoding.

use unicode_normalization::UnicodeNormalization;

/// ANSM matching key (data/kb/README.md §1): lower case, accents removed,
/// "- " joined, whitespace collapsed. Maps each rule name to its index name.
pub fn ansm_key(s: &str) -> String {
    let stripped: String = s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    let joined = stripped.replace("- ", "-").replace("-\n", "-");
    collapse_ws(&joined)
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A plain name key: lower case ASCII letters and digits separated by single
/// spaces; accents removed, punctuation becomes a space. "St. John's Wort"
/// and the slug "st-john-s-wort" both give "st john s wort".
pub fn name_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
    {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Trailing words that name a salt, ester or hydrate rather than the active
/// moiety. Only trailing words are removed: a leading "sodium" is often the
/// drug itself (sodium oxybate, sodium fluoride).
const SALT_WORDS: &[&str] = &[
    "hydrochloride",
    "dihydrochloride",
    "hcl",
    "hydrobromide",
    "hydroiodide",
    "sodium",
    "disodium",
    "trisodium",
    "potassium",
    "dipotassium",
    "calcium",
    "magnesium",
    "zinc",
    "sulfate",
    "sulphate",
    "bisulfate",
    "maleate",
    "dimaleate",
    "mesylate",
    "dimesylate",
    "besylate",
    "tartrate",
    "bitartrate",
    "succinate",
    "fumarate",
    "hemifumarate",
    "citrate",
    "acetate",
    "diacetate",
    "phosphate",
    "diphosphate",
    "nitrate",
    "bromide",
    "chloride",
    "hyclate",
    "monohydrate",
    "dihydrate",
    "trihydrate",
    "sesquihydrate",
    "hemihydrate",
    "hexahydrate",
    "hydrate",
    "anhydrous",
    "tromethamine",
    "meglumine",
    "lactate",
    "gluconate",
    "tosylate",
    "pamoate",
    "napsylate",
    "mandelate",
    "estolate",
    "ethylsuccinate",
    "stearate",
    "lysine",
    "arginine",
    "olamine",
    "benzathine",
    "procaine",
    "xinafoate",
    "salicylate",
    "oxalate",
    "malate",
    "edisylate",
    "esylate",
    "camsylate",
    "isethionate",
    "erbumine",
    "cilexetil",
    "medoxomil",
    "axetil",
    "proxetil",
    "pivoxil",
    "mofetil",
    "monosodium",
    "decanoate",
    "propionate",
    "dipropionate",
    "valerate",
    "cypionate",
    "enanthate",
    "furoate",
    "acetonide",
    "teoclate",
    "bicarbonate",
    "benzoate",
    "saccharate",
    "pidolate",
    "fosamil",
    "heptahydrate",
    "dimeglumine",
];

/// Removes trailing salt words: "METOPROLOL SUCCINATE" -> "metoprolol",
/// "PENICILLIN G POTASSIUM" -> "penicillin g". Never returns an empty name.
pub fn strip_salt(name: &str) -> String {
    let key = name_key(name);
    let mut words: Vec<&str> = key.split(' ').collect();
    while words.len() > 1 && words.last().is_some_and(|w| SALT_WORDS.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// Decodes Windows-1252 (the FDA NDC files). Bytes 0x80-0x9F map to the
/// cp1252 table; the rest is Latin-1.
pub fn decode_cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansm_key_matches_rule_and_index_spellings() {
        assert_eq!(
            ansm_key("AUTRES MÉDICAMENTS SÉDATIFS"),
            "autres medicaments sedatifs"
        );
        assert_eq!(
            ansm_key("bêta- bloquants (sauf esmolol)"),
            "beta-bloquants (sauf esmolol)"
        );
        assert_eq!(
            ansm_key("  ANTI-INFLAMMATOIRES  NON STÉROÏDIENS "),
            "anti-inflammatoires non steroidiens"
        );
    }

    #[test]
    fn name_key_folds_punctuation_and_slugs() {
        assert_eq!(name_key("St. John's Wort"), "st john s wort");
        assert_eq!(name_key("st-john-s-wort"), "st john s wort");
        assert_eq!(name_key("Abémaciclib"), "abemaciclib");
    }

    #[test]
    fn strip_salt_keeps_the_moiety() {
        assert_eq!(strip_salt("METOPROLOL SUCCINATE"), "metoprolol");
        assert_eq!(strip_salt("PENICILLIN G POTASSIUM"), "penicillin g");
        assert_eq!(strip_salt("SODIUM OXYBATE"), "sodium oxybate");
        assert_eq!(strip_salt("POTASSIUM CHLORIDE"), "potassium");
        assert_eq!(strip_salt("SODIUM"), "sodium");
    }

    #[test]
    fn cp1252_decodes_curly_quotes() {
        assert_eq!(decode_cp1252(b"Jack\x92s \xe4"), "Jack’s ä");
    }
}
