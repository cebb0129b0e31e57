//! Frequency, time-of-day and meal phrases, English and Latin.

use super::SigError;
use super::timing::{FrequencyCode, When};
use crate::parse::number::take_count;
use crate::parse::text::{Token, longest_phrase, starts_with};

/// Relation of a dose to meals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meal {
    BeforeMeals,
    AfterMeals,
    WithFood,
}

impl Meal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BeforeMeals => "before_meals",
            Self::AfterMeals => "after_meals",
            Self::WithFood => "with_food",
        }
    }

    pub(crate) fn event(self) -> When {
        match self {
            Self::BeforeMeals => When::Ac,
            Self::AfterMeals => When::Pc,
            Self::WithFood => When::C,
        }
    }
}

crate::parse::code::serialize_as_str!(Meal);

/// What a schedule phrase says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Schedule {
    Code(FrequencyCode),
    /// A time of day ("qhs", "mane"): a frequency only if nothing else is.
    Time(When),
    Meal(Meal),
}

use FrequencyCode as F;
use Schedule::{Code, Meal as M, Time};

/// Fixed phrases, after the tokeniser's lower-casing and period removal.
/// "od" is absent: it means right eye or once daily, decided by context.
const PHRASES: &[(&[&str], Schedule)] = &[
    (&["qd"], Code(F::Qd)),
    (&["daily"], Code(F::Qd)),
    (&["qday"], Code(F::Qd)),
    (&["qdaily"], Code(F::Qd)),
    (&["q", "day"], Code(F::Qd)),
    (&["q", "daily"], Code(F::Qd)),
    (&["every", "day"], Code(F::Qd)),
    (&["each", "day"], Code(F::Qd)),
    (&["semel", "in", "die"], Code(F::Qd)),
    (&["omni", "die"], Code(F::Qd)),
    (&["bid"], Code(F::Bid)),
    (&["bd"], Code(F::Bid)),
    (&["bis", "in", "die"], Code(F::Bid)),
    (&["tid"], Code(F::Tid)),
    (&["tds"], Code(F::Tid)),
    (&["ter", "in", "die"], Code(F::Tid)),
    (&["qid"], Code(F::Qid)),
    (&["qds"], Code(F::Qid)),
    (&["quater", "in", "die"], Code(F::Qid)),
    (&["qh"], Code(F::EveryHours(1))),
    (&["hourly"], Code(F::EveryHours(1))),
    (&["every", "hour"], Code(F::EveryHours(1))),
    (&["qod"], Code(F::Qod)),
    (&["every", "other", "day"], Code(F::Qod)),
    (&["alternate", "days"], Code(F::Qod)),
    (&["on", "alternate", "days"], Code(F::Qod)),
    (&["qwk"], Code(F::Qwk)),
    (&["qweek"], Code(F::Qwk)),
    (&["q", "week"], Code(F::Qwk)),
    (&["q", "wk"], Code(F::Qwk)),
    (&["weekly"], Code(F::Qwk)),
    (&["every", "week"], Code(F::Qwk)),
    (&["each", "week"], Code(F::Qwk)),
    (&["qam"], Time(When::Morn)),
    (&["q", "am"], Time(When::Morn)),
    (&["am"], Time(When::Morn)),
    (&["in", "am"], Time(When::Morn)),
    (&["in", "the", "am"], Time(When::Morn)),
    (&["every", "am"], Time(When::Morn)),
    (&["morning"], Time(When::Morn)),
    (&["in", "the", "morning"], Time(When::Morn)),
    (&["every", "morning"], Time(When::Morn)),
    (&["each", "morning"], Time(When::Morn)),
    (&["mane"], Time(When::Morn)),
    (&["omni", "mane"], Time(When::Morn)),
    (&["qpm"], Time(When::Eve)),
    (&["q", "pm"], Time(When::Eve)),
    (&["pm"], Time(When::Eve)),
    (&["in", "pm"], Time(When::Eve)),
    (&["in", "the", "pm"], Time(When::Eve)),
    (&["every", "pm"], Time(When::Eve)),
    (&["evening"], Time(When::Eve)),
    (&["in", "the", "evening"], Time(When::Eve)),
    (&["every", "evening"], Time(When::Eve)),
    (&["each", "evening"], Time(When::Eve)),
    (&["qhs"], Time(When::Hs)),
    (&["q", "hs"], Time(When::Hs)),
    (&["hs"], Time(When::Hs)),
    (&["at", "hs"], Time(When::Hs)),
    (&["bedtime"], Time(When::Hs)),
    (&["at", "bedtime"], Time(When::Hs)),
    (&["before", "bed"], Time(When::Hs)),
    (&["before", "bedtime"], Time(When::Hs)),
    (&["at", "night"], Time(When::Hs)),
    (&["every", "night"], Time(When::Hs)),
    (&["each", "night"], Time(When::Hs)),
    (&["nightly"], Time(When::Hs)),
    (&["nocte"], Time(When::Hs)),
    (&["omni", "nocte"], Time(When::Hs)),
    (&["hora", "somni"], Time(When::Hs)),
    (&["ac"], M(Meal::BeforeMeals)),
    (&["before", "meals"], M(Meal::BeforeMeals)),
    (&["before", "meal"], M(Meal::BeforeMeals)),
    (&["before", "food"], M(Meal::BeforeMeals)),
    (&["before", "eating"], M(Meal::BeforeMeals)),
    (&["pc"], M(Meal::AfterMeals)),
    (&["after", "meals"], M(Meal::AfterMeals)),
    (&["after", "meal"], M(Meal::AfterMeals)),
    (&["after", "food"], M(Meal::AfterMeals)),
    (&["after", "eating"], M(Meal::AfterMeals)),
    (&["with", "food"], M(Meal::WithFood)),
    (&["with", "meals"], M(Meal::WithFood)),
    (&["with", "meal"], M(Meal::WithFood)),
    (&["with", "a", "meal"], M(Meal::WithFood)),
];

/// A schedule phrase at the start of `tokens`, with the tokens used; an
/// error for a frequency that has no standard code ("5 times daily").
pub(crate) fn schedule_at(tokens: &[Token]) -> Option<(usize, Result<Schedule, SigError>)> {
    as_written(tokens).or_else(|| as_written(&q_for_g(tokens)?))
}

fn as_written(tokens: &[Token]) -> Option<(usize, Result<Schedule, SigError>)> {
    interval(tokens)
        .or_else(|| times_per_period(tokens))
        .map(|(len, code)| (len, code.map(Code)))
        .or_else(|| longest_phrase(tokens, PHRASES).map(|(len, s)| (len, Ok(s))))
}

/// `tokens` with a leading "g" read as the "q" it most likely was: OCR
/// confuses the two ("gd", "g6h", "g.i.d."). Only a frequency is taken from
/// the result, and none starts with "g", so "give" or "gtt" never becomes one.
fn q_for_g(tokens: &[Token]) -> Option<Vec<Token>> {
    let rest = tokens.first()?.text.strip_prefix('g')?;
    let mut out = tokens.to_vec();
    out[0].text = format!("q{rest}");
    Some(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Period {
    Hour,
    Day,
    Week,
}

fn period_word(token: Option<&Token>) -> Option<Period> {
    let token = token?;
    match token.text.as_str() {
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(Period::Hour),
        "d" | "day" | "days" => Some(Period::Day),
        "w" | "wk" | "wks" | "week" | "weeks" => Some(Period::Week),
        _ => None,
    }
}

fn unsupported(tokens: &[Token]) -> SigError {
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    SigError::UnsupportedFrequency(words.join(" "))
}

/// "q4h", "q 4-6 h", "every 4 to 6 hours", "q48h", "every 2 days", "q1wk".
fn interval(tokens: &[Token]) -> Option<(usize, Result<FrequencyCode, SigError>)> {
    if !(tokens.first()?.is("q") || tokens.first()?.is("every")) {
        return None;
    }
    let (low, low_len) = take_count(&tokens[1..])?;
    let mut at = 1 + low_len;
    let high = tokens
        .get(at)
        .filter(|t| t.is("-") || t.is("to"))
        .and_then(|_| take_count(&tokens[at + 1..]));
    if let Some((_, high_len)) = high {
        at += 1 + high_len;
    }
    let period = period_word(tokens.get(at))?;
    let used = &tokens[..=at];
    // Longer than weekly has no standard code and is better checked by hand.
    let hours = match period {
        Period::Hour => Some(low),
        Period::Day if low <= 7 => Some(low * 24),
        Period::Week if low == 1 => Some(168),
        Period::Day | Period::Week => None,
    };
    let code = match high {
        None => hours.and_then(FrequencyCode::every_hours),
        Some((high, _)) if period == Period::Hour && low > 0 && high > low => {
            Some(FrequencyCode::EveryHoursRange(low, high))
        }
        Some(_) => None,
    };
    Some((at + 1, code.ok_or_else(|| unsupported(used))))
}

/// "twice daily", "2x daily", "3x/day", "three times a day", "once weekly", "1x/week".
fn times_per_period(tokens: &[Token]) -> Option<(usize, Result<FrequencyCode, SigError>)> {
    let (count, count_len) = count_of_times(tokens)?;
    let (period, period_len) = per_period(&tokens[count_len..])?;
    let len = count_len + period_len;
    let code = match (period, count) {
        (Period::Day, 1) => Some(F::Qd),
        (Period::Day, 2) => Some(F::Bid),
        (Period::Day, 3) => Some(F::Tid),
        (Period::Day, 4) => Some(F::Qid),
        (Period::Week, 1) => Some(F::Qwk),
        _ => None,
    };
    Some((len, code.ok_or_else(|| unsupported(&tokens[..len]))))
}

/// "once", "twice", "thrice", or a number followed by "x"/"times".
fn count_of_times(tokens: &[Token]) -> Option<(u32, usize)> {
    let word = match tokens.first()?.text.as_str() {
        "once" => Some(1),
        "twice" => Some(2),
        "thrice" => Some(3),
        _ => None,
    };
    if let Some(count) = word {
        return Some((count, 1));
    }
    let (count, len) = take_count(tokens)?;
    let marker = tokens.get(len)?;
    (marker.is("x") || marker.is("times") || marker.is("time")).then_some((count, len + 1))
}

const PER_DAY: &[&[&str]] = &[
    &["daily"],
    &["day"],
    &["a", "day"],
    &["per", "day"],
    &["/", "day"],
    &["/", "d"],
    &["each", "day"],
    &["every", "day"],
];

const PER_WEEK: &[&[&str]] = &[
    &["weekly"],
    &["week"],
    &["wk"],
    &["a", "week"],
    &["per", "week"],
    &["/", "week"],
    &["/", "wk"],
    &["each", "week"],
    &["every", "week"],
];

fn per_period(tokens: &[Token]) -> Option<(Period, usize)> {
    let longest = |table: &[&[&str]]| {
        table
            .iter()
            .filter(|p| starts_with(tokens, p))
            .map(|p| p.len())
            .max()
    };
    longest(PER_DAY)
        .map(|len| (Period::Day, len))
        .or_else(|| longest(PER_WEEK).map(|len| (Period::Week, len)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::text::tokenize;

    fn schedule(input: &str) -> Option<Result<Schedule, SigError>> {
        let tokens = tokenize(input);
        schedule_at(&tokens)
            .filter(|(len, _)| *len == tokens.len())
            .map(|(_, s)| s)
    }

    fn code(input: &str) -> Option<FrequencyCode> {
        match schedule(input) {
            Some(Ok(Code(code))) => Some(code),
            _ => None,
        }
    }

    #[test]
    fn intervals() {
        assert_eq!(code("q4h"), Some(F::EveryHours(4)));
        assert_eq!(code("q 4 h"), Some(F::EveryHours(4)));
        assert_eq!(code("q.4.h."), Some(F::EveryHours(4)));
        assert_eq!(code("Q8HR"), Some(F::EveryHours(8)));
        assert_eq!(code("every 12 hours"), Some(F::EveryHours(12)));
        assert_eq!(code("every six hours"), Some(F::EveryHours(6)));
        assert_eq!(code("q24h"), Some(F::Qd));
        assert_eq!(code("q48h"), Some(F::Qod));
        assert_eq!(code("every 2 days"), Some(F::Qod));
        assert_eq!(code("every 3 days"), Some(F::EveryHours(72)));
        assert_eq!(code("q7d"), Some(F::Qwk));
        assert_eq!(code("q1wk"), Some(F::Qwk));
    }

    #[test]
    fn interval_ranges() {
        for input in [
            "q4-6h",
            "q 4-6 h",
            "q4-6 hrs",
            "every 4 to 6 hours",
            "every 4-6 hours",
            "Q4-6H",
            "q4 to 6h",
        ] {
            assert_eq!(code(input), Some(F::EveryHoursRange(4, 6)), "{input}");
        }
    }

    #[test]
    fn counted_times() {
        assert_eq!(code("twice daily"), Some(F::Bid));
        assert_eq!(code("2x daily"), Some(F::Bid));
        assert_eq!(code("3x/day"), Some(F::Tid));
        assert_eq!(code("three times a day"), Some(F::Tid));
        assert_eq!(code("4 times per day"), Some(F::Qid));
        assert_eq!(code("once daily"), Some(F::Qd));
        assert_eq!(code("once weekly"), Some(F::Qwk));
        assert_eq!(code("1x/week"), Some(F::Qwk));
        assert_eq!(code("once a week"), Some(F::Qwk));
    }

    #[test]
    fn latin_and_abbreviations() {
        let cases = [
            ("bid", F::Bid),
            ("b.i.d.", F::Bid),
            ("BIS IN DIE", F::Bid),
            ("ter in die", F::Tid),
            ("t.i.d.", F::Tid),
            ("quater in die", F::Qid),
            ("qid", F::Qid),
            ("qd", F::Qd),
            ("daily", F::Qd),
            ("qod", F::Qod),
            ("every other day", F::Qod),
            ("q week", F::Qwk),
            ("qwk", F::Qwk),
        ];
        for (input, expected) in cases {
            assert_eq!(code(input), Some(expected), "{input}");
        }
    }

    #[test]
    fn a_q_misread_as_g_is_still_a_frequency() {
        assert_eq!(code("gd"), Some(F::Qd));
        assert_eq!(code("g6h"), Some(F::EveryHours(6)));
        assert_eq!(code("g.i.d."), Some(F::Qid));
        assert_eq!(code("g.o.d."), Some(F::Qod));
        for word in ["give", "gtt", "g", "gel"] {
            assert_eq!(schedule(word), None, "{word}");
        }
    }

    #[test]
    fn times_of_day_and_meals() {
        for input in ["qHS", "hs", "h.s.", "nocte", "at bedtime"] {
            assert_eq!(schedule(input), Some(Ok(Time(When::Hs))), "{input}");
        }
        for input in ["qAM", "mane", "in the morning"] {
            assert_eq!(schedule(input), Some(Ok(Time(When::Morn))), "{input}");
        }
        for input in ["qPM", "every evening"] {
            assert_eq!(schedule(input), Some(Ok(Time(When::Eve))), "{input}");
        }
        assert_eq!(schedule("a.c."), Some(Ok(M(Meal::BeforeMeals))));
        assert_eq!(schedule("pc"), Some(Ok(M(Meal::AfterMeals))));
        assert_eq!(schedule("with food"), Some(Ok(M(Meal::WithFood))));
    }

    #[test]
    fn unsupported_frequencies_are_errors() {
        for input in [
            "5 times daily",
            "twice weekly",
            "every 2 weeks",
            "q0h",
            "q6-4h",
            "every 2-3 days",
        ] {
            assert!(
                matches!(
                    schedule(input),
                    Some(Err(SigError::UnsupportedFrequency(_)))
                ),
                "{input}"
            );
        }
    }

    #[test]
    fn non_frequencies() {
        for input in ["q", "every", "2 tabs", "x7d", "once", "od"] {
            assert_eq!(schedule(input), None, "{input}");
        }
    }
}
