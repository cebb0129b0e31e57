//! Censored demand. On a stock-out day the shelf was empty, so sales understate
//! demand; learning those zeros would teach the model to under-order exactly the
//! items that already ran out. Such days are treated as missing and imputed from
//! the uncensored neighbourhood, seasonally adjusted. Recorded unmet demand is
//! added to sales as a lower bound on true demand.

use crate::seasonal::{PhaseSums, SeasonalProfile};
use crate::series::DemandSeries;

/// Half-width, in seasons, of the neighbourhood used to impute a censored period.
const WINDOW_SEASONS: usize = 4;

/// Demand estimate per period: sales + unmet, with stock-out periods imputed.
pub fn corrected_demand(series: &DemandSeries, season: usize) -> Vec<f64> {
    let base: Vec<f64> = series
        .sales()
        .iter()
        .zip(series.unmet())
        .map(|(s, u)| s + u)
        .collect();
    let censored = series.stockout();
    if !censored.iter().any(|c| *c) {
        return base;
    }
    let start = series.start_ordinal();
    let profile = if season >= 2 {
        let sums = PhaseSums::of(&base, Some(censored), start, season, 52);
        SeasonalProfile::shrunk(&sums, &SeasonalProfile::flat(season))
    } else {
        SeasonalProfile::flat(1)
    };
    let half = WINDOW_SEASONS * season.max(7);
    (0..base.len())
        .map(|t| {
            if !censored[t] {
                return base[t];
            }
            let lo = t.saturating_sub(half);
            let hi = (t + half + 1).min(base.len());
            let (mut demand, mut weight) = (0.0, 0.0);
            for u in (lo..hi).filter(|u| !censored[*u]) {
                demand += base[u];
                weight += profile.factor(start + u as i64);
            }
            let level = if weight > 0.0 { demand / weight } else { 0.0 };
            base[t].max(level * profile.factor(start + t as i64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::series::{Frequency, Observation};
    use time::macros::date;

    #[test]
    fn stockout_days_are_imputed_and_unmet_demand_is_added() {
        let start = date!(2024 - 01 - 01);
        let obs: Vec<Observation> = (0..56)
            .map(|i| {
                let d = start + time::Duration::days(i);
                let out = (20..27).contains(&i);
                Observation {
                    date: d,
                    qty: if out { 0.0 } else { 4.0 },
                    stockout: out,
                    unmet: if i == 30 { 3.0 } else { 0.0 },
                }
            })
            .collect();
        let s = DemandSeries::from_observations("x", Frequency::Daily, obs).unwrap();
        let d = corrected_demand(&s, 7);
        // Imputed near the level of 4 (the unmet spike nudges the local mean up).
        assert!(
            d[20..27].iter().all(|v| (v - 4.0).abs() < 0.3),
            "{:?}",
            &d[20..27]
        );
        assert!((d[30] - 7.0).abs() < 1e-12);
        assert!((d[0] - 4.0).abs() < 1e-12);
    }
}
