//! Property tests: forecasts and quantiles, and the reorder arithmetic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rxflow_forecasting::classify::{Classification, DemandClass};
use rxflow_forecasting::policy::{Lot, ReorderInput, ServiceTarget, suggest};
use rxflow_forecasting::quantiles::{LevelMap, Predictive};
use rxflow_forecasting::{
    DemandSeries, ForecastConfig, Frequency, Method, ModelChoice, SeriesForecast, forecast_series,
};
use time::macros::date;

fn series_strategy() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![3 => Just(0.0), 2 => 0.0f64..30.0, 1 => (0u32..5).prop_map(f64::from)],
        20..90,
    )
}

fn model_strategy() -> impl Strategy<Value = ModelChoice> {
    prop_oneof![
        Just(ModelChoice::Auto),
        prop::sample::select(
            Method::ALL
                .iter()
                .copied()
                .filter(|m| *m != Method::ElasticNet)
                .collect::<Vec<_>>()
        )
        .prop_map(ModelChoice::Method)
    ]
}

fn forecast_of(mean: f64, spread: f64, counts: bool, h: usize) -> SeriesForecast {
    let predictive = if counts {
        Predictive::NegBin {
            mean,
            size: spread.max(0.05),
        }
    } else {
        Predictive::Normal { mean, sd: spread }
    };
    SeriesForecast {
        series_id: "p".into(),
        frequency: Frequency::Daily,
        classification: Classification {
            class: DemandClass::Smooth,
            adi: 1.0,
            cv2: 0.0,
        },
        model: "prop".into(),
        first_date: None,
        mean: vec![mean; h],
        quantiles: vec![],
        predictive: vec![predictive; h],
        level_map: LevelMap::identity(),
        backtest_rmsse: None,
        backtest_bias: None,
    }
}

fn input_strategy() -> impl Strategy<Value = ReorderInput> {
    (
        0.0f64..200.0,
        0.0f64..50.0,
        0usize..15,
        1usize..15,
        1u32..13,
        0.0f64..40.0,
        prop::option::of(5usize..60),
        prop::collection::vec((0.0f64..30.0, 0usize..40), 0..4),
    )
        .prop_map(
            |(extra, on_order, lead, review, pack, min_order, life, lots)| {
                let lots: Vec<Lot> = lots
                    .into_iter()
                    .map(|(qty, expires_in)| Lot { qty, expires_in })
                    .collect();
                let in_lots: f64 = lots.iter().map(|l| l.qty).sum();
                ReorderInput {
                    on_hand: in_lots + extra,
                    on_order,
                    lots,
                    lead_time: lead,
                    review_period: review,
                    service: ServiceTarget::CycleServiceLevel(0.9),
                    pack_size: f64::from(pack),
                    min_order,
                    shelf_life: life,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn forecasts_and_quantiles_are_non_negative_and_monotone(values in series_strategy(), model in model_strategy(), h in 1usize..10) {
        let s = DemandSeries::from_values("p", Frequency::Daily, date!(2024 - 01 - 01), &values).unwrap();
        let fc = forecast_series(&s, &ForecastConfig::new(h, 7, model).unwrap()).unwrap();
        prop_assert_eq!(fc.mean.len(), h);
        prop_assert!(fc.mean.iter().all(|v| v.is_finite() && *v >= 0.0));
        let levels = [0.05, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99];
        let paths: Vec<Vec<f64>> = levels.iter().map(|p| fc.quantile(*p)).collect();
        for w in paths.windows(2) {
            for (lo, hi) in w[0].iter().zip(&w[1]) {
                prop_assert!(*lo >= 0.0 && lo <= hi, "{lo} > {hi}");
            }
        }
    }

    #[test]
    fn suggested_quantity_is_non_negative_and_grows_with_service(mean in 0.0f64..20.0, spread in 0.0f64..10.0, counts: bool, input in input_strategy(), p1 in 0.5f64..0.99, dp in 0.0f64..0.0099) {
        let fc = forecast_of(mean, spread, counts, 28);
        let at = |p: f64| {
            let mut i = input.clone();
            i.service = ServiceTarget::CycleServiceLevel(p);
            suggest(&fc, &i).unwrap()
        };
        let (low, high) = (at(p1), at(p1 + dp));
        prop_assert!(low.suggested_qty >= 0.0);
        prop_assert!(low.suggested_qty <= high.suggested_qty, "{} > {}", low.suggested_qty, high.suggested_qty);
        prop_assert!((low.suggested_qty / input.pack_size).fract().abs() < 1e-9);
    }

    #[test]
    fn capped_orders_are_used_before_they_expire(mean in 0.1f64..20.0, spread in 0.0f64..5.0, input in input_strategy()) {
        let fc = forecast_of(mean, spread, false, 28);
        let s = suggest(&fc, &input).unwrap();
        if let Some(life) = input.shelf_life {
            prop_assert!(s.suggested_qty <= s.expiry_cap.unwrap_or(f64::INFINITY) + 1e-9);
            // Mean-demand replay: older stock goes first, then the new lot, which
            // must be gone by the end of its shelf life.
            let lead_demand = mean * input.lead_time as f64;
            let older_left = (s.inventory_position - lead_demand).max(0.0);
            let usable = (mean * life as f64 - older_left).max(0.0);
            prop_assert!(s.suggested_qty <= usable + 1e-6, "{} > {usable}", s.suggested_qty);
        }
    }
}

#[test]
fn existing_lots_expiring_are_reported() {
    let fc = forecast_of(1.0, 0.5, false, 28);
    let input = ReorderInput {
        on_hand: 40.0,
        on_order: 0.0,
        lots: vec![
            Lot {
                qty: 10.0,
                expires_in: 1,
            },
            Lot {
                qty: 10.0,
                expires_in: 2,
            },
            Lot {
                qty: 10.0,
                expires_in: 3,
            },
        ],
        lead_time: 14,
        review_period: 7,
        service: ServiceTarget::CycleServiceLevel(0.95),
        pack_size: 5.0,
        min_order: 0.0,
        shelf_life: Some(90),
    };
    let s = suggest(&fc, &input).unwrap();
    assert_eq!(s.expiring_lots, 3);
    assert!(
        s.reason.contains("3 lots expire before use"),
        "{}",
        s.reason
    );
    assert!(
        s.reason.starts_with("covers 14 days lead time"),
        "{}",
        s.reason
    );
}
