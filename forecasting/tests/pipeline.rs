//! End-to-end: synthetic demand → forecasts → evaluation, simulation and JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rxflow_forecasting::eval::{Dataset, evaluate};
use rxflow_forecasting::policy::{LmisInput, ServiceTarget};
use rxflow_forecasting::simulate::{PolicyComparisonSetup, compare_policies};
use rxflow_forecasting::synthetic::generate;
use rxflow_forecasting::{DemandSeries, Method, ModelChoice};
use time::macros::date;

const DAYS: usize = 400;
const H: usize = 28;

fn dataset(n: usize, seed: u64) -> Dataset {
    let skus = generate(n, DAYS, seed, date!(2024 - 01 - 01), 0.2);
    let split = |s: &rxflow_forecasting::synthetic::SyntheticSku| -> (DemandSeries, DemandSeries) {
        let mut train = s.clone();
        train.true_demand.truncate(DAYS - H);
        train.sales.truncate(DAYS - H);
        train.stockout.truncate(DAYS - H);
        let test_start = s.start + time::Duration::days((DAYS - H) as i64);
        let test = DemandSeries::from_values(
            s.id.clone(),
            rxflow_forecasting::Frequency::Daily,
            test_start,
            &s.true_demand[DAYS - H..],
        )
        .unwrap();
        (train.observed().unwrap(), test)
    };
    let (train, test) = skus.iter().map(split).unzip();
    Dataset { train, test }
}

#[test]
fn auto_beats_naive_and_quantiles_cover() {
    let data = dataset(80, 3);
    let models = [ModelChoice::Auto, ModelChoice::Method(Method::Naive)];
    let reports = evaluate(&data, H, 7, &models).unwrap();
    let (auto, naive) = (&reports["auto"], &reports["naive"]);
    assert!(
        auto.rmsse < 0.9 * naive.rmsse,
        "auto {} vs naive {}",
        auto.rmsse,
        naive.rmsse
    );
    assert!(auto.spl95 < naive.spl95);
    assert!(
        (0.85..=0.99).contains(&auto.coverage95),
        "coverage95 {}",
        auto.coverage95
    );
    assert!(auto.bias_pct.abs() < 15.0, "bias {}", auto.bias_pct);

    let json = serde_json::to_value(&reports).unwrap();
    for key in [
        "rmsse",
        "mase",
        "spl90",
        "spl95",
        "bias_pct",
        "coverage90",
        "coverage95",
        "cpu_s_per_1000",
    ] {
        assert!(json["auto"][key].is_number(), "missing {key}");
    }
}

#[test]
fn policy_replay_serves_demand_better_than_stocking_nothing() {
    let data = dataset(30, 5);
    let setup = PolicyComparisonSetup {
        horizon: H,
        season: 7,
        lead_time: 3,
        review_period: 7,
        service: ServiceTarget::CycleServiceLevel(0.95),
        pack_size: 1.0,
        shelf_life: None,
        lmis: LmisInput {
            amc_months: 3,
            months_of_stock: 1.0,
        },
    };
    let cmp = compare_policies(&data.train, &data.test, &setup).unwrap();
    assert_eq!(cmp.n_series, 30);
    assert!(cmp.rxflow.fill_rate > 0.9, "{:?}", cmp.rxflow);
    assert!((0.0..=1.0).contains(&cmp.openlmis.fill_rate));
    assert!(cmp.rxflow.units_demanded > 0.0);
}
