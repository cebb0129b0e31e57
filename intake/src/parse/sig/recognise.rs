//! Recognises one phrase of the directions at a time. The order of the
//! matchers matters: "x7d" must be a duration before "7" can be a dose, and
//! "2x daily" a frequency before "2" can be.

use super::SigError;
use super::dose::{Dose, dose_at};
use super::frequency::{Schedule, schedule_at};
use crate::parse::form_route::{RouteSite, match_route};
use crate::parse::number::take_count;
use crate::parse::text::{Kind, Token, longest_phrase, starts_with};

/// Abbreviations whose meaning depends on the rest of the directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ambiguous {
    /// Right eye, or (British) once daily.
    Od,
    /// Left eye, or (Latin) mouth.
    Os,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Dose(Dose),
    MaxPerDay(Dose),
    Route(RouteSite),
    Schedule(Schedule),
    AsNeeded(Option<String>),
    DurationDays(u32),
    Ambiguous(Ambiguous),
}

type Found = Option<(usize, Result<Item, SigError>)>;

/// The phrase at the start of `tokens`, with how many tokens it used.
pub(crate) fn recognise(tokens: &[Token]) -> Found {
    as_needed(tokens).or_else(|| other_than_as_needed(tokens))
}

/// Every matcher but [`as_needed`], which uses this to find where its
/// reason ends (and so never recurses).
fn other_than_as_needed(tokens: &[Token]) -> Found {
    multi_step(tokens)
        .or_else(|| duration(tokens))
        .or_else(|| schedule_at(tokens).map(|(len, s)| (len, s.map(Item::Schedule))))
        .or_else(|| max_per_day(tokens))
        .or_else(|| dose_at(tokens).map(|(len, d)| (len, Ok(Item::Dose(d)))))
        .or_else(|| ambiguous(tokens))
        .or_else(|| match_route(tokens).map(|(len, site)| (len, Ok(Item::Route(site)))))
}

/// One `Sig` cannot hold "2 tabs today, then 1 daily" or a taper.
fn multi_step(tokens: &[Token]) -> Found {
    let first = tokens.first()?;
    let step = ["then", "taper", "tapering"].iter().any(|w| first.is(w))
        || starts_with(tokens, &["followed", "by"]);
    step.then_some((1, Err(SigError::MultiStep)))
}

fn ambiguous(tokens: &[Token]) -> Found {
    let which = match tokens.first()?.text.as_str() {
        "od" => Ambiguous::Od,
        "os" => Ambiguous::Os,
        _ => return None,
    };
    Some((1, Ok(Item::Ambiguous(which))))
}

/// "x7d", "x 7 days", "for 2 weeks", "for 1 month", "for ten days", and the
/// British "for 5/7" (days), "2/52" (weeks), "1/12" (months).
fn duration(tokens: &[Token]) -> Found {
    let lead = usize::from(tokens.first().is_some_and(|t| t.is("x") || t.is("for")));
    let (count, count_len) = match take_count(&tokens[lead..]) {
        Some(found) => found,
        None if lead == 1 && tokens.get(1).is_some_and(|t| t.is("a")) => (1, 1),
        None => return None,
    };
    let at = lead + count_len;
    let (days_each, unit_len) = duration_unit(&tokens[at..], lead == 1)?;
    let len = at + unit_len;
    let days = count.checked_mul(days_each).filter(|d| *d > 0);
    let words: Vec<&str> = tokens[..len].iter().map(|t| t.text.as_str()).collect();
    Some((
        len,
        days.map(Item::DurationDays)
            .ok_or_else(|| SigError::InvalidDuration(words.join(" "))),
    ))
}

/// Days per unit, and tokens used. Fractions of a week are only taken after
/// "for"/"x", where they cannot be a strength or a dose.
fn duration_unit(tokens: &[Token], led: bool) -> Option<(u32, usize)> {
    let first = tokens.first()?;
    if first.is("/") && led {
        let days = match tokens.get(1)?.text.as_str() {
            "7" => 1,
            "52" => 7,
            "12" => 30,
            _ => return None,
        };
        return Some((days, 2));
    }
    let days = match first.text.as_str() {
        "d" | "day" | "days" | "dys" => 1,
        "w" | "wk" | "wks" | "week" | "weeks" => 7,
        "mo" | "mos" | "month" | "months" | "mth" | "mths" => 30,
        _ => return None,
    };
    Some((days, 1))
}

const AS_NEEDED: &[(&[&str], ())] = &[
    (&["prn"], ()),
    (&["as", "needed"], ()),
    (&["as", "required"], ()),
    (&["as", "necessary"], ()),
    (&["if", "needed"], ()),
    (&["if", "required"], ()),
    (&["when", "needed"], ()),
    (&["when", "required"], ()),
];

/// Words that start a new instruction rather than continue a PRN reason.
const REASON_STOPS: &[&str] = &[
    "do", "not", "no", "max", "maximum", "may", "until", "up", "take", "use",
];

/// Longest reason kept; anything longer is more likely run-on text.
const MAX_REASON_WORDS: usize = 8;

/// "prn", "p.r.n. pain", "as needed for shortness of breath".
fn as_needed(tokens: &[Token]) -> Found {
    let (len, ()) = longest_phrase(tokens, AS_NEEDED)?;
    let mut at = len;
    let for_follows = tokens.get(at).is_some_and(|t| t.is("for") || t.is("of"));
    if for_follows && other_than_as_needed(&tokens[at..]).is_none() {
        at += 1;
    }
    let mut reason_len = reason_length(&tokens[at..]);
    // "prn pain and take with food": the conjunction belongs to what follows.
    while reason_len > 0
        && CONJUNCTIONS
            .iter()
            .any(|w| tokens[at + reason_len - 1].is(w))
    {
        reason_len -= 1;
    }
    if reason_len == 0 {
        return Some((len, Ok(Item::AsNeeded(None))));
    }
    let words: Vec<&str> = tokens[at..at + reason_len]
        .iter()
        .map(|t| t.text.as_str())
        .collect();
    Some((at + reason_len, Ok(Item::AsNeeded(Some(words.join(" "))))))
}

const CONJUNCTIONS: &[&str] = &["and", "or"];

fn reason_length(tokens: &[Token]) -> usize {
    let mut len = 0;
    while let Some(token) = tokens.get(len) {
        let rest = &tokens[len..];
        let ends = token.kind != Kind::Word
            || (len > 0 && token.break_before)
            || (len > 0 && REASON_STOPS.iter().any(|w| token.is(w)))
            || longest_phrase(rest, AS_NEEDED).is_some()
            || other_than_as_needed(rest).is_some();
        if ends || len == MAX_REASON_WORDS {
            break;
        }
        len += 1;
    }
    len
}

const MAX_WORDS: &[(&[&str], ())] = &[
    (&["max"], ()),
    (&["maximum"], ()),
    (&["max", "of"], ()),
    (&["maximum", "of"], ()),
    (&["not", "to", "exceed"], ()),
    (&["do", "not", "exceed"], ()),
    (&["no", "more", "than"], ()),
    (&["not", "more", "than"], ()),
    // The label's own wording ("…; do not use more than 8 tablets per day").
    (&["do", "not", "use", "more", "than"], ()),
    (&["do", "not", "take", "more", "than"], ()),
];

const PER_DAY: &[(&[&str], ())] = &[
    (&["/", "day"], ()),
    (&["/", "d"], ()),
    (&["per", "day"], ()),
    (&["a", "day"], ()),
    (&["in", "a", "day"], ()),
    (&["daily"], ()),
    (&["each", "day"], ()),
    (&["in", "24", "hours"], ()),
    (&["in", "24", "hrs"], ()),
    (&["in", "24", "h"], ()),
    (&["per", "24", "hours"], ()),
    (&["per", "24", "hrs"], ()),
    (&["/", "24", "h"], ()),
    (&["/", "24", "hr"], ()),
    (&["/", "24", "hrs"], ()),
    (&["/", "24", "hours"], ()),
];

/// "max 8 tabs/day", "do not exceed 4 g in 24 hours". Without a per-day
/// period it is not taken, so the dose conflicts and a person looks at it.
fn max_per_day(tokens: &[Token]) -> Found {
    let (lead, ()) = longest_phrase(tokens, MAX_WORDS)?;
    let (dose_len, dose) = dose_at(&tokens[lead..])?;
    let at = lead + dose_len;
    let (per_len, ()) = longest_phrase(&tokens[at..], PER_DAY)?;
    Some((at + per_len, Ok(Item::MaxPerDay(dose))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::text::tokenize;

    fn item(input: &str) -> Option<Result<Item, SigError>> {
        recognise(&tokenize(input)).map(|(_, found)| found)
    }

    #[test]
    fn durations() {
        let cases = [
            ("x7d", 7),
            ("x 7 days", 7),
            ("X7D", 7),
            ("for 5/7", 5),
            ("x 10/7", 10),
            ("for 2/52", 14),
            ("for 2 weeks", 14),
            ("x2 wks", 14),
            ("for 1 month", 30),
            ("for a month", 30),
            ("for ten days", 10),
            ("14 days", 14),
        ];
        for (input, days) in cases {
            assert_eq!(item(input), Some(Ok(Item::DurationDays(days))), "{input}");
        }
        assert!(matches!(
            item("x 0 days"),
            Some(Err(SigError::InvalidDuration(_)))
        ));
        assert!(matches!(
            item("for 999999999 weeks"),
            Some(Err(SigError::InvalidDuration(_)))
        ));
        assert_ne!(item("5/7"), Some(Ok(Item::DurationDays(5))));
    }

    #[test]
    fn as_needed_reasons() {
        let reason = |input| match item(input) {
            Some(Ok(Item::AsNeeded(reason))) => reason,
            _ => Some("<not as needed>".into()),
        };
        assert_eq!(reason("prn"), None);
        assert_eq!(reason("p.r.n. pain"), Some("pain".into()));
        assert_eq!(reason("PRN wheezing"), Some("wheezing".into()));
        assert_eq!(reason("as needed for pain"), Some("pain".into()));
        assert_eq!(
            reason("as needed for shortness of breath"),
            Some("shortness of breath".into())
        );
        assert_eq!(reason("prn pain x7d"), Some("pain".into()));
        assert_eq!(reason("prn pain. Do not drive"), Some("pain".into()));
        assert_eq!(reason("prn pain, max 8 tabs/day"), Some("pain".into()));
        assert_eq!(reason("as needed for 7 days"), None);
        assert_eq!(reason("prn to affected area"), None);
        assert_eq!(
            reason("prn nausea or vomiting"),
            Some("nausea or vomiting".into())
        );
        assert_eq!(reason("prn pain and with food"), Some("pain".into()));
    }

    #[test]
    fn maximum_per_day() {
        assert!(matches!(
            item("max 8 tabs/day"),
            Some(Ok(Item::MaxPerDay(_)))
        ));
        assert!(matches!(
            item("do not exceed 4 g in 24 hours"),
            Some(Ok(Item::MaxPerDay(_)))
        ));
        assert!(matches!(
            item("do not take more than 8 tablets in 24 hours"),
            Some(Ok(Item::MaxPerDay(_)))
        ));
        assert_eq!(item("max 8 tabs"), None);
    }

    #[test]
    fn multi_step_is_refused() {
        assert_eq!(item("then 1 daily"), Some(Err(SigError::MultiStep)));
        assert_eq!(item("followed by"), Some(Err(SigError::MultiStep)));
    }
}
