//! The letterhead of a prescription: the practice's name and the postal
//! addresses (the clinic's, the patient's). Both can bear a plant's or a
//! drug's name ("Prairie Medical Associates", "368 Chestnut Ct", "Silver
//! Lake Dermatology"), which must not open an item.

/// Words that name a practice rather than a medicine.
const PRACTICE_WORDS: &[&str] = &[
    "associates",
    "center",
    "centre",
    "clinic",
    "clinics",
    "dermatology",
    "family",
    "group",
    "health",
    "healthcare",
    "hospital",
    "institute",
    "medical",
    "medicine",
    "partners",
    "pediatrics",
    "physicians",
    "practice",
    "wellness",
];

/// Street types as addresses abbreviate or spell them.
const STREET_TYPES: &[&str] = &[
    "st",
    "street",
    "ave",
    "av",
    "avenue",
    "rd",
    "road",
    "dr",
    "drive",
    "ln",
    "lane",
    "ct",
    "court",
    "blvd",
    "boulevard",
    "pkwy",
    "parkway",
    "way",
    "pl",
    "place",
    "ter",
    "terrace",
    "cir",
    "circle",
    "hwy",
    "highway",
    "trl",
    "trail",
    "sq",
    "square",
];

/// Whether `line` reads as part of the letterhead: a practice's name or
/// a postal address.
pub fn is_letterhead(line: &str) -> bool {
    is_practice(line) || is_address(line)
}

/// "Prairie Family Medicine": a practice word on a line without a number
/// (a drug line has its strength).
fn is_practice(line: &str) -> bool {
    !line.contains(|c: char| c.is_ascii_digit())
        && line
            .split(|c: char| !c.is_alphabetic())
            .any(|w| PRACTICE_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Whether `line` reads as a postal address: a house number and a street
/// ("368 Chestnut Ct"), or a city, state and ZIP code ("Tulsa, OK 12191").
fn is_address(line: &str) -> bool {
    street(line) || state_and_zip(line)
}

/// A house number, one to four capitalised words of street name, and a
/// street type. Capitals keep "20 mg DR" (delayed release) and "1 tablet
/// by way of mouth" out.
fn street(line: &str) -> bool {
    let words: Vec<&str> = line
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == ',' || c == '.'))
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let after = &words[i + 1..];
        let named = after.iter().take(4).take_while(|w| is_name_word(w)).count();
        is_house_number(w) && (1..=named).any(|n| after.get(n).is_some_and(|t| is_street_type(t)))
    })
}

/// "Ct", "CT", "Street"; a capital first, as in "Chestnut Ct".
fn is_street_type(word: &str) -> bool {
    word.starts_with(|c: char| c.is_uppercase())
        && STREET_TYPES.contains(&word.to_lowercase().as_str())
}

/// "Chestnut", "N", "MAPLE": a capitalised word, or one in capitals of
/// three letters or more.
fn is_name_word(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest: Vec<char> = chars.collect();
    first.is_uppercase()
        && rest.iter().all(|c| c.is_alphabetic())
        && (rest.iter().all(|c| c.is_lowercase())
            || (rest.len() >= 2 && rest.iter().all(|c| c.is_uppercase())))
}

fn is_house_number(word: &str) -> bool {
    (1..=6).contains(&word.len()) && word.chars().all(|c| c.is_ascii_digit())
}

/// ", OK 12191" or ", OK 12191-4410" after a comma.
fn state_and_zip(line: &str) -> bool {
    line.split(',').skip(1).any(|part| {
        let mut words = part.split_whitespace();
        let state = words.next().unwrap_or_default();
        let zip = words.next().unwrap_or_default();
        let zip5 = zip.split('-').next().unwrap_or_default();
        state.len() == 2
            && state.chars().all(|c| c.is_ascii_uppercase())
            && zip5.len() == 5
            && zip5.chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_recognised() {
        for line in [
            "368 Chestnut Ct, Suite 386, Tulsa, OK 12191",
            "Address: 7126 Lake Pkwy, Auburn, AL",
            "100 Maple Hollow Rd",
            "12 N Main Street",
            "368 CHESTNUT CT",
            "Springfield, IL 62704-1234",
        ] {
            assert!(is_address(line), "{line}");
        }
    }

    #[test]
    fn practice_names_are_letterhead() {
        for line in [
            "Prairie Medical Associates",
            "SILVER LAKE DERMATOLOGY",
            "Prairie Family Medicine",
            "Willow Clinic",
        ] {
            assert!(is_letterhead(line), "{line}");
        }
        assert!(!is_letterhead("Silver sulfadiazine 1% cream"));
        assert!(!is_letterhead("Lake"));
    }

    #[test]
    fn drug_lines_and_directions_are_not_letterhead() {
        for line in [
            "Diclofenac 100 mg XR TAB",
            "2 tabs by mouth every evening for",
            "Take 1 tablet by mouth daily",
            "Amoxicillin 500 mg cap #30",
            "Dr. Diane Moore, DO",
            "Vitamin D3 50000 IU weekly",
            "Omeprazole 20 mg DR capsule",
            "PANTOPRAZOLE 40 MG DR TAB",
            "Take 1 tablet by way of mouth daily",
            "Apply 2 drops in each eye at bedtime",
            "Tel 666.555.0124 Fax 768.555.0156",
        ] {
            assert!(!is_letterhead(line), "{line}");
        }
    }

    proptest::proptest! {
        /// A printed drug line ("Omeprazole 20 mg DR cap") is never
        /// letterhead, whatever its name, strength, unit and form.
        #[test]
        fn drug_lines_are_never_letterhead(
            name in "[A-Z][a-z]{3,12}",
            strength in 1u32..5000,
            unit in proptest::sample::select(vec!["mg", "MG", "mcg", "mL", "g", "%"]),
            form in proptest::sample::select(vec!["tab", "DR cap", "ER TAB", "XR TAB", "EC tablet", "ODT", "SUSP", "Cap", "DR Tab"]),
        ) {
            let line = format!("{name} {strength} {unit} {form}");
            proptest::prop_assert!(!is_letterhead(&line), "{}", line);
        }
    }
}
