//! Bad input gives typed errors, never panics.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rxflow_forecasting::policy::{ReorderInput, ServiceTarget, suggest};
use rxflow_forecasting::series::{parse_long_csv, read_long_csv};
use rxflow_forecasting::{
    DemandSeries, ForecastConfig, ForecastError, Frequency, ModelChoice, Observation,
    forecast_series,
};
use time::macros::date;

type ErrorCheck = fn(&ForecastError) -> bool;

#[test]
fn series_validation() {
    let d = date!(2024 - 03 - 01);
    let cases: Vec<(Vec<Observation>, ErrorCheck)> = vec![
        (vec![], |e| matches!(e, ForecastError::EmptySeries { .. })),
        (vec![Observation::sale(d, f64::NAN)], |e| {
            matches!(e, ForecastError::NonFinite { .. })
        }),
        (vec![Observation::sale(d, f64::INFINITY)], |e| {
            matches!(e, ForecastError::NonFinite { .. })
        }),
        (vec![Observation::sale(d, -2.0)], |e| {
            matches!(e, ForecastError::NegativeQuantity { .. })
        }),
        (
            vec![Observation {
                date: d,
                qty: 1.0,
                stockout: true,
                unmet: -1.0,
            }],
            |e| matches!(e, ForecastError::NegativeQuantity { .. }),
        ),
        (
            vec![Observation::sale(d, 1.0), Observation::sale(d, 2.0)],
            |e| matches!(e, ForecastError::UnsortedDates { .. }),
        ),
        (
            vec![
                Observation::sale(date!(2024 - 03 - 05), 1.0),
                Observation::sale(d, 2.0),
            ],
            |e| matches!(e, ForecastError::UnsortedDates { .. }),
        ),
    ];
    for (obs, expected) in cases {
        let err = DemandSeries::from_observations("bad", Frequency::Daily, obs).unwrap_err();
        assert!(expected(&err), "unexpected error {err}");
        assert!(
            err.to_string().contains("bad"),
            "message names the series: {err}"
        );
    }
}

#[test]
fn csv_errors_name_the_line() {
    let bad = [
        "series_id,date,qty\na,2024-01-01\n",
        "series_id,date,qty\na,2024-13-01,1\n",
        "series_id,date,qty\na,2024-01-01,NaN\n",
        "series_id,date,qty\na,2024-01-01,one\n",
    ];
    for text in bad {
        let err = parse_long_csv(text, "mem", None).unwrap_err();
        assert!(
            matches!(
                err,
                ForecastError::Csv { line: 2, .. } | ForecastError::NonFinite { .. }
            ),
            "{err}"
        );
    }
    let err = parse_long_csv(
        "series_id,date,qty\na,2024-01-02,1\na,2024-01-01,1\n",
        "mem",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, ForecastError::UnsortedDates { .. }));
    let err = read_long_csv(Path::new("/nonexistent/train.csv"), None).unwrap_err();
    assert!(matches!(err, ForecastError::Io { .. }));
}

#[test]
fn configuration_and_policy_errors() {
    assert!(matches!(
        ForecastConfig::new(0, 7, ModelChoice::Auto),
        Err(ForecastError::InvalidParameter {
            name: "horizon",
            ..
        })
    ));
    assert!(matches!(
        ModelChoice::parse("prophet"),
        Err(ForecastError::UnknownModel(_))
    ));
    let s = DemandSeries::from_values("ok", Frequency::Daily, date!(2024 - 01 - 01), &[1.0; 30])
        .unwrap();
    let mut cfg = ForecastConfig::new(7, 7, ModelChoice::Auto).unwrap();
    cfg.levels = vec![1.5];
    assert!(forecast_series(&s, &cfg).is_err());
    let fc = forecast_series(&s, &ForecastConfig::new(7, 7, ModelChoice::Auto).unwrap()).unwrap();
    let input = ReorderInput {
        on_hand: f64::NAN,
        on_order: 0.0,
        lots: vec![],
        lead_time: 3,
        review_period: 7,
        service: ServiceTarget::FillRate(0.95),
        pack_size: 1.0,
        min_order: 0.0,
        shelf_life: None,
    };
    assert!(matches!(
        suggest(&fc, &input),
        Err(ForecastError::InvalidParameter {
            name: "on_hand",
            ..
        })
    ));
}

#[test]
fn degenerate_series_still_forecast() {
    let zeros = DemandSeries::from_values("z", Frequency::Daily, date!(2024 - 01 - 01), &[0.0; 10])
        .unwrap();
    let one =
        DemandSeries::from_values("o", Frequency::Daily, date!(2024 - 01 - 01), &[3.0]).unwrap();
    for s in [zeros, one] {
        for m in ModelChoice::all() {
            let cfg = ForecastConfig::new(5, 7, m).unwrap();
            match forecast_series(&s, &cfg) {
                Ok(fc) => assert!(fc.mean.iter().all(|v| v.is_finite() && *v >= 0.0)),
                Err(e) => assert!(
                    matches!(e, ForecastError::PooledFit(_)),
                    "{} on {}: {e}",
                    m.name(),
                    s.id()
                ),
            }
        }
    }
}
