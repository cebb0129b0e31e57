//! Stock and purchasing pages: stock by product and lot with expiry alerts,
//! one product's forecast chart and reorder policy, and the reorder
//! suggestions with the purchase orders made from them. Reads are the store
//! calls the JSON API makes; every change goes through the JSON API.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::LazyLock;

use axum::extract::State;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rxflow_pharmacy::inventory::{LotStock, ProductStock};
use rxflow_pharmacy::products::Product;
use rxflow_pharmacy::purchasing::{PurchaseOrder, PurchaseOrderStatus};
use rxflow_pharmacy::{Store, clock};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Date;

use super::PageError;
use super::chart::{self, ChartData};
use super::render::{Page, page};
use crate::auth::Principal;
use crate::auth::access::{RouteSpec, Routes};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::forecasts::{self, ForecastPoint, Latest};
use crate::routes::inventory::PLAN_READERS;
use crate::routes::products::STOCK_READERS;
use crate::state::AppState;

/// Products a stock page lists at once.
const PAGE_SIZE: i64 = 25;
/// Lots expiring within this many days are flagged.
const EXPIRY_WARNING_DAYS: i64 = 90;
/// Lots this close to expiry are flagged as urgent.
const EXPIRY_URGENT_DAYS: i64 = 30;
/// Expiry alerts listed by lot; the rest are counted.
const ALERTS_SHOWN: usize = 50;
/// Purchase orders the reorder page lists, newest first.
const ORDERS_SHOWN: i64 = 50;

pub fn routes() -> Routes {
    Routes::new()
        .page("/inventory", STOCK_READERS, stock)
        .page("/inventory/products/{id}", PLAN_READERS, product)
        .page("/inventory/reorder", PLAN_READERS, reorder)
}

static API: LazyLock<Vec<RouteSpec>> = LazyLock::new(crate::route_table);

/// Whether the JSON API would let this user make this call, so that a page
/// offers exactly the actions that will be accepted.
fn api_allows(principal: &Principal, method: &str, path: &str) -> bool {
    API.iter()
        .find(|r| r.method == method && r.path == path)
        .is_some_and(|r| r.access.admits(Some(principal.user.role)).is_ok())
}

// ---- /inventory ----

#[derive(Deserialize)]
struct StockQuery {
    q: Option<String>,
    page: Option<u32>,
}

async fn stock(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<StockQuery>, ApiError>,
) -> Result<Page, PageError> {
    let Query(query) = query?;
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if search.is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::BadRequest("the search is longer than 200 characters".into()).into());
    }
    let page_no = query.page.unwrap_or(1).clamp(1, 100_000);
    let offset = i64::from(page_no - 1) * PAGE_SIZE;
    let mut products = state
        .store
        .list_products(search, PAGE_SIZE + 1, offset)
        .await?;
    let more = products.len() as i64 > PAGE_SIZE;
    products.truncate(PAGE_SIZE as usize);
    let today = clock::today();
    let rows = stock_rows(&state.store, products, today).await?;
    let alerts = expiry_alerts(&state.store, today).await?;
    let context = json!({
        "title": "Stock",
        "here": "/inventory",
        "q": search.unwrap_or(""),
        "location": usual_location(&rows),
        "rows": rows,
        "alerts": alerts,
        "page": page_no,
        "previous": (page_no > 1).then(|| stock_href(search, page_no - 1)),
        "next": more.then(|| stock_href(search, page_no + 1)),
        "may_receive": api_allows(&principal, "POST", "/api/v1/inventory/lots"),
        "may_expire": api_allows(&principal, "POST", "/api/v1/inventory/lots/{id}/expire"),
        "may_plan": PLAN_READERS.admits(Some(principal.user.role)).is_ok(),
    });
    page("inventory.html", Some(&principal), context)
}

/// Everything but RFC 3986's unreserved characters is escaped in a query.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The stock page's address for a search and page.
fn stock_href(search: Option<&str>, page_no: u32) -> String {
    match search {
        Some(q) => format!(
            "/inventory?q={}&page={page_no}",
            utf8_percent_encode(q, UNRESERVED)
        ),
        None => format!("/inventory?page={page_no}"),
    }
}

/// Where a receipt goes unless the form says otherwise: where this page's
/// stock already is, so that a receipt does not start a new location by
/// accident.
fn usual_location(rows: &[StockRow]) -> &str {
    rows.iter()
        .flat_map(|r| r.stock.lots.first())
        .map(|lot| lot.location.as_str())
        .next()
        .unwrap_or("Main")
}

#[derive(Serialize)]
struct StockRow {
    label: String,
    product: Product,
    stock: ProductStock,
    lots: Vec<LotRow>,
}

#[derive(Serialize)]
struct LotRow {
    lot: LotStock,
    expiry: ExpiryStatus,
}

/// How near a lot is to its expiry, in a badge's class and words.
#[derive(Serialize)]
struct ExpiryStatus {
    class: &'static str,
    words: String,
    alert: bool,
}

fn expiry_status(expiry: &str, today: Date) -> ExpiryStatus {
    let status = |class, words: String, alert| ExpiryStatus {
        class,
        words,
        alert,
    };
    let Ok(date) = clock::parse_date("expiry", expiry) else {
        return status("flag", "Expiry unreadable".into(), true);
    };
    match (date - today).whole_days() {
        days if days < 0 => status("contraindicated", "Expired".into(), true),
        0 => status("major", "Expires today".into(), true),
        1 => status("major", "Expires tomorrow".into(), true),
        days if days <= EXPIRY_URGENT_DAYS => {
            status("major", format!("Expires in {days} days"), true)
        }
        days if days <= EXPIRY_WARNING_DAYS => {
            status("moderate", format!("Expires in {days} days"), true)
        }
        _ => status("ok", "In date".into(), false),
    }
}

fn lot_rows(lots: &[LotStock], today: Date) -> Vec<LotRow> {
    lots.iter()
        .map(|lot| LotRow {
            expiry: expiry_status(&lot.expiry, today),
            lot: lot.clone(),
        })
        .collect()
}

async fn stock_rows(
    store: &Store,
    products: Vec<Product>,
    today: Date,
) -> Result<Vec<StockRow>, ApiError> {
    let mut rows = Vec::with_capacity(products.len());
    for product in products {
        let stock = store.product_stock(product.id).await?;
        rows.push(StockRow {
            label: product_label(&product),
            lots: lot_rows(&stock.lots, today),
            product,
            stock,
        });
    }
    Ok(rows)
}

/// Lots expired or expiring soon, earliest first, with their products'
/// names, and how many there are of each kind.
async fn expiry_alerts(store: &Store, today: Date) -> Result<Value, ApiError> {
    let lots = store.expiring_within(EXPIRY_WARNING_DAYS).await?;
    let expired = lots
        .iter()
        .filter(|l| l.expiry < clock::format_date(today))
        .count();
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    let mut shown = Vec::new();
    for lot in lots.iter().take(ALERTS_SHOWN) {
        let name = match names.entry(lot.product_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => new.insert(product_label(&store.product(lot.product_id).await?)),
        };
        shown.push(json!({
            "product": name,
            "lot": lot,
            "expiry": expiry_status(&lot.expiry, today),
            "expired": lot.expiry < clock::format_date(today),
        }));
    }
    Ok(json!({
        "total": lots.len(),
        "expired": expired,
        "soon": lots.len() - expired,
        "days": EXPIRY_WARNING_DAYS,
        "lots": shown,
        "hidden": lots.len().saturating_sub(ALERTS_SHOWN),
    }))
}

/// The product as shelves name it. Catalogue names mostly carry their
/// strength already; the others get it added.
fn product_label(p: &Product) -> String {
    if p.name.to_lowercase().contains(&p.strength.to_lowercase()) {
        p.name.clone()
    } else {
        format!("{} {}", p.name, p.strength)
    }
}

// ---- /inventory/products/{id} ----

async fn product(
    State(state): State<AppState>,
    principal: Principal,
    path: Result<Path<i64>, ApiError>,
) -> Result<Page, PageError> {
    let Path(id) = path?;
    let product = state.store.product(id).await?;
    let stock = state.store.product_stock(id).await?;
    let view = forecasts::latest(&state.store, id).await?;
    let forecast = match &view {
        Some(view) => Some(forecast_context(&product, &stock, view)?),
        None => None,
    };
    let context = json!({
        "title": product_label(&product),
        "here": "/inventory",
        "product": product,
        "stock": stock,
        "forecast": forecast,
        "back": stock_href(Some(&product.name), 1),
        "may_recompute": api_allows(&principal, "POST", "/api/v1/inventory/reorder-suggestions/recompute"),
    });
    page("product.html", Some(&principal), context)
}

fn forecast_context(
    product: &Product,
    stock: &ProductStock,
    view: &Latest,
) -> Result<Value, ApiError> {
    let days = chart_days(&view.chart.points)?;
    let history: Vec<chart::HistoryDay> = view
        .history
        .iter()
        .map(|d| chart::HistoryDay {
            date: d.date,
            units: d.dispensed as f64,
            stockout: d.stockout,
        })
        .collect();
    let label = product_label(product);
    let svg = chart::forecast_svg(&ChartData {
        product: &label,
        history: &history,
        forecast: &days,
        reorder_point: view.suggestion.reorder_point as f64,
        on_hand: stock.available as f64,
    })?;
    Ok(json!({
        "svg": svg,
        "model": view.chart.model,
        "demand_class": view.chart.demand_class,
        "points": view.chart.points,
        "suggestion": view.suggestion,
        "computed": minute(&view.suggestion.computed_at),
        "reason": Reason::of(&view.suggestion.reason),
        "policy": policy(view),
        "history_days": history.len(),
        "stockout_days": history.iter().filter(|d| d.stockout).count(),
    }))
}

fn chart_days(points: &[ForecastPoint]) -> Result<Vec<chart::ForecastDay>, ApiError> {
    points
        .iter()
        .map(|p| {
            let date = clock::parse_date("forecast date", &p.date)
                .map_err(|e| ApiError::Internal(format!("a stored forecast: {e}")))?;
            Ok(chart::ForecastDay {
                date,
                mean: p.mean,
                lower_90: p.lower_90,
                upper_90: p.upper_90,
                lower_95: p.lower_95,
                upper_95: p.upper_95,
            })
        })
        .collect()
}

/// The reorder policy's figures. Safety stock is not stored; it is what
/// the order-up-to level holds beyond the demand expected while waiting
/// for a delivery and the next review.
fn policy(view: &Latest) -> Value {
    let covered = forecasts::LEAD_TIME_DAYS + forecasts::REVIEW_PERIOD_DAYS;
    let expected: f64 = view.chart.points.iter().take(covered).map(|p| p.mean).sum();
    let s = &view.suggestion;
    json!({
        "lead_time_days": forecasts::LEAD_TIME_DAYS,
        "review_period_days": forecasts::REVIEW_PERIOD_DAYS,
        "covered_days": covered,
        "service_level_percent": (forecasts::SERVICE_LEVEL * 100.0).round() as i64,
        "expected_demand": expected.round() as i64,
        "safety_stock": (s.order_up_to as f64 - expected).max(0.0).round() as i64,
    })
}

/// A suggestion's reason, split into the sentence a manager reads first and
/// the policy's own account, which the forecasting step appends in
/// parentheses after the sentence's full stop.
#[derive(Serialize, Debug, PartialEq)]
struct Reason<'a> {
    headline: &'a str,
    detail: Option<&'a str>,
}

impl<'a> Reason<'a> {
    fn of(reason: &'a str) -> Self {
        match reason.split_once(". (") {
            Some((headline, rest)) => Reason {
                headline: reason.get(..headline.len() + 1).unwrap_or(headline),
                detail: Some(rest.strip_suffix(')').unwrap_or(rest)),
            },
            None => Reason {
                headline: reason,
                detail: None,
            },
        }
    }
}

// ---- /inventory/reorder ----

async fn reorder(State(state): State<AppState>, principal: Principal) -> Result<Page, PageError> {
    let open = state.store.open_suggestions().await?;
    let quiet = open.iter().filter(|s| s.suggested_qty == 0).count();
    let suggestions: Vec<Value> = open
        .iter()
        .filter(|s| s.suggested_qty > 0)
        .map(|s| {
            json!({
                "s": s,
                "reason": Reason::of(&s.reason),
                "below": s.on_hand + s.on_order < s.reorder_point,
            })
        })
        .collect();
    let orders = state.store.list_purchase_orders(None, ORDERS_SHOWN).await?;
    let context = json!({
        "title": "Reorder",
        "here": "/inventory/reorder",
        "suggestions": suggestions,
        "quiet": quiet,
        "computed": !open.is_empty(),
        "orders": orders.iter().map(order_context).collect::<Vec<_>>(),
        "may_plan": api_allows(&principal, "POST", "/api/v1/purchase-orders"),
    });
    page("reorder.html", Some(&principal), context)
}

/// An RFC 3339 UTC time to the minute, as people read it.
fn minute(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => at.to_string(),
    }
}

fn order_context(order: &PurchaseOrder) -> Value {
    let (class, words) = match order.status {
        PurchaseOrderStatus::Draft => ("flag", "Draft: not sent yet"),
        PurchaseOrderStatus::Ordered => ("moderate", "Ordered: awaiting delivery"),
        PurchaseOrderStatus::Received => ("ok", "Received in full"),
        PurchaseOrderStatus::Cancelled => ("", "Cancelled"),
    };
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|l| json!({ "line": l, "outstanding": (l.quantity - l.received).max(0) }))
        .collect();
    json!({
        "order": order,
        "status": { "class": class, "words": words },
        "lines": lines,
        "created": minute(&order.created_at),
        "updated": minute(&order.updated_at),
        "draft": order.status == PurchaseOrderStatus::Draft,
        "ordered": order.status == PurchaseOrderStatus::Ordered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expiry_is_said_in_words() {
        let today = date!(2026 - 03 - 01);
        let words = |expiry| expiry_status(expiry, today).words;
        assert_eq!(words("2026-02-28"), "Expired");
        assert_eq!(words("2026-03-01"), "Expires today");
        assert_eq!(words("2026-03-02"), "Expires tomorrow");
        assert_eq!(words("2026-03-31"), "Expires in 30 days");
        assert_eq!(expiry_status("2026-05-01", today).class, "moderate");
        assert!(!expiry_status("2027-01-01", today).alert);
        assert_eq!(words("soon"), "Expiry unreadable");
    }

    #[test]
    fn a_reason_splits_into_headline_and_policy() {
        let reason = "Order 60 units (2 packs of 30): 4 in stock and 0 on order fall short of the 64 needed for the next 10 days. (covers 3 days lead time + 7 days review at 95% service (order-up-to 64, safety stock 12))";
        let r = Reason::of(reason);
        assert!(r.headline.starts_with("Order 60 units (2 packs of 30):"));
        assert!(r.headline.ends_with("10 days."));
        assert_eq!(
            r.detail,
            Some(
                "covers 3 days lead time + 7 days review at 95% service (order-up-to 64, safety stock 12)"
            )
        );
        assert_eq!(Reason::of("plain").detail, None);
    }

    #[test]
    fn times_read_to_the_minute() {
        assert_eq!(
            minute("2026-11-22T22:25:32.396875363Z"),
            "2026-11-22 22:25 UTC"
        );
        assert_eq!(minute("soon"), "soon");
    }

    #[test]
    fn searches_survive_the_address() {
        assert_eq!(stock_href(None, 2), "/inventory?page=2");
        assert_eq!(
            stock_href(Some("co-trimoxazole 800/160 & más"), 3),
            "/inventory?q=co-trimoxazole%20800%2F160%20%26%20m%C3%A1s&page=3"
        );
    }
}
