//! Directions for use ("sig"), English or Latin, to a structured dose and
//! schedule: "i tab po bid x7d" → 1 tablet, oral, BID, 7 days.
//!
//! Anything a single `Sig` cannot say faithfully (tapers, two different
//! doses, two different frequencies, "OD" with no context) is an error, so
//! that a pharmacist enters it rather than the parser guessing.

mod dose;
mod english;
mod frequency;
mod recognise;
mod timing;

pub use dose::{Dose, DoseUnit};
pub use frequency::Meal;
pub use timing::{FrequencyCode, PeriodUnit, Timing, When};

use frequency::Schedule;
use recognise::{Ambiguous, Item, recognise};

use super::form_route::{Route, RouteSite, Side};
use super::ismp::{IsmpFlag, scan};
use super::text::tokenize;

/// Structured directions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Sig {
    pub dose: Option<Dose>,
    pub route: Option<Route>,
    pub side: Option<Side>,
    /// `None` only for as-needed directions bounded by a daily maximum
    /// alone ("use as needed, max 2 sprays/day"), as FHIR allows.
    pub timing: Option<Timing>,
    pub as_needed: bool,
    pub prn_reason: Option<String>,
    pub meal: Option<Meal>,
    pub duration_days: Option<u32>,
    /// "max 8 tabs/day".
    pub max_per_day: Option<Dose>,
    pub flags: Vec<IsmpFlag>,
}

impl Sig {
    /// The schedule's code, when the directions have a schedule.
    pub fn frequency(&self) -> Option<FrequencyCode> {
        self.timing.as_ref().map(Timing::code)
    }
}

/// Why directions could not be turned into a `Sig`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("the directions are empty")]
    Empty,
    #[error("no frequency found in the directions")]
    NoFrequency,
    #[error("the directions give conflicting {0}")]
    Conflict(&'static str),
    #[error("multi-step or tapering directions must be entered by a pharmacist")]
    MultiStep,
    #[error("frequency '{0}' has no standard code; enter it by hand")]
    UnsupportedFrequency(String),
    #[error("'{0}' is ambiguous here (eye or frequency); clarify with the prescriber")]
    Ambiguous(&'static str),
    #[error("duration '{0}' is not a whole, positive number of days")]
    InvalidDuration(String),
}

/// Parses directions for use. Unknown words are skipped; conflicting or
/// ambiguous instructions are errors.
pub fn parse_sig(input: &str) -> Result<Sig, SigError> {
    let tokens = tokenize(input);
    if tokens.is_empty() {
        return Err(SigError::Empty);
    }
    let mut builder = Builder::default();
    let mut at = 0;
    while at < tokens.len() {
        match recognise(&tokens[at..]) {
            Some((len, item)) => {
                builder.apply(item?)?;
                at += len;
            }
            None => at += 1,
        }
    }
    builder.finish(scan(input))
}

/// What has been read so far.
#[derive(Default)]
struct Builder {
    dose: Option<Dose>,
    max_per_day: Option<Dose>,
    route: Option<RouteSite>,
    code: Option<FrequencyCode>,
    times: Vec<When>,
    meal: Option<Meal>,
    as_needed: bool,
    prn_reason: Option<String>,
    duration_days: Option<u32>,
    ambiguous: Vec<Ambiguous>,
}

/// Fills `slot`, or checks that it already holds the same value.
fn set_once<T: PartialEq>(
    slot: &mut Option<T>,
    value: T,
    what: &'static str,
) -> Result<(), SigError> {
    match slot {
        Some(existing) if *existing != value => Err(SigError::Conflict(what)),
        Some(_) => Ok(()),
        None => {
            *slot = Some(value);
            Ok(())
        }
    }
}

impl Builder {
    fn apply(&mut self, item: Item) -> Result<(), SigError> {
        match item {
            Item::Dose(dose) => self.add_dose(dose),
            Item::MaxPerDay(dose) => set_once(&mut self.max_per_day, dose, "maximum doses"),
            Item::Route(site) => self.add_route(site),
            Item::Schedule(Schedule::Code(code)) => set_once(&mut self.code, code, "frequencies"),
            Item::Schedule(Schedule::Time(when)) => {
                if !self.times.contains(&when) {
                    self.times.push(when);
                }
                Ok(())
            }
            Item::Schedule(Schedule::Meal(meal)) => {
                set_once(&mut self.meal, meal, "meal instructions")
            }
            Item::AsNeeded(reason) => {
                self.as_needed = true;
                self.prn_reason = self.prn_reason.take().or(reason);
                Ok(())
            }
            Item::DurationDays(days) => set_once(&mut self.duration_days, days, "durations"),
            Item::Ambiguous(which) => {
                self.ambiguous.push(which);
                Ok(())
            }
        }
    }

    /// "1 tab (10 mg)" restates the dose in another unit and is fine;
    /// "1 tab ... 2 tabs" is two doses and is not.
    fn add_dose(&mut self, dose: Dose) -> Result<(), SigError> {
        match self.dose {
            Some(existing) if existing.unit() == dose.unit() && existing != dose => {
                Err(SigError::Conflict("doses"))
            }
            Some(_) => Ok(()),
            None => {
                self.dose = Some(dose);
                Ok(())
            }
        }
    }

    /// "ophthalmic ... OU" refines the route with a side; a different route
    /// or side is a conflict.
    fn add_route(&mut self, site: RouteSite) -> Result<(), SigError> {
        let Some(existing) = self.route else {
            self.route = Some(site);
            return Ok(());
        };
        let sides_agree =
            existing.side.is_none() || site.side.is_none() || existing.side == site.side;
        if existing.route != site.route || !sides_agree {
            return Err(SigError::Conflict("routes"));
        }
        self.route = Some(RouteSite {
            route: site.route,
            side: existing.side.or(site.side),
        });
        Ok(())
    }

    /// Drops and an eye route say "OD" is the right eye; tablets or an
    /// oral route say it is once daily. Without either it stays unresolved.
    fn resolve(&mut self, which: Ambiguous) -> Result<(), SigError> {
        let route = self.route.map(|r| r.route);
        let drops = self.dose.is_some_and(|d| d.unit() == DoseUnit::Drop);
        let eye_context = route == Some(Route::Ophthalmic) || (route.is_none() && drops);
        let dosing_context = route.is_some_and(|r| r != Route::Ophthalmic)
            || (route.is_none() && self.dose.is_some() && !drops);
        match which {
            Ambiguous::Od if eye_context => self.add_route(RouteSite {
                route: Route::Ophthalmic,
                side: Some(Side::Right),
            }),
            Ambiguous::Od if dosing_context => {
                set_once(&mut self.code, FrequencyCode::Qd, "frequencies")
            }
            Ambiguous::Od => Err(SigError::Ambiguous("OD")),
            Ambiguous::Os if eye_context => self.add_route(RouteSite {
                route: Route::Ophthalmic,
                side: Some(Side::Left),
            }),
            Ambiguous::Os => Err(SigError::Ambiguous("OS")),
        }
    }

    /// A once-daily code plus one time of day becomes QAM/QPM/QHS; times of
    /// day alone count as the frequency ("mane and nocte" → BID). Without
    /// a schedule, only a daily maximum bounds as-needed use; unbounded
    /// directions ("prn pain") go back to the prescriber.
    fn timing(&self) -> Result<Option<Timing>, SigError> {
        let daily_code = |when: &When| when.daily_code().ok_or(SigError::NoFrequency);
        let code = match (self.code, self.times.as_slice()) {
            (Some(FrequencyCode::Qd) | None, [only]) => daily_code(only)?,
            (Some(code), _) => code,
            (None, []) if self.as_needed && self.max_per_day.is_some() => return Ok(None),
            (None, []) => return Err(SigError::NoFrequency),
            (None, [_, _]) => FrequencyCode::Bid,
            (None, _) => FrequencyCode::Tid,
        };
        let mut events = self.times.clone();
        events.extend(self.meal.map(Meal::event));
        Ok(Some(Timing::new(code, &events)))
    }

    fn finish(mut self, flags: Vec<IsmpFlag>) -> Result<Sig, SigError> {
        for which in std::mem::take(&mut self.ambiguous) {
            self.resolve(which)?;
        }
        Ok(Sig {
            dose: self.dose,
            route: self.route.map(|r| r.route),
            side: self.route.and_then(|r| r.side),
            timing: self.timing()?,
            as_needed: self.as_needed,
            prn_reason: self.prn_reason,
            meal: self.meal,
            duration_days: self.duration_days,
            max_per_day: self.max_per_day,
            flags,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
