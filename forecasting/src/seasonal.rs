//! Multiplicative seasonal profiles (e.g. day of week, month of year).
//!
//! Pharmacy demand is multiplicative: a Sunday is ~40% of a Monday whether the
//! item sells 2 or 200 a day. A profile is estimated per series and shrunk toward
//! a prior (the pooled profile of all series, or flat) with Poisson–gamma weights,
//! so a slow mover borrows the shape of the fast movers instead of inventing one.

use serde::Serialize;

/// Pseudo-demand (in units) behind the prior of each phase.
const PRIOR_UNITS: f64 = 30.0;
/// Profiles flatter than this are ignored: the noise would cost more than it helps.
const MATERIAL_DEVIATION: f64 = 0.12;
/// Phases below this factor count as "closed" (e.g. Sunday at a closed shop).
pub const CLOSED_FACTOR: f64 = 0.05;
/// A phase with no demand where this many units were expected is closed, not
/// unlucky (P(0) under Poisson(10) is 5e-5).
const CLOSED_EVIDENCE: f64 = 10.0;

/// Per-phase demand and its deseasonalised expectation (the centred moving
/// average) over the last whole seasons of a series. Dividing by the moving
/// average instead of the overall mean keeps a trend from leaking into the
/// factors of the phases that come late in each season.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSums {
    pub sums: Vec<f64>,
    pub expected: Vec<f64>,
}

/// Centred moving average over one season (2×m for even m), `None` near the edges
/// or where the window touches a skipped (censored) value.
fn centred_averages(y: &[f64], skip: Option<&[bool]>, m: usize) -> Vec<Option<f64>> {
    let mut sum = vec![0.0; y.len() + 1];
    let mut skipped = vec![0usize; y.len() + 1];
    for (i, v) in y.iter().enumerate() {
        sum[i + 1] = sum[i] + v;
        let s = skip.is_some_and(|s| s.get(i).copied().unwrap_or(false));
        skipped[i + 1] = skipped[i] + usize::from(s);
    }
    let half = m / 2;
    let window = |lo: usize, hi: usize| (sum[hi] - sum[lo], skipped[hi] - skipped[lo]);
    (0..y.len())
        .map(|t| {
            if t < half || t + half >= y.len() {
                return None;
            }
            if m % 2 == 1 {
                let (s, k) = window(t - half, t + half + 1);
                (k == 0).then(|| s / m as f64)
            } else {
                // 2×m MA: half weight on the two end points.
                let (s, k) = window(t - half, t + half + 1);
                let ends = 0.5 * (y[t - half] + y[t + half]);
                (k == 0).then(|| (s - ends) / m as f64)
            }
        })
        .collect()
}

impl PhaseSums {
    /// Sums over at most `max_seasons` whole seasons at the end of `y`.
    /// Values flagged in `skip` (censored periods) are left out.
    pub fn of(
        y: &[f64],
        skip: Option<&[bool]>,
        start_ordinal: i64,
        season: usize,
        max_seasons: usize,
    ) -> Self {
        let mut sums = vec![0.0; season.max(1)];
        let mut expected = vec![0.0; season.max(1)];
        if season >= 2 && y.len() >= 2 * season {
            let ma = centred_averages(y, skip, season);
            let len = (y.len() / season).min(max_seasons) * season;
            for t in y.len() - len..y.len() {
                if let Some(level) = ma[t] {
                    let p = phase(start_ordinal + t as i64, season);
                    sums[p] += y[t];
                    expected[p] += level;
                }
            }
        }
        PhaseSums { sums, expected }
    }

    fn has_demand(&self) -> bool {
        self.sums.iter().sum::<f64>() > 0.0 && self.expected.iter().sum::<f64>() > 0.0
    }
}

/// Seasonal factors by phase (`ordinal mod season`), averaging 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeasonalProfile {
    factors: Vec<f64>,
}

fn phase(ordinal: i64, season: usize) -> usize {
    ordinal.rem_euclid(season.max(1) as i64) as usize
}

impl SeasonalProfile {
    pub fn flat(season: usize) -> Self {
        SeasonalProfile {
            factors: vec![1.0; season.max(1)],
        }
    }

    /// The volume-weighted profile of many series: the prior for each of them.
    pub fn pooled(all: &[PhaseSums], season: usize) -> Self {
        let mut num = vec![0.0; season.max(1)];
        let mut den = vec![0.0; season.max(1)];
        let width = num.len();
        for ps in all
            .iter()
            .filter(|ps| ps.has_demand() && ps.sums.len() == width)
        {
            for p in 0..num.len() {
                num[p] += ps.sums[p];
                den[p] += ps.expected[p];
            }
        }
        let factors = num
            .iter()
            .zip(&den)
            .map(|(a, b)| if *b > 0.0 { a / b } else { 1.0 })
            .collect();
        Self::normalised(factors)
    }

    /// Posterior-mean factors: each phase's demand plus `PRIOR_UNITS` of pseudo-demand
    /// spread as the prior says.
    pub fn shrunk(sums: &PhaseSums, prior: &SeasonalProfile) -> Self {
        let season = sums.sums.len();
        if season < 2 || prior.factors.len() != season || !sums.has_demand() {
            return prior.clone();
        }
        let factors = (0..season)
            .map(|p| {
                if sums.sums[p] == 0.0 && sums.expected[p] >= CLOSED_EVIDENCE {
                    0.0
                } else {
                    (sums.sums[p] + PRIOR_UNITS * prior.factors[p])
                        / (sums.expected[p] + PRIOR_UNITS)
                }
            })
            .collect();
        Self::normalised(factors)
    }

    fn normalised(mut factors: Vec<f64>) -> Self {
        let mean = factors.iter().sum::<f64>() / factors.len() as f64;
        if mean > 0.0 {
            factors.iter_mut().for_each(|f| *f /= mean);
        }
        SeasonalProfile { factors }
    }

    pub fn season(&self) -> usize {
        self.factors.len()
    }

    pub fn factors(&self) -> &[f64] {
        &self.factors
    }

    pub fn factor(&self, ordinal: i64) -> f64 {
        self.factors[phase(ordinal, self.factors.len())]
    }

    /// Whether the profile moves demand enough to be worth modelling.
    pub fn is_material(&self) -> bool {
        self.factors.len() >= 2
            && self
                .factors
                .iter()
                .any(|f| (f - 1.0).abs() > MATERIAL_DEVIATION)
    }

    /// Divides out the profile. Closed phases carry no information about the level
    /// and are dropped; the returned series is what non-seasonal models see.
    pub fn deseasonalise(&self, y: &[f64], start_ordinal: i64) -> Vec<f64> {
        y.iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let f = self.factor(start_ordinal + i as i64);
                (f >= CLOSED_FACTOR).then(|| v / f)
            })
            .collect()
    }

    /// Puts the profile back onto a flat-shaped forecast path that starts at `first_ordinal`.
    /// The path is indexed over open periods only, matching [`Self::deseasonalise`].
    pub fn reseasonalise(&self, path: &[f64], first_ordinal: i64, horizon: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(horizon);
        let mut k = 0;
        for h in 0..horizon {
            let f = self.factor(first_ordinal + h as i64);
            if f < CLOSED_FACTOR {
                out.push(0.0);
            } else {
                let base = path.get(k).or(path.last()).copied().unwrap_or(0.0);
                out.push(base * f);
                k += 1;
            }
        }
        out
    }

    /// How many open periods a horizon contains (the length the base model must forecast).
    pub fn open_periods(&self, first_ordinal: i64, horizon: usize) -> usize {
        (0..horizon)
            .filter(|h| self.factor(first_ordinal + *h as i64) >= CLOSED_FACTOR)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_own_profile_survives_shrinkage_and_round_trips() {
        let pattern = [10.0, 10.0, 10.0, 10.0, 10.0, 5.0, 0.0];
        let y: Vec<f64> = (0..364).map(|i| pattern[i % 7]).collect();
        let sums = PhaseSums::of(&y, None, 0, 7, 52);
        let p = SeasonalProfile::shrunk(&sums, &SeasonalProfile::flat(7));
        assert!(p.is_material());
        assert!(p.factor(6) < 0.1 && p.factor(0) > 1.1);
        let ds = p.deseasonalise(&y, 0);
        assert!(ds.len() < y.len(), "closed phase is dropped");
        let back = p.reseasonalise(&[ds[0]; 7], 364, 7);
        assert!((back[0] - 10.0).abs() < 1e-9, "{back:?}");
    }

    #[test]
    fn slow_movers_lean_on_the_prior() {
        let y = [
            0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        let alternating: Vec<f64> = (0..20)
            .map(|i| if i % 2 == 0 { 1.0 } else { 3.0 })
            .collect();
        let prior = SeasonalProfile::pooled(&[PhaseSums::of(&alternating, None, 0, 2, 10)], 2);
        let sums = PhaseSums::of(&y, None, 0, 7, 52);
        let p = SeasonalProfile::shrunk(&sums, &SeasonalProfile::flat(7));
        assert!(p.factors().iter().all(|f| (f - 1.0).abs() < 0.3));
        assert!((prior.factor(1) - 1.5).abs() < 1e-12);
    }
}
