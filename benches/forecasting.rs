//! Fit + forecast benchmarks for rxflow-forecasting: 1,000 and 20,000 SKUs with
//! two years of daily history each (generated deterministically), per model
//! family and for the automatic choice.
//!
//! cargo bench --bench forecasting            (all)
//! cargo bench --bench forecasting -- 1k      (the 1,000-SKU group only)

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use rxflow_forecasting::series::parse_date;
use rxflow_forecasting::synthetic::generate;
use rxflow_forecasting::{Date, DemandSeries, ForecastConfig, Method, ModelChoice, forecast_batch};

const DAYS: usize = 730;
const HORIZON: usize = 28;
const SEASON: usize = 7;

fn skus(n: usize) -> Vec<DemandSeries> {
    let start = parse_date("2023-01-02").unwrap_or(Date::MIN);
    generate(n, DAYS, 42, start, 0.2)
        .iter()
        .map(|s| {
            s.observed()
                .unwrap_or_else(|e| panic!("generated series is valid: {e}"))
        })
        .collect()
}

fn run(series: &[DemandSeries], model: ModelChoice) -> usize {
    let cfg = ForecastConfig::new(HORIZON, SEASON, model).unwrap_or_else(|e| panic!("{e}"));
    forecast_batch(series, &cfg).map_or_else(|e| panic!("{e}"), |f| f.len())
}

/// Model families: benchmarks, ETS, Croston family, TSB, aggregation, pooled.
fn families() -> Vec<ModelChoice> {
    let methods = [
        Method::WindowAverage,
        Method::Ses,
        Method::DampedHolt,
        Method::Ets,
        Method::Sba,
        Method::Tsb,
        Method::Adida,
        Method::Imapa,
        Method::ElasticNet,
    ];
    std::iter::once(ModelChoice::Auto)
        .chain(methods.into_iter().map(ModelChoice::Method))
        .collect()
}

fn bench_1k(c: &mut Criterion) {
    let series = skus(1_000);
    let mut group = c.benchmark_group("forecast_1k_skus_2y");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(series.len() as u64));
    for model in families() {
        group.bench_with_input(
            BenchmarkId::from_parameter(model.name()),
            &series,
            |b, s| b.iter(|| black_box(run(s, model))),
        );
    }
    group.finish();
}

fn bench_20k(c: &mut Criterion) {
    let series = skus(20_000);
    let mut group = c.benchmark_group("forecast_20k_skus_2y");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(series.len() as u64));
    for model in [
        ModelChoice::Auto,
        ModelChoice::Method(Method::Ses),
        ModelChoice::Method(Method::Tsb),
        ModelChoice::Method(Method::Imapa),
    ] {
        group.bench_with_input(
            BenchmarkId::from_parameter(model.name()),
            &series,
            |b, s| b.iter(|| black_box(run(s, model))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_1k, bench_20k);
criterion_main!(benches);
