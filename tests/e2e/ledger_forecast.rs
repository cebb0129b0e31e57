//! The dispensing ledger feeds forecasting: seeded history becomes a daily
//! series with its stock-out days, a forecast, and a reorder suggestion.

use rxflow_forecasting::policy::{ReorderInput, ServiceTarget, suggest};
use rxflow_forecasting::{
    DemandSeries, ForecastConfig, Frequency, ModelChoice, Observation, forecast_batch,
};
use rxflow_pharmacy::demo::HistoryOptions;
use rxflow_pharmacy::testing::fresh_store;

#[tokio::test]
async fn seeded_dispensing_history_becomes_forecasts_and_reorder_suggestions() {
    let store = fresh_store(4).await.unwrap();
    store
        .seed_demo(&HistoryOptions { days: 120, seed: 7 })
        .await
        .unwrap();
    let today = rxflow_pharmacy::clock::today();
    let products = store
        .list_products(Some("atorvastatin"), 5, 0)
        .await
        .unwrap();
    let mut series = Vec::new();
    for product in &products {
        let days = store.daily_demand(product.id, today).await.unwrap();
        assert!(days.len() >= 120, "one entry per day of history");
        let observations = days.iter().map(|d| Observation {
            date: d.date,
            qty: d.dispensed as f64,
            stockout: d.stockout,
            unmet: 0.0,
        });
        series.push(
            DemandSeries::from_observations(&product.ndc, Frequency::Daily, observations).unwrap(),
        );
    }
    let config = ForecastConfig::new(14, 7, ModelChoice::parse("auto").unwrap()).unwrap();
    let forecasts = forecast_batch(&series, &config).unwrap();
    assert_eq!(forecasts.len(), products.len());
    for (forecast, product) in forecasts.iter().zip(&products) {
        let weekly: f64 = forecast.mean.iter().take(7).sum();
        assert!(
            weekly > 1.0,
            "{} sells every week in the demo, forecast {weekly}",
            product.name
        );
        let stock = store.product_stock(product.id).await.unwrap();
        let input = ReorderInput {
            on_hand: stock.available as f64,
            on_order: 0.0,
            lots: Vec::new(),
            lead_time: 3,
            review_period: 7,
            service: ServiceTarget::CycleServiceLevel(0.95),
            pack_size: product.pack_size as f64,
            min_order: 0.0,
            shelf_life: None,
        };
        let suggestion = suggest(forecast, &input).unwrap();
        assert!(
            suggestion.reason.contains("lead time"),
            "a reason a manager can read: {}",
            suggestion.reason
        );
        assert!(
            suggestion.reorder_point > 0.0 && suggestion.order_up_to >= suggestion.reorder_point
        );
        assert!(
            suggestion.suggested_qty >= 0.0
                && (suggestion.suggested_qty % product.pack_size as f64) == 0.0,
            "whole packs"
        );
    }
}
