//! Seeded generator of pharmacy-like daily demand with known true demand and
//! stock-outs, for tests and benchmarks. It mirrors the shape of the evaluation
//! generator (weekday profile, four Syntetos–Boylan classes, censoring) without
//! external dependencies, so results are reproducible on every platform.

use time::Date;

use crate::error::Result;
use crate::series::{DemandSeries, Frequency, Observation};

/// SplitMix64: tiny, fast and good enough for simulation.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Poisson by inversion for small means, rounded normal above 30.
    pub fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let limit = (-mean).exp();
        let mut k = 0.0;
        let mut p = self.uniform();
        while p > limit {
            k += 1.0;
            p *= self.uniform();
        }
        k
    }

    /// Gamma(shape, 1) by Marsaglia–Tsang (boosted below shape 1).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let boost = self.uniform().max(1e-300).powf(1.0 / shape);
            return self.gamma(shape + 1.0) * boost;
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Negative binomial with mean and shape (variance mean + mean²/shape).
    pub fn negbin(&mut self, mean: f64, shape: f64) -> f64 {
        let lambda = self.gamma(shape) * mean / shape;
        self.poisson(lambda)
    }
}

/// Monday..Sunday demand profile of a community pharmacy.
const WEEKDAY: [f64; 7] = [1.20, 1.10, 1.05, 1.05, 1.15, 0.85, 0.40];

/// One generated SKU.
#[derive(Debug, Clone)]
pub struct SyntheticSku {
    pub id: String,
    pub start: Date,
    pub true_demand: Vec<f64>,
    /// Observed sales: zero on stock-out days.
    pub sales: Vec<f64>,
    pub stockout: Vec<bool>,
}

impl SyntheticSku {
    /// The observed series with stock-out flags (what a store would record).
    pub fn observed(&self) -> Result<DemandSeries> {
        let obs =
            self.sales
                .iter()
                .zip(&self.stockout)
                .enumerate()
                .map(|(i, (&qty, &stockout))| Observation {
                    date: self.start + time::Duration::days(i as i64),
                    qty,
                    stockout,
                    unmet: 0.0,
                });
        DemandSeries::from_observations(self.id.clone(), Frequency::Daily, obs)
    }

    /// The observed sales without the stock-out flags (censoring ignored).
    pub fn observed_unflagged(&self) -> Result<DemandSeries> {
        DemandSeries::from_values(self.id.clone(), Frequency::Daily, self.start, &self.sales)
    }

    /// The true demand as a series.
    pub fn truth(&self) -> Result<DemandSeries> {
        DemandSeries::from_values(
            self.id.clone(),
            Frequency::Daily,
            self.start,
            &self.true_demand,
        )
    }
}

/// Generates `n` SKUs of `days` daily observations from `start` (a Monday keeps
/// the weekday profile aligned). `stockout_share` of SKUs get 1–3 episodes.
pub fn generate(
    n: usize,
    days: usize,
    seed: u64,
    start: Date,
    stockout_share: f64,
) -> Vec<SyntheticSku> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| sku(&mut rng, i, days, start, stockout_share))
        .collect()
}

fn sku(rng: &mut Rng, i: usize, days: usize, start: Date, stockout_share: f64) -> SyntheticSku {
    let class = rng.uniform();
    let (p, mean_size, shape) = if class < 0.3 {
        (
            0.85 + 0.15 * rng.uniform(),
            3.0 + 30.0 * rng.uniform(),
            f64::INFINITY,
        )
    } else if class < 0.45 {
        (
            0.8 + 0.2 * rng.uniform(),
            2.0 + 15.0 * rng.uniform(),
            0.3 + 0.7 * rng.uniform(),
        )
    } else if class < 0.75 {
        (
            0.03 + 0.5 * rng.uniform(),
            0.2 + 1.3 * rng.uniform(),
            f64::INFINITY,
        )
    } else {
        (
            0.03 + 0.5 * rng.uniform(),
            2.0 + 10.0 * rng.uniform(),
            0.2 + 0.4 * rng.uniform(),
        )
    };
    let offset = usize::from(start.weekday().number_days_from_monday());
    let true_demand: Vec<f64> = (0..days)
        .map(|t| {
            let w = WEEKDAY[(t + offset) % 7];
            let occurs = rng.uniform() < (p * w).min(1.0);
            if !occurs {
                return 0.0;
            }
            let size_mean = (mean_size * w / (p * w).min(1.0) * p).max(0.0);
            if shape.is_finite() {
                1.0 + rng.negbin(size_mean, shape)
            } else {
                1.0 + rng.poisson(size_mean)
            }
        })
        .collect();
    let mut stockout = vec![false; days];
    if rng.uniform() < stockout_share && days > 60 {
        let episodes = 1 + (rng.uniform() * 3.0) as usize;
        for _ in 0..episodes {
            let s0 = 14 + (rng.uniform() * (days - 40) as f64) as usize;
            let len = 3 + (rng.uniform() * 12.0) as usize;
            stockout[s0..(s0 + len).min(days)]
                .iter_mut()
                .for_each(|s| *s = true);
        }
    }
    let sales = true_demand
        .iter()
        .zip(&stockout)
        .map(|(d, s)| if *s { 0.0 } else { *d })
        .collect();
    SyntheticSku {
        id: format!("SKU{i:05}"),
        start,
        true_demand,
        sales,
        stockout,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn generator_is_deterministic_and_censors_only_flagged_days() {
        let a = generate(20, 200, 7, date!(2024 - 01 - 01), 0.5);
        let b = generate(20, 200, 7, date!(2024 - 01 - 01), 0.5);
        assert_eq!(a[3].true_demand, b[3].true_demand);
        assert!(a.iter().any(|s| s.stockout.iter().any(|x| *x)));
        for s in &a {
            for t in 0..s.sales.len() {
                let expect = if s.stockout[t] { 0.0 } else { s.true_demand[t] };
                assert_eq!(s.sales[t], expect);
            }
        }
    }

    #[test]
    fn negbin_has_the_requested_mean() {
        let mut rng = Rng::new(1);
        let n = 20_000;
        let mean = (0..n).map(|_| rng.negbin(4.0, 0.5)).sum::<f64>() / f64::from(n);
        assert!((mean - 4.0).abs() < 0.25, "{mean}");
    }
}
