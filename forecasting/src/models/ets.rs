//! ETS with additive errors: SES (A,N,N), Holt (A,A,N), damped Holt (A,Ad,N)
//! and their additive-seasonal forms (A,N,A), (A,Ad,A).
//!
//! Parameters maximise the Gaussian likelihood, i.e. minimise the one-step SSE.
//! For the non-seasonal forms the initial states are concentrated out exactly:
//! the filter is linear in (l₀, b₀), so three passes (data; unit level; unit trend,
//! both with zero data) give the SSE as a quadratic in the initial states.
//! Seasonal forms start from a classical decomposition of the first seasons.
//! The form is chosen by AICc.

use serde::Serialize;

use crate::optim::{golden_section, nelder_mead};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    None,
    Additive,
    Damped,
}

/// A fitted ETS model; re-applicable to any history that starts where the fit's did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EtsFit {
    pub trend: Trend,
    /// Seasonal period, 0 without a seasonal component.
    pub season: usize,
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
    pub level0: f64,
    pub trend0: f64,
    pub seasonal0: Vec<f64>,
    pub sse: f64,
    pub aicc: f64,
}

const MIN_SMOOTHING: f64 = 1e-4;
const MAX_SMOOTHING: f64 = 0.9999;
const PHI_RANGE: (f64, f64) = (0.8, 0.98);

/// Smoothing parameters of one candidate, in model units.
#[derive(Debug, Clone, Copy)]
struct Smoothing {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
}

/// Runs the filter; returns (SSE, final level, final trend, seasonal states).
fn filter(y: &[f64], p: Smoothing, l0: f64, b0: f64, s0: &[f64]) -> (f64, f64, f64, Vec<f64>) {
    let (mut l, mut b) = (l0, b0);
    let mut s = s0.to_vec();
    let m = s.len();
    let mut sse = 0.0;
    for (t, &yt) in y.iter().enumerate() {
        let st = if m > 0 { s[t % m] } else { 0.0 };
        let e = yt - (l + p.phi * b + st);
        sse += e * e;
        l = l + p.phi * b + p.alpha * e;
        b = p.phi * b + p.beta * e;
        if m > 0 {
            s[t % m] = st + p.gamma * e;
        }
    }
    (sse, l, b, s)
}

/// Minimum SSE over initial states for a non-seasonal form, with those states.
fn concentrated(y: &[f64], p: Smoothing, with_trend: bool) -> (f64, f64, f64) {
    // Tracks: data from zero states (e0), zero data from unit level (u) / unit trend (v).
    let (mut l0, mut b0, mut lu, mut bu, mut lv, mut bv) = (0.0, 0.0, 1.0, 0.0, 0.0, 1.0);
    let (mut ee, mut uu, mut vv, mut ue, mut ve, mut uv) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &yt in y {
        let e0 = yt - (l0 + p.phi * b0);
        let eu = -(lu + p.phi * bu);
        let ev = -(lv + p.phi * bv);
        ee += e0 * e0;
        uu += eu * eu;
        ue += eu * e0;
        l0 += p.phi * b0 + p.alpha * e0;
        b0 = p.phi * b0 + p.beta * e0;
        lu += p.phi * bu + p.alpha * eu;
        bu = p.phi * bu + p.beta * eu;
        if with_trend {
            vv += ev * ev;
            ve += ev * e0;
            uv += eu * ev;
            lv += p.phi * bv + p.alpha * ev;
            bv = p.phi * bv + p.beta * ev;
        }
    }
    let ridge = 1e-12 * (uu + vv + 1.0);
    if !with_trend {
        let level = -ue / (uu + ridge);
        return ((ee + level * ue).max(0.0), level, 0.0);
    }
    let (a, b, d) = (uu + ridge, uv, vv + ridge);
    let det = a * d - b * b;
    if det.abs() < 1e-300 {
        let level = -ue / a;
        return ((ee + level * ue).max(0.0), level, 0.0);
    }
    let level = -(d * ue - b * ve) / det;
    let slope = -(a * ve - b * ue) / det;
    ((ee + level * ue + slope * ve).max(0.0), level, slope)
}

fn aicc(sse: f64, n: usize, k: usize) -> f64 {
    let n_f = n as f64;
    let k_f = k as f64;
    if n <= k + 1 {
        return f64::INFINITY;
    }
    let lik = n_f * (sse.max(1e-12) / n_f).ln();
    lik + 2.0 * k_f + 2.0 * k_f * (k_f + 1.0) / (n_f - k_f - 1.0)
}

fn smoothing_from(trend: Trend, x: &[f64]) -> Smoothing {
    let alpha = x[0];
    match trend {
        Trend::None => Smoothing {
            alpha,
            beta: 0.0,
            gamma: x.get(1).map_or(0.0, |g| g * (1.0 - alpha)),
            phi: 1.0,
        },
        Trend::Additive | Trend::Damped => Smoothing {
            alpha,
            beta: x[1] * alpha,
            gamma: x.get(2).map_or(0.0, |g| g * (1.0 - alpha)),
            phi: if trend == Trend::Damped {
                x.get(3).copied().unwrap_or(1.0)
            } else {
                1.0
            },
        },
    }
}

/// Fits one non-seasonal form.
pub fn fit_nonseasonal(y: &[f64], trend: Trend) -> EtsFit {
    let with_trend = trend != Trend::None;
    let best = match trend {
        Trend::None => {
            let objective = |a: f64| concentrated(y, smoothing_from(trend, &[a]), false).0;
            vec![golden_section(
                objective,
                MIN_SMOOTHING,
                MAX_SMOOTHING,
                1e-4,
            )]
        }
        Trend::Additive => {
            let objective = |x: &[f64]| concentrated(y, smoothing_from(trend, x), true).0;
            nelder_mead(
                objective,
                &[0.2, 0.1],
                &[MIN_SMOOTHING; 2],
                &[MAX_SMOOTHING, 1.0],
                120,
            )
        }
        Trend::Damped => {
            let objective = |x: &[f64]| {
                let p = smoothing_from(trend, &[x[0], x[1], 0.0, x[2]]);
                concentrated(y, p, true).0
            };
            let x = nelder_mead(
                objective,
                &[0.2, 0.1, 0.95],
                &[MIN_SMOOTHING, MIN_SMOOTHING, PHI_RANGE.0],
                &[MAX_SMOOTHING, 1.0, PHI_RANGE.1],
                180,
            );
            vec![x[0], x[1], 0.0, x[2]]
        }
    };
    let p = smoothing_from(trend, &best);
    let (sse, level0, trend0) = concentrated(y, p, with_trend);
    let k = match trend {
        Trend::None => 3,
        Trend::Additive => 5,
        Trend::Damped => 6,
    };
    EtsFit {
        trend,
        season: 0,
        alpha: p.alpha,
        beta: p.beta,
        gamma: 0.0,
        phi: p.phi,
        level0,
        trend0: if with_trend { trend0 } else { 0.0 },
        seasonal0: Vec::new(),
        sse,
        aicc: aicc(sse, y.len(), k),
    }
}

/// Classical-decomposition start for a seasonal form (needs two whole seasons).
fn seasonal_start(y: &[f64], m: usize) -> (f64, f64, Vec<f64>) {
    let seasons = (y.len() / m).clamp(2, 4);
    let means: Vec<f64> = (0..seasons)
        .map(|k| y[k * m..(k + 1) * m].iter().sum::<f64>() / m as f64)
        .collect();
    let slope = (means[seasons - 1] - means[0]) / ((seasons - 1) * m) as f64;
    let s0: Vec<f64> = (0..m)
        .map(|j| (0..seasons).map(|k| y[k * m + j] - means[k]).sum::<f64>() / seasons as f64)
        .collect();
    (means[0] - slope * (m as f64 - 1.0) / 2.0, slope, s0)
}

/// Fits one additive-seasonal form (trend `None` or `Damped`).
pub fn fit_seasonal(y: &[f64], trend: Trend, m: usize) -> Option<EtsFit> {
    if m < 2 || y.len() < 3 * m {
        return None;
    }
    let (l0, b0_raw, s0) = seasonal_start(y, m);
    let b0 = if trend == Trend::None { 0.0 } else { b0_raw };
    let p = match trend {
        Trend::None => {
            let f = |x: &[f64]| filter(y, smoothing_from(trend, x), l0, b0, &s0).0;
            let x = nelder_mead(
                f,
                &[0.2, 0.05],
                &[MIN_SMOOTHING; 2],
                &[MAX_SMOOTHING, 1.0],
                120,
            );
            smoothing_from(trend, &x)
        }
        Trend::Additive | Trend::Damped => {
            let f = |x: &[f64]| filter(y, smoothing_from(Trend::Damped, x), l0, b0, &s0).0;
            let x = nelder_mead(
                f,
                &[0.2, 0.1, 0.05, 0.95],
                &[MIN_SMOOTHING, MIN_SMOOTHING, MIN_SMOOTHING, PHI_RANGE.0],
                &[MAX_SMOOTHING, 1.0, 1.0, PHI_RANGE.1],
                240,
            );
            smoothing_from(Trend::Damped, &x)
        }
    };
    let (sse, ..) = filter(y, p, l0, b0, &s0);
    let params = if trend == Trend::None { 2 } else { 4 };
    let states = if trend == Trend::None { m } else { m + 1 };
    Some(EtsFit {
        trend: if trend == Trend::None {
            Trend::None
        } else {
            Trend::Damped
        },
        season: m,
        alpha: p.alpha,
        beta: p.beta,
        gamma: p.gamma,
        phi: p.phi,
        level0: l0,
        trend0: b0,
        seasonal0: s0,
        sse,
        aicc: aicc(sse, y.len(), params + states + 1),
    })
}

/// AICc choice among SES, Holt, damped Holt and, when the history holds at least
/// three seasons, the additive-seasonal forms.
pub fn fit_auto(y: &[f64], season: usize) -> EtsFit {
    let mut best = fit_nonseasonal(y, Trend::None);
    let mut candidates = vec![
        fit_nonseasonal(y, Trend::Additive),
        fit_nonseasonal(y, Trend::Damped),
    ];
    candidates.extend(fit_seasonal(y, Trend::None, season));
    candidates.extend(fit_seasonal(y, Trend::Damped, season));
    for c in candidates {
        if c.aicc < best.aicc {
            best = c;
        }
    }
    best
}

impl EtsFit {
    /// Forecasts `h` steps after `y`, re-running the filter with the fitted parameters.
    pub fn forecast(&self, y: &[f64], h: usize) -> Vec<f64> {
        let p = Smoothing {
            alpha: self.alpha,
            beta: self.beta,
            gamma: self.gamma,
            phi: self.phi,
        };
        let (_, l, b, s) = filter(y, p, self.level0, self.trend0, &self.seasonal0);
        let m = s.len();
        let mut damp = 0.0;
        let mut phi_k = 1.0;
        (1..=h)
            .map(|k| {
                phi_k *= self.phi;
                damp += phi_k;
                let st = if m > 0 { s[(y.len() + k - 1) % m] } else { 0.0 };
                l + damp * b + st
            })
            .collect()
    }

    /// Short form name, e.g. `ets(A,Ad,N)`.
    pub fn form(&self) -> String {
        let t = match self.trend {
            Trend::None => "N",
            Trend::Additive => "A",
            Trend::Damped => "Ad",
        };
        let s = if self.season > 0 { "A" } else { "N" };
        format!("ets(A,{t},{s})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ses_filter_matches_hand_computation() {
        // l0 = 10, α = 0.3, y = 12, 9, 11:
        // e1 = 2 → l1 = 10.6; e2 = -1.6 → l2 = 10.12; e3 = 0.88 → l3 = 10.384
        let fit = EtsFit {
            trend: Trend::None,
            season: 0,
            alpha: 0.3,
            beta: 0.0,
            gamma: 0.0,
            phi: 1.0,
            level0: 10.0,
            trend0: 0.0,
            seasonal0: vec![],
            sse: 0.0,
            aicc: 0.0,
        };
        let fc = fit.forecast(&[12.0, 9.0, 11.0], 2);
        assert!(
            (fc[0] - 10.384).abs() < 1e-9 && (fc[1] - 10.384).abs() < 1e-9,
            "{fc:?}"
        );
        let (sse, ..) = filter(
            &[12.0, 9.0, 11.0],
            Smoothing {
                alpha: 0.3,
                beta: 0.0,
                gamma: 0.0,
                phi: 1.0,
            },
            10.0,
            0.0,
            &[],
        );
        assert!((sse - (4.0 + 2.56 + 0.7744)).abs() < 1e-9);
    }

    #[test]
    fn concentrated_initial_state_is_the_least_squares_one() {
        let y = [5.0, 7.0, 6.0, 8.0, 7.5, 9.0];
        let p = Smoothing {
            alpha: 0.4,
            beta: 0.0,
            gamma: 0.0,
            phi: 1.0,
        };
        let (sse, l0, _) = concentrated(&y, p, false);
        let direct = |l: f64| filter(&y, p, l, 0.0, &[]).0;
        assert!((direct(l0) - sse).abs() < 1e-9);
        assert!(direct(l0 + 0.01) > sse && direct(l0 - 0.01) > sse);
    }

    #[test]
    fn holt_recovers_a_clean_trend_and_aicc_prefers_it() {
        let y: Vec<f64> = (0..40).map(|t| 3.0 + 0.5 * f64::from(t)).collect();
        let fit = fit_auto(&y, 0);
        assert_ne!(fit.trend, Trend::None);
        let fc = fit.forecast(&y, 3);
        assert!((fc[0] - 23.0).abs() < 0.2, "{fc:?}");
    }

    #[test]
    fn seasonal_form_is_chosen_for_a_strong_season() {
        let y: Vec<f64> = (0..84)
            .map(|t| {
                20.0 + [6.0, 2.0, 0.0, -1.0, -2.0, -2.0, -3.0][t % 7]
                    + 0.1 * ((t * 7919) % 5) as f64
            })
            .collect();
        let fit = fit_auto(&y, 7);
        assert_eq!(fit.season, 7);
        let fc = fit.forecast(&y, 7);
        assert!(fc[0] > fc[6] + 5.0, "{fc:?}");
    }
}
