//! The modelling view of a series: censoring-corrected demand from the first
//! demand onward, its class and its seasonal profile.

use crate::censor::corrected_demand;
use crate::classify::{Classification, classify};
use crate::seasonal::{PhaseSums, SeasonalProfile};
use crate::series::DemandSeries;

/// Seasons of history used for a profile (a year of weekdays, four years of months).
const PROFILE_SEASONS: usize = 52;

#[derive(Debug, Clone)]
pub struct History {
    pub id: String,
    /// Corrected demand from the first non-zero period onward.
    pub y: Vec<f64>,
    /// Ordinal of `y[0]`.
    pub start: i64,
    /// Ordinal of the first forecast period (one past the history, even if `y` is empty).
    pub end: i64,
    pub class: Classification,
    pub phase_sums: PhaseSums,
    pub profile: SeasonalProfile,
    /// All values are whole numbers (counts), so a count distribution fits.
    pub integer: bool,
}

impl History {
    /// Builds the modelling view; the profile starts flat until [`Self::shrink_profile`].
    pub fn prepare(series: &DemandSeries, season: usize) -> History {
        let demand = corrected_demand(series, season);
        let first = demand.iter().position(|v| *v > 0.0).unwrap_or(demand.len());
        let y = demand[first..].to_vec();
        let start = series.start_ordinal() + first as i64;
        let phase_sums = PhaseSums::of(&y, None, start, season, PROFILE_SEASONS);
        History {
            id: series.id().to_string(),
            class: classify(&y),
            integer: y.iter().all(|v| v.fract() == 0.0),
            profile: SeasonalProfile::flat(season),
            phase_sums,
            start,
            end: series.end_ordinal(),
            y,
        }
    }

    /// Shrinks the series' own profile toward `prior` (usually the pooled one).
    pub fn shrink_profile(&mut self, prior: &SeasonalProfile) {
        self.profile = SeasonalProfile::shrunk(&self.phase_sums, prior);
    }

    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// Prepares all series and shrinks each profile toward their pooled profile.
pub fn prepare_all(series: &[DemandSeries], season: usize) -> Vec<History> {
    let mut histories: Vec<History> = series.iter().map(|s| History::prepare(s, season)).collect();
    let sums: Vec<PhaseSums> = histories.iter().map(|h| h.phase_sums.clone()).collect();
    let prior = if season >= 2 {
        SeasonalProfile::pooled(&sums, season)
    } else {
        SeasonalProfile::flat(1)
    };
    for h in &mut histories {
        h.shrink_profile(&prior);
    }
    histories
}
