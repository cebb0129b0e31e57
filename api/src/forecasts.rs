//! Demand forecasts and reorder suggestions from the dispensing history,
//! recomputed nightly and on demand. The store gives each product's daily
//! demand (with its stock-out days) and stock position; `rxflow-forecasting`
//! forecasts the whole catalogue in one batch, so that seasonal profiles and
//! calibration learn across products; each forecast becomes a suggestion,
//! stored with the points its chart draws.

use std::time::Instant;

use rxflow_forecasting::policy::{self, Lot, ReorderInput, ReorderSuggestion, ServiceTarget};
use rxflow_forecasting::{
    DemandSeries, ForecastConfig, ForecastError, Frequency, ModelChoice, Observation,
    SeriesForecast, forecast_batch,
};
use rxflow_pharmacy::inventory::{DailyDemand, ProductStock};
use rxflow_pharmacy::products::Product;
use rxflow_pharmacy::purchasing::{NewSuggestion, SuggestionFields};
use rxflow_pharmacy::{Actor, Store, clock};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::error::ApiError;
use crate::state::AppState;

/// Days from ordering to the shelf, as the wholesaler usually delivers.
pub const LEAD_TIME_DAYS: usize = 3;
/// Days between two looks at the suggestions (a weekly order).
pub const REVIEW_PERIOD_DAYS: usize = 7;
/// Chance that stock lasts through a replenishment cycle.
pub const SERVICE_LEVEL: f64 = 0.95;
const HORIZON_DAYS: usize = 28;
const SEASON_DAYS: usize = 7;
/// The nightly recompute runs at this hour, UTC, after the day's dispensing.
const NIGHTLY_HOUR_UTC: u8 = 2;
/// The nightly recompute's name among the store's scheduled runs.
const NIGHTLY_TASK: &str = "reorder-suggestions";
/// Catalogue page size while listing every product.
const PAGE: i64 = 500;

/// What one recompute did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub products: usize,
    pub forecast: usize,
    /// Products that have never moved: nothing to forecast from.
    pub without_history: usize,
    pub suggesting_an_order: usize,
    pub units_suggested: i64,
    pub seconds: f64,
}

/// The chart of one forecast, stored as the suggestion's JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChartForecast {
    pub model: String,
    pub demand_class: String,
    pub points: Vec<ForecastPoint>,
}

/// One forecast day: the mean and the central 90% and 95% intervals.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForecastPoint {
    pub date: String,
    pub mean: f64,
    pub lower_90: f64,
    pub upper_90: f64,
    pub lower_95: f64,
    pub upper_95: f64,
}

/// One product's inputs, read from the store before the blocking work.
struct ProductInput {
    product: Product,
    days: Vec<DailyDemand>,
    stock: ProductStock,
    on_order: i64,
}

/// Days of history a forecast chart shows before the forecast starts.
pub const HISTORY_SHOWN_DAYS: usize = 90;

/// A product's latest stored forecast, the suggestion it led to and the
/// recent demand before it: what a forecast chart draws, for the JSON API
/// and the page alike.
pub struct Latest {
    pub chart: ChartForecast,
    pub suggestion: rxflow_pharmacy::purchasing::Suggestion,
    pub history: Vec<DailyDemand>,
}

/// `None` when the product has no forecast yet (or does not exist).
pub async fn latest(store: &Store, id: i64) -> Result<Option<Latest>, ApiError> {
    let Some(stored) = store.latest_forecast(id).await? else {
        return Ok(None);
    };
    let chart: ChartForecast = serde_json::from_str(&stored.forecast)
        .map_err(|e| ApiError::Internal(format!("stored forecast of product {id}: {e}")))?;
    let mut history = store.daily_demand(id, last_full_day()).await?;
    let history = history.split_off(history.len().saturating_sub(HISTORY_SHOWN_DAYS));
    Ok(Some(Latest {
        chart,
        suggestion: stored.suggestion,
        history,
    }))
}

/// The last day with complete dispensing: today's is still under way and
/// would read as a day of low demand.
pub fn last_full_day() -> Date {
    clock::today() - Duration::days(1)
}

/// Recomputes the suggestions of every product, or of one, and stores them.
pub async fn recompute(
    store: &Store,
    only: Option<i64>,
    actor: &Actor,
) -> Result<Summary, ApiError> {
    let started = Instant::now();
    let products = match only {
        Some(id) => vec![store.product(id).await?],
        None => all_products(store).await?,
    };
    let total = products.len();
    let inputs = gather(store, products).await?;
    let forecast = inputs.len();
    let batch = tokio::task::spawn_blocking(move || suggestions_for(&inputs))
        .await
        .map_err(|e| ApiError::Internal(format!("the forecasting task stopped: {e}")))??;
    store.save_suggestions(&batch, actor).await?;
    let summary = Summary {
        products: total,
        forecast,
        without_history: total - forecast,
        suggesting_an_order: batch.iter().filter(|s| s.suggested_qty() > 0).count(),
        units_suggested: batch.iter().map(NewSuggestion::suggested_qty).sum(),
        seconds: started.elapsed().as_secs_f64(),
    };
    metrics::histogram!("rxflow_forecast_seconds").record(summary.seconds);
    tracing::info!(?summary, "reorder suggestions recomputed");
    Ok(summary)
}

async fn all_products(store: &Store) -> Result<Vec<Product>, ApiError> {
    let mut all = Vec::new();
    loop {
        let page = store.list_products(None, PAGE, all.len() as i64).await?;
        let full = page.len() as i64 == PAGE;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

/// Each product's history and stock position; products that never moved are left out.
async fn gather(store: &Store, products: Vec<Product>) -> Result<Vec<ProductInput>, ApiError> {
    let on_order = store.on_order().await?;
    let until = last_full_day();
    let mut inputs = Vec::with_capacity(products.len());
    for product in products {
        let days = store.daily_demand(product.id, until).await?;
        if days.is_empty() {
            continue;
        }
        inputs.push(ProductInput {
            stock: store.product_stock(product.id).await?,
            on_order: on_order.get(&product.id).copied().unwrap_or(0),
            product,
            days,
        });
    }
    Ok(inputs)
}

/// The CPU-bound part: one forecasting batch, then the policy per product.
fn suggestions_for(inputs: &[ProductInput]) -> Result<Vec<NewSuggestion>, ApiError> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let series = inputs
        .iter()
        .map(series_of)
        .collect::<Result<Vec<_>, _>>()
        .map_err(forecast_failed)?;
    let config = ForecastConfig::new(HORIZON_DAYS, SEASON_DAYS, ModelChoice::Auto)
        .map_err(forecast_failed)?;
    let forecasts = forecast_batch(&series, &config).map_err(forecast_failed)?;
    inputs
        .iter()
        .zip(&forecasts)
        .map(|(input, forecast)| suggestion_of(input, forecast))
        .collect()
}

fn forecast_failed(e: ForecastError) -> ApiError {
    ApiError::Unprocessable(format!("the dispensing history could not be forecast: {e}"))
}

fn series_of(input: &ProductInput) -> Result<DemandSeries, ForecastError> {
    let observations = input.days.iter().map(|d| Observation {
        date: d.date,
        qty: d.dispensed as f64,
        // An empty shelf hides demand: the day is censored, not a zero.
        stockout: d.stockout,
        unmet: 0.0,
    });
    DemandSeries::from_observations(input.product.id.to_string(), Frequency::Daily, observations)
}

fn suggestion_of(
    input: &ProductInput,
    forecast: &SeriesForecast,
) -> Result<NewSuggestion, ApiError> {
    let position = reorder_input(input);
    let s = policy::suggest(forecast, &position).map_err(forecast_failed)?;
    let chart = chart_of(forecast);
    let forecast_json = serde_json::to_string(&chart)
        .map_err(|e| ApiError::Internal(format!("encoding a forecast: {e}")))?;
    let reorder_point = units(s.reorder_point);
    Ok(NewSuggestion::parse(SuggestionFields {
        product_id: input.product.id,
        model: &chart.model,
        on_hand: input.stock.available,
        on_order: input.on_order,
        reorder_point,
        order_up_to: units(s.order_up_to).max(reorder_point),
        suggested_qty: units(s.suggested_qty),
        reason: &explain(input, &s),
        forecast: forecast_json,
    })?)
}

/// Whole units, rounded up: a reorder point of 11.2 means holding 12.
fn units(x: f64) -> i64 {
    if x.is_finite() && x > 0.0 {
        x.ceil() as i64
    } else {
        0
    }
}

fn reorder_input(input: &ProductInput) -> ReorderInput {
    let today = clock::today();
    let lots = input
        .stock
        .lots
        .iter()
        .filter_map(|lot| {
            let expiry = clock::parse_date("expiry", &lot.expiry).ok()?;
            let days = usize::try_from((expiry - today).whole_days()).ok()?;
            (lot.available > 0).then(|| Lot {
                qty: lot.available as f64,
                // A lot is usable through its expiry date.
                expires_in: days + 1,
            })
        })
        .collect();
    ReorderInput {
        on_hand: input.stock.available.max(0) as f64,
        on_order: input.on_order as f64,
        lots,
        lead_time: LEAD_TIME_DAYS,
        review_period: REVIEW_PERIOD_DAYS,
        service: ServiceTarget::CycleServiceLevel(SERVICE_LEVEL),
        pack_size: input.product.pack_size.max(1) as f64,
        min_order: 0.0,
        shelf_life: None,
    }
}

/// The reason a manager reads first, then the policy's own account of it.
fn explain(input: &ProductInput, s: &ReorderSuggestion) -> String {
    // Stock that expires before it can be used is not counted by the
    // policy, so the headline must not count it either.
    let expiring = units(s.expiring_units).min(input.stock.available.max(0));
    let position = Position {
        usable: input.stock.available.max(0) - expiring,
        expiring,
        on_order: input.on_order,
    };
    let order = Order {
        need: units(s.order_up_to),
        qty: units(s.suggested_qty),
        pack: input.product.pack_size,
        below_reorder_point: s.inventory_position < s.reorder_point,
    };
    format!("{} ({})", headline(&position, &order), s.reason)
}

/// The stock a suggestion counts on, in units.
struct Position {
    usable: i64,
    /// In stock but expiring before it can be used.
    expiring: i64,
    on_order: i64,
}

/// What the policy asks for, in units.
struct Order {
    need: i64,
    qty: i64,
    pack: i64,
    below_reorder_point: bool,
}

fn headline(p: &Position, o: &Order) -> String {
    let days = LEAD_TIME_DAYS + REVIEW_PERIOD_DAYS;
    let (usable, on_order, need) = (p.usable, p.on_order, o.need);
    let in_stock = match p.expiring {
        0 => format!("{usable} in stock"),
        n => format!("{usable} usable in stock ({n} more expire before use)"),
    };
    if o.qty > 0 {
        let packs = in_packs(o.qty, o.pack);
        let urgency = if o.below_reorder_point {
            " Stock is already below the reorder point."
        } else {
            ""
        };
        format!(
            "Order {} units{packs}: {in_stock} and {on_order} on order fall short of the {need} needed for the next {days} days.{urgency}",
            o.qty
        )
    } else {
        format!(
            "No order needed: {in_stock} and {on_order} on order cover the {need} needed for the next {days} days."
        )
    }
}

/// " (3 packs of 30)" for a quantity of whole packs; nothing for loose units.
fn in_packs(qty: i64, pack: i64) -> String {
    match qty / pack.max(1) {
        _ if pack <= 1 => String::new(),
        1 => format!(" (1 pack of {pack})"),
        n => format!(" ({n} packs of {pack})"),
    }
}

fn chart_of(forecast: &SeriesForecast) -> ChartForecast {
    let first = forecast.first_date.unwrap_or_else(clock::today);
    let band = |p: f64| forecast.quantile(p);
    let (lower_90, upper_90) = (band(0.05), band(0.95));
    let (lower_95, upper_95) = (band(0.025), band(0.975));
    let points = forecast
        .mean
        .iter()
        .enumerate()
        .map(|(i, mean)| ForecastPoint {
            date: clock::format_date(first + Duration::days(i as i64)),
            mean: cents(*mean),
            lower_90: cents(lower_90.get(i).copied().unwrap_or(0.0)),
            upper_90: cents(upper_90.get(i).copied().unwrap_or(0.0)),
            lower_95: cents(lower_95.get(i).copied().unwrap_or(0.0)),
            upper_95: cents(upper_95.get(i).copied().unwrap_or(0.0)),
        })
        .collect();
    ChartForecast {
        model: forecast.model.clone(),
        demand_class: serde_json::to_value(forecast.classification.class)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        points,
    }
}

/// Two decimals are plenty for a chart and keep the stored JSON small.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Recomputes every night at [`NIGHTLY_HOUR_UTC`]. Every process keeps the
/// timer and the first to claim the night runs it, so several hosts on one
/// database recompute once. A failed run is logged and the next night tries
/// again.
pub fn start_nightly(state: AppState) {
    tokio::spawn(async move {
        let actor = Actor::system("forecast");
        loop {
            tokio::time::sleep(until_next_run(OffsetDateTime::now_utc())).await;
            if let Err(e) = nightly(&state.store, &actor).await {
                tracing::error!(error = %e, "the nightly recompute of reorder suggestions failed");
            }
        }
    });
}

async fn nightly(store: &Store, actor: &Actor) -> Result<(), ApiError> {
    if store.claim_run(NIGHTLY_TASK, clock::today()).await? {
        recompute(store, None, actor).await?;
    } else {
        tracing::info!("another process has tonight's recompute of reorder suggestions");
    }
    Ok(())
}

fn until_next_run(now: OffsetDateTime) -> std::time::Duration {
    let today = now.replace_time(time::Time::MIDNIGHT) + Duration::hours(NIGHTLY_HOUR_UTC.into());
    let next = if today > now {
        today
    } else {
        today + Duration::days(1)
    };
    (next - now).try_into().unwrap_or(std::time::Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_are_counted_in_words() {
        assert_eq!(in_packs(100, 100), " (1 pack of 100)");
        assert_eq!(in_packs(300, 100), " (3 packs of 100)");
        assert_eq!(in_packs(7, 1), "");
        assert_eq!(in_packs(7, 0), "");
    }
    use time::macros::datetime;

    #[test]
    fn the_nightly_run_waits_for_the_next_two_o_clock_utc() {
        let hours = |now| until_next_run(now).as_secs_f64() / 3600.0;
        assert_eq!(hours(datetime!(2026-03-01 01:00 UTC)), 1.0);
        assert_eq!(hours(datetime!(2026-03-01 02:00 UTC)), 24.0);
        assert_eq!(hours(datetime!(2026-03-01 23:30 UTC)), 2.5);
    }

    #[test]
    fn only_lots_still_usable_count_toward_expiring_stock() {
        let lot = |lot_id, days: i64, available| rxflow_pharmacy::inventory::LotStock {
            lot_id,
            product_id: 1,
            lot_number: format!("L{lot_id}"),
            expiry: clock::format_date(clock::today() + Duration::days(days)),
            location: "Main".into(),
            on_hand: available,
            reserved: 0,
            available,
        };
        let input = ProductInput {
            product: Product {
                id: 1,
                ndc: "00093505698".into(),
                name: "Test".into(),
                generic_name: "test".into(),
                strength: "10 mg".into(),
                form: "tablet".into(),
                pack_size: 30,
                rx_only: 1,
                dea_schedule: None,
                price_cents: 100,
                tax_rate_bp: 0,
                supplier_id: None,
            },
            days: Vec::new(),
            stock: ProductStock {
                product_id: 1,
                on_hand: 25,
                reserved: 0,
                available: 20,
                expired: 5,
                lots: vec![lot(1, -3, 5), lot(2, 0, 8), lot(3, 40, 12), lot(4, 60, 0)],
            },
            on_order: 0,
        };
        let lots = reorder_input(&input).lots;
        let kept: Vec<(f64, usize)> = lots.iter().map(|l| (l.qty, l.expires_in)).collect();
        assert_eq!(kept, vec![(8.0, 1), (12.0, 41)]);
    }

    #[test]
    fn the_headline_counts_only_stock_usable_in_time() {
        let order = |qty| Order {
            need: 80,
            qty,
            pack: 1,
            below_reorder_point: false,
        };
        let position = Position {
            usable: 70,
            expiring: 30,
            on_order: 0,
        };
        assert_eq!(
            headline(&position, &order(10)),
            "Order 10 units: 70 usable in stock (30 more expire before use) and 0 on order fall short of the 80 needed for the next 10 days."
        );
        let plenty = Position {
            usable: 90,
            expiring: 0,
            on_order: 5,
        };
        assert_eq!(
            headline(&plenty, &order(0)),
            "No order needed: 90 in stock and 5 on order cover the 80 needed for the next 10 days."
        );
    }

    #[test]
    fn stock_figures_are_whole_units_rounded_up() {
        assert_eq!(units(11.2), 12);
        assert_eq!(units(0.0), 0);
        assert_eq!(units(-3.0), 0);
        assert_eq!(units(f64::NAN), 0);
    }
}
