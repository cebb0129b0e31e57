//! Predictive distributions per horizon and their conformal calibration.
//!
//! The spread comes from the rolling-origin backtest: the mean squared error of
//! the chosen model, as a dispersion index φ = MSE / mean forecast, so a period
//! forecast at μ has variance φ·μ (a Sunday at 40% of a Monday is less uncertain
//! in units). Smooth demand gets a normal distribution, counts of intermittent
//! demand a negative binomial. Calibration then maps each nominal level p to the
//! level p′ at which the backtest's probability-integral-transform values reach
//! coverage p (split conformal on the PIT), pooled per demand class.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::DemandClass;

/// A per-period predictive distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "family")]
pub enum Predictive {
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Negative binomial on counts, variance mean + mean²/size.
    NegBin {
        mean: f64,
        size: f64,
    },
}

/// Above this mean a negative binomial is evaluated through its normal approximation.
const NEGBIN_NORMAL_ABOVE: f64 = 300.0;
/// Upper bound on the probability-mass walk of one quantile or CDF.
const MAX_NEGBIN_STEPS: f64 = 100_000.0;
/// Size standing for "Poisson" when the spread is no wider than Poisson.
const POISSON_SIZE: f64 = 1e6;

impl Predictive {
    pub fn mean(&self) -> f64 {
        match *self {
            Predictive::Normal { mean, .. } | Predictive::NegBin { mean, .. } => mean,
        }
    }

    pub fn variance(&self) -> f64 {
        match *self {
            Predictive::Normal { sd, .. } => sd * sd,
            Predictive::NegBin { mean, size } => mean + mean * mean / size,
        }
    }

    /// Quantile at level `p` (never negative; whole units for counts).
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(1e-6, 1.0 - 1e-9);
        match *self {
            Predictive::Normal { mean, sd } => (mean + sd * normal_quantile(p)).max(0.0),
            Predictive::NegBin { mean, .. } if mean <= 0.0 => 0.0,
            Predictive::NegBin { mean, .. } if mean > NEGBIN_NORMAL_ABOVE => (mean
                + self.variance().sqrt() * normal_quantile(p))
            .round()
            .max(0.0),
            Predictive::NegBin { mean, size } => negbin_quantile(mean, size, p),
        }
    }

    /// P(Y < y): the PIT value that makes `y ≤ quantile(p)` equivalent to `pit < p`.
    pub fn pit(&self, y: f64) -> f64 {
        match *self {
            Predictive::Normal { mean, sd } if sd <= 0.0 => {
                if y > mean {
                    1.0
                } else {
                    0.0
                }
            }
            Predictive::Normal { mean, sd } => normal_cdf((y - mean) / sd),
            Predictive::NegBin { mean, .. } if mean <= 0.0 => {
                if y > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Predictive::NegBin { mean, .. } if mean > NEGBIN_NORMAL_ABOVE => {
                normal_cdf((y.ceil() - 0.5 - mean) / self.variance().sqrt())
            }
            Predictive::NegBin { mean, size } => {
                let below = y.ceil() - 1.0;
                if below < 0.0 {
                    0.0
                } else {
                    negbin_cdf(mean, size, below)
                }
            }
        }
    }
}

/// Walks the NB probability mass function: P(k+1) = P(k)·(k+r)/(k+1)·μ/(μ+r).
fn negbin_walk(mean: f64, size: f64, mut stop: impl FnMut(f64, f64) -> bool) -> f64 {
    let q = mean / (mean + size);
    let mut pmf = (size * (size / (mean + size)).ln()).exp();
    let mut cdf = pmf;
    let mut k = 0.0;
    // Far enough into the tail for any level we use, bounded for extreme dispersion.
    let limit = (mean + 60.0 * (mean + mean * mean / size).sqrt() + 60.0).min(MAX_NEGBIN_STEPS);
    while !stop(k, cdf) && k < limit {
        pmf *= (k + size) / (k + 1.0) * q;
        k += 1.0;
        cdf += pmf;
    }
    if stop(k, cdf) { k } else { limit.ceil() }
}

fn negbin_quantile(mean: f64, size: f64, p: f64) -> f64 {
    negbin_walk(mean, size, |_, cdf| cdf >= p)
}

fn negbin_cdf(mean: f64, size: f64, at: f64) -> f64 {
    let mut result = 1.0;
    negbin_walk(mean, size, |k, cdf| {
        if k >= at {
            result = cdf.min(1.0);
            true
        } else {
            false
        }
    });
    result
}

/// Standard normal CDF via the complementary error function (|error| < 1.2e-7).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Spread of a series' forecasts, learned from its backtest errors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dispersion {
    /// Error variance per unit of forecast (φ), when the backtest forecast was positive.
    pub index: Option<f64>,
    /// Error variance, used when the backtest forecast was zero.
    pub variance: f64,
    /// Whether to use a count (negative binomial) distribution.
    pub counts: bool,
}

impl Dispersion {
    /// From backtest pairs (actual, forecast). Smooth demand or non-integer data → normal.
    pub fn from_pairs(
        actual: &[f64],
        forecast: &[f64],
        class: DemandClass,
        integer: bool,
    ) -> Dispersion {
        let n = actual.len().min(forecast.len()).max(1) as f64;
        let mse = actual
            .iter()
            .zip(forecast)
            .map(|(y, f)| (y - f).powi(2))
            .sum::<f64>()
            / n;
        let mean_fc = forecast.iter().sum::<f64>() / n;
        Dispersion {
            index: (mean_fc > 1e-9).then(|| mse / mean_fc),
            variance: mse,
            counts: integer && class != DemandClass::Smooth,
        }
    }

    /// Predictive distribution of one period forecast at `mean`.
    pub fn predictive(&self, mean: f64) -> Predictive {
        let mean = mean.max(0.0);
        let var = match self.index {
            Some(phi) => phi * mean,
            None => self.variance,
        };
        if self.counts && self.index.is_some() {
            let excess = var - mean;
            let size = if excess > 1e-12 {
                (mean * mean / excess).max(1e-3)
            } else {
                POISSON_SIZE
            };
            Predictive::NegBin { mean, size }
        } else {
            Predictive::Normal {
                mean,
                sd: var.max(0.0).sqrt(),
            }
        }
    }
}

/// Nominal levels at which calibrated levels are stored; others interpolate.
pub const LEVEL_GRID: [f64; 9] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995];
/// Fewer PIT values than this leave the nominal levels untouched.
const MIN_PIT_VALUES: usize = 30;

/// Monotone map from nominal to calibrated levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelMap {
    pub nominal: Vec<f64>,
    pub calibrated: Vec<f64>,
}

impl LevelMap {
    pub fn identity() -> LevelMap {
        LevelMap {
            nominal: LEVEL_GRID.to_vec(),
            calibrated: LEVEL_GRID.to_vec(),
        }
    }

    /// Split-conformal levels from sorted PIT values: p′ is the ⌈(n+1)p⌉-th smallest PIT,
    /// so that at least a share p of the backtest lies at or below the quantile.
    fn from_sorted_pits(pits: &[f64]) -> LevelMap {
        let n = pits.len();
        let calibrated = LEVEL_GRID
            .iter()
            .map(|p| {
                let k = (((n + 1) as f64 * p).ceil() as usize).clamp(1, n);
                (pits[k - 1] + 1e-9).clamp(0.05, 0.9995)
            })
            .collect::<Vec<f64>>();
        let mut monotone = calibrated;
        for i in 1..monotone.len() {
            monotone[i] = monotone[i].max(monotone[i - 1]);
        }
        LevelMap {
            nominal: LEVEL_GRID.to_vec(),
            calibrated: monotone,
        }
    }

    /// Calibrated level for nominal `p` (linear between grid points, nominal outside it).
    pub fn level(&self, p: f64) -> f64 {
        let (nom, cal) = (&self.nominal, &self.calibrated);
        if nom.is_empty() || p <= nom[0] {
            return if nom.is_empty() {
                p
            } else {
                (p / nom[0] * cal[0]).min(cal[0])
            };
        }
        for i in 1..nom.len() {
            if p <= nom[i] {
                let w = (p - nom[i - 1]) / (nom[i] - nom[i - 1]);
                return cal[i - 1] + w * (cal[i] - cal[i - 1]);
            }
        }
        let last = cal[cal.len() - 1];
        last.max(p.min(0.9995))
    }
}

/// PIT values collected per demand class over a batch's backtests.
#[derive(Debug, Default)]
pub struct Calibration {
    pits: BTreeMap<DemandClass, Vec<f64>>,
}

impl Calibration {
    pub fn add(&mut self, class: DemandClass, pits: impl IntoIterator<Item = f64>) {
        self.pits.entry(class).or_default().extend(pits);
    }

    /// Level maps per class; classes with too few values share the pooled map.
    pub fn finish(mut self) -> BTreeMap<DemandClass, LevelMap> {
        let mut all: Vec<f64> = self.pits.values().flatten().copied().collect();
        all.sort_by(f64::total_cmp);
        let pooled = if all.len() >= MIN_PIT_VALUES {
            LevelMap::from_sorted_pits(&all)
        } else {
            LevelMap::identity()
        };
        DemandClass::ALL
            .into_iter()
            .map(|class| {
                let map = match self.pits.remove(&class) {
                    Some(mut v) if v.len() >= MIN_PIT_VALUES => {
                        v.sort_by(f64::total_cmp);
                        LevelMap::from_sorted_pits(&v)
                    }
                    _ => pooled.clone(),
                };
                (class, map)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_functions_are_consistent() {
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-8);
        assert!((normal_cdf(1.959_963_985) - 0.975).abs() < 1e-6);
        assert!(normal_quantile(0.001) < -3.0);
    }

    #[test]
    fn negbin_quantile_and_pit_agree() {
        let d = Predictive::NegBin {
            mean: 3.0,
            size: 1.5,
        };
        for p in [0.1, 0.5, 0.9, 0.95, 0.99] {
            let q = d.quantile(p);
            // q is the smallest count with CDF ≥ p: P(Y < q) < p ≤ P(Y < q + 1).
            assert!(d.pit(q) < p && d.pit(q + 1.0) >= p, "p={p} q={q}");
        }
        // Poisson(2) P(Y=0) = e^-2
        let poisson = Predictive::NegBin {
            mean: 2.0,
            size: POISSON_SIZE,
        };
        assert!((poisson.pit(1.0) - (-2.0f64).exp()).abs() < 1e-5);
    }

    #[test]
    fn calibration_widens_an_overconfident_model() {
        // PITs piled near 1: the model under-predicts, so p′ must exceed p.
        let mut c = Calibration::default();
        c.add(
            DemandClass::Smooth,
            (0..100).map(|i| 0.5 + f64::from(i) / 200.0),
        );
        let maps = c.finish();
        let map = &maps[&DemandClass::Smooth];
        assert!(map.level(0.5) > 0.7);
        assert!(map.level(0.9) > map.level(0.8));
        assert_eq!(maps[&DemandClass::Lumpy], maps[&DemandClass::Smooth]);
    }
}
