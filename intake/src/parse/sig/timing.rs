//! When doses are taken, modelled on FHIR `Timing.repeat`.

use std::fmt;

use crate::parse::code::serialize_as_str;

/// Standard frequency abbreviation. Displays and serialises exactly as the
/// code: `QD`, `BID`, `Q6H`, `Q4-6H`, `QHS`, `QOD`, `QWK`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrequencyCode {
    Qd,
    Bid,
    Tid,
    Qid,
    /// Every n hours (`Q4H`); 24, 48 and 168 hours are `QD`, `QOD`, `QWK`.
    EveryHours(u32),
    /// Every a to b hours (`Q4-6H`), a < b.
    EveryHoursRange(u32, u32),
    Qhs,
    Qam,
    Qpm,
    Qod,
    Qwk,
}

impl FrequencyCode {
    /// The code for "every `hours` hours", using the named codes where they exist.
    pub(crate) fn every_hours(hours: u32) -> Option<Self> {
        match hours {
            0 => None,
            24 => Some(Self::Qd),
            48 => Some(Self::Qod),
            168 => Some(Self::Qwk),
            n => Some(Self::EveryHours(n)),
        }
    }

    /// Most doses a patient could take in a day on this schedule; for a
    /// range ("Q4-6H") the shorter interval counts.
    pub fn max_doses_per_day(self) -> f64 {
        match self {
            Self::Qd | Self::Qhs | Self::Qam | Self::Qpm => 1.0,
            Self::Bid => 2.0,
            Self::Tid => 3.0,
            Self::Qid => 4.0,
            Self::EveryHours(hours) | Self::EveryHoursRange(hours, _) => {
                24.0 / f64::from(hours.max(1))
            }
            Self::Qod => 0.5,
            Self::Qwk => 1.0 / 7.0,
        }
    }

    /// The time of day the code itself names (`QHS` → `HS`).
    fn implied_event(self) -> Option<When> {
        match self {
            Self::Qhs => Some(When::Hs),
            Self::Qam => Some(When::Morn),
            Self::Qpm => Some(When::Eve),
            _ => None,
        }
    }

    /// (frequency, period, period_max, unit) as FHIR writes it.
    fn repeat(self) -> (u32, f64, Option<f64>, PeriodUnit) {
        match self {
            Self::Qd | Self::Qhs | Self::Qam | Self::Qpm => (1, 1.0, None, PeriodUnit::D),
            Self::Bid => (2, 1.0, None, PeriodUnit::D),
            Self::Tid => (3, 1.0, None, PeriodUnit::D),
            Self::Qid => (4, 1.0, None, PeriodUnit::D),
            Self::EveryHours(h) => (1, f64::from(h), None, PeriodUnit::H),
            Self::EveryHoursRange(a, b) => (1, f64::from(a), Some(f64::from(b)), PeriodUnit::H),
            Self::Qod => (1, 2.0, None, PeriodUnit::D),
            Self::Qwk => (1, 1.0, None, PeriodUnit::Wk),
        }
    }
}

impl fmt::Display for FrequencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Qd => f.write_str("QD"),
            Self::Bid => f.write_str("BID"),
            Self::Tid => f.write_str("TID"),
            Self::Qid => f.write_str("QID"),
            Self::EveryHours(h) => write!(f, "Q{h}H"),
            Self::EveryHoursRange(a, b) => write!(f, "Q{a}-{b}H"),
            Self::Qhs => f.write_str("QHS"),
            Self::Qam => f.write_str("QAM"),
            Self::Qpm => f.write_str("QPM"),
            Self::Qod => f.write_str("QOD"),
            Self::Qwk => f.write_str("QWK"),
        }
    }
}

impl serde::Serialize for FrequencyCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// FHIR `UnitsOfTime` subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodUnit {
    H,
    D,
    Wk,
}

impl PeriodUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::H => "h",
            Self::D => "d",
            Self::Wk => "wk",
        }
    }
}

/// FHIR `EventTiming` subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum When {
    Morn,
    Eve,
    Hs,
    /// Before meals.
    Ac,
    /// After meals.
    Pc,
    /// With meals.
    C,
}

impl When {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Morn => "MORN",
            Self::Eve => "EVE",
            Self::Hs => "HS",
            Self::Ac => "AC",
            Self::Pc => "PC",
            Self::C => "C",
        }
    }

    /// The once-daily code for a time of day.
    pub(crate) fn daily_code(self) -> Option<FrequencyCode> {
        match self {
            Self::Morn => Some(FrequencyCode::Qam),
            Self::Eve => Some(FrequencyCode::Qpm),
            Self::Hs => Some(FrequencyCode::Qhs),
            Self::Ac | Self::Pc | Self::C => None,
        }
    }
}

serialize_as_str!(PeriodUnit, When);

/// A dosing schedule; built from its code so the fields always agree.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Timing {
    code: FrequencyCode,
    frequency: u32,
    period: f64,
    period_max: Option<f64>,
    period_unit: PeriodUnit,
    when: Vec<When>,
}

impl Timing {
    /// The schedule for `code`, with extra events (`AC`, `MORN`, ...) added
    /// to the one the code implies, without repeats.
    pub fn new(code: FrequencyCode, events: &[When]) -> Self {
        let (frequency, period, period_max, period_unit) = code.repeat();
        let mut when: Vec<When> = code.implied_event().into_iter().collect();
        for event in events {
            if !when.contains(event) {
                when.push(*event);
            }
        }
        Self {
            code,
            frequency,
            period,
            period_max,
            period_unit,
            when,
        }
    }

    pub fn code(&self) -> FrequencyCode {
        self.code
    }

    /// Doses per `period`.
    pub fn frequency(&self) -> u32 {
        self.frequency
    }

    pub fn period(&self) -> f64 {
        self.period
    }

    /// Upper end of a period range ("every 4 to 6 hours" → 6).
    pub fn period_max(&self) -> Option<f64> {
        self.period_max
    }

    pub fn period_unit(&self) -> PeriodUnit {
        self.period_unit
    }

    pub fn when(&self) -> &[When] {
        &self.when
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_display_exactly() {
        let cases = [
            (FrequencyCode::Qd, "QD"),
            (FrequencyCode::Bid, "BID"),
            (FrequencyCode::Tid, "TID"),
            (FrequencyCode::Qid, "QID"),
            (FrequencyCode::EveryHours(4), "Q4H"),
            (FrequencyCode::EveryHours(12), "Q12H"),
            (FrequencyCode::EveryHoursRange(4, 6), "Q4-6H"),
            (FrequencyCode::Qhs, "QHS"),
            (FrequencyCode::Qam, "QAM"),
            (FrequencyCode::Qpm, "QPM"),
            (FrequencyCode::Qod, "QOD"),
            (FrequencyCode::Qwk, "QWK"),
        ];
        for (code, text) in cases {
            assert_eq!(code.to_string(), text);
            assert_eq!(
                serde_json::to_string(&code).ok(),
                Some(format!("\"{text}\""))
            );
        }
    }

    #[test]
    fn max_doses_per_day() {
        assert_eq!(FrequencyCode::Qd.max_doses_per_day(), 1.0);
        assert_eq!(FrequencyCode::Bid.max_doses_per_day(), 2.0);
        assert_eq!(FrequencyCode::Qid.max_doses_per_day(), 4.0);
        assert_eq!(FrequencyCode::EveryHours(6).max_doses_per_day(), 4.0);
        assert_eq!(
            FrequencyCode::EveryHoursRange(4, 6).max_doses_per_day(),
            6.0
        );
        assert_eq!(FrequencyCode::Qhs.max_doses_per_day(), 1.0);
        assert_eq!(FrequencyCode::Qod.max_doses_per_day(), 0.5);
        assert_eq!(FrequencyCode::Qwk.max_doses_per_day(), 1.0 / 7.0);
        assert_eq!(FrequencyCode::EveryHours(0).max_doses_per_day(), 24.0);
    }

    #[test]
    fn named_hour_intervals() {
        assert_eq!(FrequencyCode::every_hours(24), Some(FrequencyCode::Qd));
        assert_eq!(FrequencyCode::every_hours(48), Some(FrequencyCode::Qod));
        assert_eq!(FrequencyCode::every_hours(168), Some(FrequencyCode::Qwk));
        assert_eq!(
            FrequencyCode::every_hours(8),
            Some(FrequencyCode::EveryHours(8))
        );
        assert_eq!(FrequencyCode::every_hours(0), None);
    }

    #[test]
    fn timing_follows_code() {
        let timing = Timing::new(FrequencyCode::EveryHoursRange(4, 6), &[]);
        assert_eq!(
            (timing.frequency(), timing.period(), timing.period_max()),
            (1, 4.0, Some(6.0))
        );
        assert_eq!(timing.period_unit(), PeriodUnit::H);
        let bedtime = Timing::new(FrequencyCode::Qhs, &[When::Hs, When::Ac]);
        assert_eq!(bedtime.when(), [When::Hs, When::Ac]);
        let json = serde_json::to_string(&Timing::new(FrequencyCode::Bid, &[When::C])).ok();
        let expected = r#"{"code":"BID","frequency":2,"period":1.0,"period_max":null,"period_unit":"d","when":["C"]}"#;
        assert_eq!(json.as_deref(), Some(expected));
    }
}
