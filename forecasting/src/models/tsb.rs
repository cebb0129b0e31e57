//! Teunter–Syntetos–Babai: smooth the demand probability every period (so an
//! item that stops selling decays toward zero, unlike Croston) and the size only
//! when demand occurs. Forecast = probability × size.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TsbParams {
    /// Smoothing of sizes.
    pub alpha: f64,
    /// Smoothing of the occurrence probability.
    pub beta: f64,
}

const ALPHAS: [f64; 5] = [0.05, 0.1, 0.2, 0.3, 0.5];
const BETAS: [f64; 5] = [0.01, 0.02, 0.05, 0.1, 0.2];

/// Runs TSB from p₀ = share of demand periods and z₀ = mean non-zero size;
/// returns the final forecast and the one-step SSE.
pub fn run(y: &[f64], p: TsbParams) -> (f64, f64) {
    let sizes: Vec<f64> = y.iter().copied().filter(|v| *v > 0.0).collect();
    if sizes.is_empty() {
        return (0.0, y.iter().map(|v| v * v).sum());
    }
    let mut prob = sizes.len() as f64 / y.len() as f64;
    let mut size = sizes.iter().sum::<f64>() / sizes.len() as f64;
    let mut sse = 0.0;
    for &v in y {
        sse += (v - prob * size).powi(2);
        if v > 0.0 {
            prob += p.beta * (1.0 - prob);
            size += p.alpha * (v - size);
        } else {
            prob -= p.beta * prob;
        }
    }
    (prob * size, sse)
}

/// Grid search of (α, β) on the one-step SSE.
pub fn fit(y: &[f64]) -> TsbParams {
    let mut best = (
        TsbParams {
            alpha: 0.1,
            beta: 0.05,
        },
        f64::INFINITY,
    );
    for alpha in ALPHAS {
        for beta in BETAS {
            let p = TsbParams { alpha, beta };
            let sse = run(y, p).1;
            if sse < best.1 {
                best = (p, sse);
            }
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsb_matches_hand_values() {
        // p0 = 2/4 = 0.5, z0 = (4+2)/2 = 3, α = 0.5, β = 0.2
        // y=0: p=0.4 | y=4: p=0.52, z=3.5 | y=0: p=0.416 | y=2: p=0.5328, z=2.75
        let (f, _) = run(
            &[0.0, 4.0, 0.0, 2.0],
            TsbParams {
                alpha: 0.5,
                beta: 0.2,
            },
        );
        assert!((f - 0.5328 * 2.75).abs() < 1e-9, "{f}");
        assert_eq!(
            run(
                &[0.0, 0.0],
                TsbParams {
                    alpha: 0.1,
                    beta: 0.1
                }
            )
            .0,
            0.0
        );
    }

    #[test]
    fn obsolescence_decays_the_forecast() {
        let mut y = vec![2.0; 50];
        y.extend(vec![0.0; 50]);
        let p = fit(&y);
        assert!(run(&y, p).0 < 0.5);
    }
}
