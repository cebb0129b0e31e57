//! Censored demand: correcting stock-out days must move forecasts toward the
//! true demand, not learn the empty-shelf zeros.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rxflow_forecasting::censor::corrected_demand;
use rxflow_forecasting::synthetic::generate;
use rxflow_forecasting::{ForecastConfig, ModelChoice, forecast_batch};
use time::macros::date;

const DAYS: usize = 420;
const TEST: usize = 28;

#[test]
fn correcting_stockouts_reduces_bias() {
    let skus = generate(60, DAYS, 11, date!(2024 - 01 - 01), 1.0);
    let truncated: Vec<_> = skus
        .iter()
        .map(|s| {
            let mut t = s.clone();
            t.true_demand.truncate(DAYS - TEST);
            t.sales.truncate(DAYS - TEST);
            t.stockout.truncate(DAYS - TEST);
            t
        })
        .collect();
    let flagged: Vec<_> = truncated.iter().map(|s| s.observed().unwrap()).collect();
    let unflagged: Vec<_> = truncated
        .iter()
        .map(|s| s.observed_unflagged().unwrap())
        .collect();

    // History level: corrected demand recovers the true totals better than sales.
    let (mut raw_gap, mut corrected_gap) = (0.0, 0.0);
    for (s, sku) in flagged.iter().zip(&truncated) {
        let truth: f64 = sku.true_demand.iter().sum();
        raw_gap += (s.sales().iter().sum::<f64>() - truth).abs();
        corrected_gap += (corrected_demand(s, 7).iter().sum::<f64>() - truth).abs();
    }
    assert!(
        corrected_gap < 0.5 * raw_gap,
        "corrected {corrected_gap} vs raw {raw_gap}"
    );

    // Forecast level: bias against the true future demand shrinks.
    let cfg = ForecastConfig::new(TEST, 7, ModelChoice::Auto).unwrap();
    let bias = |series: &[rxflow_forecasting::DemandSeries]| -> f64 {
        let fc = forecast_batch(series, &cfg).unwrap();
        let predicted: f64 = fc.iter().map(|f| f.mean.iter().sum::<f64>()).sum();
        let actual: f64 = skus
            .iter()
            .map(|s| s.true_demand[DAYS - TEST..].iter().sum::<f64>())
            .sum();
        (predicted - actual) / actual
    };
    let (with, without) = (bias(&flagged), bias(&unflagged));
    assert!(
        with.abs() < without.abs(),
        "bias with correction {with:.4}, without {without:.4}"
    );
    assert!(
        without < 0.0,
        "censored zeros bias forecasts down: {without:.4}"
    );
}
