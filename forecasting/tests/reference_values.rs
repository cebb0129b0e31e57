//! Hand-computed reference values for the classic methods (tolerance 1e-9).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rxflow_forecasting::Method;
use rxflow_forecasting::models::adida::{self, AdidaParams};
use rxflow_forecasting::models::ets::{EtsFit, Trend};
use rxflow_forecasting::models::{croston, imapa, smoothing, tsb};

const TOL: f64 = 1e-9;
const Y: [f64; 10] = [0.0, 2.0, 0.0, 0.0, 6.0, 0.0, 1.0, 0.0, 0.0, 3.0];

#[test]
fn croston_classic_and_sba() {
    // sizes 2,6,1,3 smoothed with α=0.1 from 2: 2.4 → 2.26 → 2.334
    // intervals 2,3,2,3 smoothed from 2: 2.1 → 2.09 → 2.181
    let expected = 2.334 / 2.181;
    assert!((croston::croston(&Y) - expected).abs() < TOL);
    assert!((croston::sba(&Y) - 0.95 * expected).abs() < TOL);
    let path = Method::Croston.fit(&Y, 1).forecast(&Y, 3);
    assert!(path.iter().all(|v| (v - expected).abs() < TOL));
}

#[test]
fn tsb_with_fixed_parameters() {
    // p0 = 4/10, z0 = 3; α = 0.2 (size), β = 0.1 (probability)
    let mut p: f64 = 0.4;
    let mut z: f64 = 3.0;
    for &v in &Y {
        if v > 0.0 {
            p += 0.1 * (1.0 - p);
            z += 0.2 * (v - z);
        } else {
            p *= 0.9;
        }
    }
    // The same recursion written out step by step:
    // p: .36 .424 .3816 .34344 .409096 .3681864 .43136776 .388230984 .3494078856 .41446709704
    // z: 3 → 2.8 (y=2) → 3.44 (y=6) → 2.952 (y=1) → 2.9616 (y=3)
    assert!((p - 0.414_467_097_04).abs() < TOL);
    assert!((z - 2.9616).abs() < TOL);
    let (f, _) = tsb::run(
        &Y,
        tsb::TsbParams {
            alpha: 0.2,
            beta: 0.1,
        },
    );
    assert!((f - 0.414_467_097_04 * 2.9616).abs() < TOL, "{f}");
}

#[test]
fn adida_and_imapa() {
    // intervals 2,3,2,3 → mean 2.5 → rounds to 3 (half away from zero)
    assert_eq!(adida::aggregation_level(&Y), 3);
    // end-aligned buckets of 3 (first value dropped): [2,0,0] [6,0,1] [0,0,3] → 2, 7, 3
    assert_eq!(adida::buckets(&Y, 3), vec![2.0, 7.0, 3.0]);
    // SES α=0.2 from 2: 3.0 → 3.0 ; per period 1.0
    let f = adida::forecast(
        &Y,
        AdidaParams {
            level: 3,
            alpha: 0.2,
        },
    );
    assert!((f - 1.0).abs() < TOL, "{f}");
    // level 1 SES α=0.1 over Y from 0 and level 2 over pairs (2,0,6,1,3)
    let l1 = smoothing::ses_level(&Y, 0.1);
    let l2 = smoothing::ses_level(&[2.0, 0.0, 6.0, 1.0, 3.0], 0.1) / 2.0;
    let levels = [
        AdidaParams {
            level: 1,
            alpha: 0.1,
        },
        AdidaParams {
            level: 2,
            alpha: 0.1,
        },
        AdidaParams {
            level: 3,
            alpha: 0.2,
        },
    ];
    let expected = (l1 + l2 + 1.0) / 3.0;
    assert!((imapa::forecast(&Y, &levels) - expected).abs() < TOL);
}

#[test]
fn ses_as_ets_ann() {
    // l0 = 1, α = 0.5 over Y: 0.5, 1.25, 0.625, 0.3125, 3.15625, 1.578125, 1.2890625,
    // 0.64453125, 0.322265625, 1.6611328125
    let fit = EtsFit {
        trend: Trend::None,
        season: 0,
        alpha: 0.5,
        beta: 0.0,
        gamma: 0.0,
        phi: 1.0,
        level0: 1.0,
        trend0: 0.0,
        seasonal0: vec![],
        sse: 0.0,
        aicc: 0.0,
    };
    let path = fit.forecast(&Y, 2);
    assert!((path[0] - 1.661_132_812_5).abs() < TOL && (path[1] - 1.661_132_812_5).abs() < TOL);
    // started at the first value, α = 0.3 over 4, 2, 6: 3.4 → 4.18
    assert!((smoothing::ses_level(&[4.0, 2.0, 6.0], 0.3) - 4.18).abs() < TOL);
}

#[test]
fn damped_trend_forecast_by_hand() {
    // No data after the start: forecast = l + (φ + φ² + …) b
    let fit = EtsFit {
        trend: Trend::Damped,
        season: 0,
        alpha: 0.5,
        beta: 0.1,
        gamma: 0.0,
        phi: 0.9,
        level0: 10.0,
        trend0: 1.0,
        seasonal0: vec![],
        sse: 0.0,
        aicc: 0.0,
    };
    // one observation y=12: ŷ = 10.9, e = 1.1, l = 10.9 + .55 = 11.45, b = .9 + .11 = 1.01
    let path = fit.forecast(&[12.0], 2);
    assert!((path[0] - (11.45 + 0.9 * 1.01)).abs() < TOL);
    assert!((path[1] - (11.45 + (0.9 + 0.81) * 1.01)).abs() < TOL);
}
