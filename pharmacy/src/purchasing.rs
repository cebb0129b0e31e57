//! Purchasing: reorder suggestions computed from the demand forecasts, and
//! the purchase orders a manager accepts them into.
//!
//! A suggestion is a snapshot of one product's stock position and forecast at
//! the moment it was computed. A recompute replaces the product's open
//! suggestion; accepted ones stay, linked to the purchase-order lines they
//! became. Receiving a line creates its lot through the ordinary receiving
//! path, so the ledger remains the only source of stock.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::Date;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::inventory::{ReceiveLot, lock_products, receive_in};
use crate::status::{Stateful, guarded_update};
use crate::text::{self, Quantity};
use crate::window::Window;
use crate::{Store, clock};

type Tx<'a> = Transaction<'a, Any>;

/// Most lines one purchase order or one receipt may carry.
pub const MAX_LINES: usize = 500;
/// Units a stored stock figure may reach: far above any pharmacy, far below overflow.
const MAX_UNITS: i64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    Open,
    Accepted,
    Dismissed,
}

impl SuggestionStatus {
    fn parse(raw: &str) -> StoreResult<Self> {
        match raw {
            "open" => Ok(SuggestionStatus::Open),
            "accepted" => Ok(SuggestionStatus::Accepted),
            "dismissed" => Ok(SuggestionStatus::Dismissed),
            _ => Err(StoreError::invalid(
                "suggestion status",
                format!("{raw:?} is not a status"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOrderStatus {
    Draft,
    Ordered,
    Received,
    Cancelled,
}

impl PurchaseOrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseOrderStatus::Draft => "draft",
            PurchaseOrderStatus::Ordered => "ordered",
            PurchaseOrderStatus::Received => "received",
            PurchaseOrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> StoreResult<Self> {
        [
            PurchaseOrderStatus::Draft,
            PurchaseOrderStatus::Ordered,
            PurchaseOrderStatus::Received,
            PurchaseOrderStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .ok_or_else(|| {
            StoreError::invalid(
                "purchase order status",
                format!("{raw:?} is not draft, ordered, received or cancelled"),
            )
        })
    }
}

/// The figures of one computed suggestion, as the forecasting step produces them.
pub struct SuggestionFields<'a> {
    pub product_id: i64,
    pub model: &'a str,
    pub on_hand: i64,
    pub on_order: i64,
    pub reorder_point: i64,
    pub order_up_to: i64,
    pub suggested_qty: i64,
    pub reason: &'a str,
    /// JSON for the chart; the store keeps it opaque.
    pub forecast: String,
}

/// A suggestion ready to store.
#[derive(Debug, Clone)]
pub struct NewSuggestion {
    product_id: i64,
    model: String,
    on_hand: i64,
    on_order: i64,
    reorder_point: i64,
    order_up_to: i64,
    suggested_qty: i64,
    reason: String,
    forecast: String,
}

impl NewSuggestion {
    pub fn parse(f: SuggestionFields<'_>) -> StoreResult<Self> {
        for (field, value) in [
            ("on_hand", f.on_hand),
            ("on_order", f.on_order),
            ("reorder_point", f.reorder_point),
            ("order_up_to", f.order_up_to),
            ("suggested_qty", f.suggested_qty),
        ] {
            if !(0..=MAX_UNITS).contains(&value) {
                return Err(StoreError::invalid(
                    field,
                    format!("{value} is not between 0 and {MAX_UNITS}"),
                ));
            }
        }
        if f.order_up_to < f.reorder_point {
            return Err(StoreError::invalid(
                "order_up_to",
                "must not be below the reorder point",
            ));
        }
        if serde_json::from_str::<serde_json::Value>(&f.forecast).is_err() {
            return Err(StoreError::invalid("forecast", "must be a JSON document"));
        }
        Ok(NewSuggestion {
            product_id: f.product_id,
            model: text::required("model", f.model, 100)?,
            on_hand: f.on_hand,
            on_order: f.on_order,
            reorder_point: f.reorder_point,
            order_up_to: f.order_up_to,
            suggested_qty: f.suggested_qty,
            reason: text::required("reason", f.reason, 2000)?,
            forecast: f.forecast,
        })
    }

    pub fn suggested_qty(&self) -> i64 {
        self.suggested_qty
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub ndc: String,
    pub pack_size: i64,
    pub computed_at: String,
    pub model: String,
    pub on_hand: i64,
    pub on_order: i64,
    pub reorder_point: i64,
    pub order_up_to: i64,
    pub suggested_qty: i64,
    pub reason: String,
    pub status: SuggestionStatus,
}

/// A product's latest suggestion with the forecast it came from (JSON text).
#[derive(Debug, Clone)]
pub struct ProductForecast {
    pub suggestion: Suggestion,
    pub forecast: String,
}

/// One suggestion to accept, with the manager's own quantity if they changed it.
#[derive(Debug, Clone, Copy)]
pub struct Acceptance {
    pub suggestion_id: i64,
    pub quantity: Option<Quantity>,
}

/// Suggestions to turn into a purchase order.
#[derive(Debug, Clone)]
pub struct NewPurchaseOrder {
    supplier_id: Option<i64>,
    lines: Vec<Acceptance>,
}

impl NewPurchaseOrder {
    /// `lines` are (suggestion id, edited quantity); each suggestion once.
    pub fn parse(
        supplier_id: Option<i64>,
        lines: impl IntoIterator<Item = (i64, Option<i64>)>,
    ) -> StoreResult<Self> {
        let lines = lines
            .into_iter()
            .map(|(suggestion_id, qty)| {
                Ok(Acceptance {
                    suggestion_id,
                    quantity: qty.map(Quantity::new).transpose()?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        check_line_count("suggestions", lines.len())?;
        let distinct: BTreeSet<i64> = lines.iter().map(|l| l.suggestion_id).collect();
        if distinct.len() != lines.len() {
            return Err(StoreError::invalid(
                "suggestions",
                "a suggestion is listed twice",
            ));
        }
        Ok(NewPurchaseOrder { supplier_id, lines })
    }
}

fn check_line_count(field: &'static str, n: usize) -> StoreResult<()> {
    if n == 0 {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    if n > MAX_LINES {
        return Err(StoreError::invalid(
            field,
            format!("{n} lines; at most {MAX_LINES}"),
        ));
    }
    Ok(())
}

/// One lot delivered against a purchase-order line. A line may arrive in
/// several lots, so a receipt may name the same line more than once.
#[derive(Debug, Clone)]
pub struct ReceiptLine {
    pub line_id: i64,
    lot_number: String,
    expiry: Date,
    location: String,
    quantity: Quantity,
}

impl ReceiptLine {
    pub fn parse(
        line_id: i64,
        lot_number: &str,
        expiry: &str,
        location: &str,
        quantity: i64,
    ) -> StoreResult<Self> {
        // The rules of receiving a lot; the product comes from the line.
        let ReceiveLot {
            lot_number,
            expiry,
            location,
            quantity,
            ..
        } = ReceiveLot::parse(0, lot_number, expiry, location, quantity)?;
        Ok(ReceiptLine {
            line_id,
            lot_number,
            expiry,
            location,
            quantity,
        })
    }

    fn lot_of(&self, product_id: i64) -> ReceiveLot {
        ReceiveLot {
            product_id,
            lot_number: self.lot_number.clone(),
            expiry: self.expiry,
            location: self.location.clone(),
            quantity: self.quantity,
        }
    }
}

/// A delivery against one purchase order.
#[derive(Debug, Clone)]
pub struct Receipt {
    lines: Vec<ReceiptLine>,
}

impl Receipt {
    pub fn new(lines: Vec<ReceiptLine>) -> StoreResult<Self> {
        check_line_count("lines", lines.len())?;
        Ok(Receipt { lines })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseOrderLine {
    pub id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub ndc: String,
    pub suggestion_id: Option<i64>,
    pub quantity: i64,
    pub received: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PurchaseOrder {
    pub id: i64,
    pub supplier_id: Option<i64>,
    pub supplier_name: Option<String>,
    pub status: PurchaseOrderStatus,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<PurchaseOrderLine>,
}

/// A lot created by a receipt.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReceivedLot {
    pub line_id: i64,
    pub lot_id: i64,
    pub quantity: i64,
}

const SUGGESTION_COLUMNS: &str = "s.id, s.product_id, p.name AS product_name, p.ndc, p.pack_size, s.computed_at, s.model, \
     s.on_hand, s.on_order, s.reorder_point, s.order_up_to, s.suggested_qty, s.reason, s.status";
const SUGGESTIONS: &str = "reorder_suggestions s JOIN products p ON p.id = s.product_id";

fn suggestion(row: &AnyRow) -> StoreResult<Suggestion> {
    Ok(Suggestion {
        id: row.try_get("id")?,
        product_id: row.try_get("product_id")?,
        product_name: row.try_get("product_name")?,
        ndc: row.try_get("ndc")?,
        pack_size: row.try_get("pack_size")?,
        computed_at: row.try_get("computed_at")?,
        model: row.try_get("model")?,
        on_hand: row.try_get("on_hand")?,
        on_order: row.try_get("on_order")?,
        reorder_point: row.try_get("reorder_point")?,
        order_up_to: row.try_get("order_up_to")?,
        suggested_qty: row.try_get("suggested_qty")?,
        reason: row.try_get("reason")?,
        status: SuggestionStatus::parse(&row.try_get::<String, _>("status")?)?,
    })
}

impl Store {
    /// Stores a recompute: each product's open suggestion is replaced by its
    /// new one, all together, so readers never see half a batch.
    pub async fn save_suggestions(
        &self,
        batch: &[NewSuggestion],
        actor: &Actor,
    ) -> StoreResult<usize> {
        let mut sorted: Vec<&NewSuggestion> = batch.iter().collect();
        // Product order, as accepting locks them: two writers cannot deadlock.
        sorted.sort_by_key(|s| s.product_id);
        let now = clock::now();
        let mut tx = self.begin().await?;
        for s in &sorted {
            insert_suggestion(&mut tx, s, &now).await?;
        }
        let suggested = batch.iter().filter(|s| s.suggested_qty > 0).count();
        let details = json!({ "products": batch.len(), "suggesting_an_order": suggested });
        audit::append(
            &mut tx,
            Event::new(actor, "reorder.recompute", "inventory", "suggestions").with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(batch.len())
    }

    /// Open suggestions, by product name.
    pub async fn open_suggestions(&self) -> StoreResult<Vec<Suggestion>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SUGGESTION_COLUMNS} FROM {SUGGESTIONS} WHERE s.status = 'open' ORDER BY p.name, p.id"
        ));
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(suggestion).collect()
    }

    /// The product's most recent suggestion, whatever became of it, with its forecast.
    pub async fn latest_forecast(&self, product_id: i64) -> StoreResult<Option<ProductForecast>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {SUGGESTION_COLUMNS}, s.forecast FROM {SUGGESTIONS} WHERE s.product_id = $1 ORDER BY s.id DESC LIMIT 1"
        ));
        let row = sqlx::query(sql)
            .bind(product_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(ProductForecast {
                suggestion: suggestion(&row)?,
                forecast: row.try_get("forecast")?,
            })
        })
        .transpose()
    }

    /// Sets an open suggestion aside until the next recompute.
    pub async fn dismiss_suggestion(&self, id: i64, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let product_id = take_open_suggestion(&mut tx, id, "dismissed").await?.0;
        audit::append(
            &mut tx,
            Event::new(actor, "reorder.dismiss", "suggestion", id)
                .with(json!({ "product_id": product_id })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Units on purchase orders not yet received, per product. Drafts count:
    /// a suggestion accepted into a draft must not be suggested again.
    pub async fn on_order(&self) -> StoreResult<BTreeMap<i64, i64>> {
        let rows = sqlx::query(
            "SELECT l.product_id, CAST(SUM(l.quantity - l.received) AS BIGINT) AS outstanding \
             FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id \
             WHERE o.status IN ('draft', 'ordered') GROUP BY l.product_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("product_id")?, r.try_get("outstanding")?)))
            .collect()
    }

    /// Accepts open suggestions into a new draft purchase order. Without a
    /// supplier named, the order goes to the products' supplier when they
    /// share one.
    pub async fn create_purchase_order(
        &self,
        order: &NewPurchaseOrder,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        if let Some(id) = order.supplier_id {
            supplier_exists(&mut tx, id).await?;
        }
        let lines = accept_all(&mut tx, &order.lines).await?;
        let supplier_id = match order.supplier_id {
            Some(id) => Some(id),
            None => common_supplier(&mut tx, &lines).await?,
        };
        let now = clock::now();
        let id: i64 = sqlx::query(
            "INSERT INTO purchase_orders (supplier_id, status, created_by, created_at, updated_at) \
             VALUES ($1, 'draft', $2, $3, $4) RETURNING id",
        )
        .bind(supplier_id)
        .bind(actor.as_str())
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for line in &lines {
            sqlx::query("INSERT INTO purchase_order_lines (purchase_order_id, product_id, suggestion_id, quantity) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(line.product_id)
                .bind(line.suggestion_id)
                .bind(line.quantity)
                .execute(&mut *tx)
                .await?;
        }
        let details = json!({ "supplier_id": supplier_id, "lines": lines });
        audit::append(
            &mut tx,
            Event::new(actor, "purchase_order.create", "purchase_order", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn purchase_order(&self, id: i64) -> StoreResult<PurchaseOrder> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PURCHASE_ORDER} WHERE o.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "purchase order",
            id,
        })?;
        self.with_lines(&row).await
    }

    /// Purchase orders, newest first, optionally of one status.
    pub async fn list_purchase_orders(
        &self,
        status: Option<PurchaseOrderStatus>,
        limit: i64,
    ) -> StoreResult<Vec<PurchaseOrder>> {
        let window = Window::first(limit);
        let rows = match status {
            Some(status) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{PURCHASE_ORDER} WHERE o.status = $1 ORDER BY o.id DESC {window}"
                )))
                .bind(status.as_str())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{PURCHASE_ORDER} ORDER BY o.id DESC {window}"
                )))
                .fetch_all(&self.pool)
                .await?
            }
        };
        let mut orders = Vec::with_capacity(rows.len());
        for row in &rows {
            orders.push(self.with_lines(row).await?);
        }
        Ok(orders)
    }

    /// The order has gone to the supplier.
    pub async fn mark_ordered(&self, id: i64, actor: &Actor) -> StoreResult<()> {
        self.move_purchase_order(
            id,
            &[PurchaseOrderStatus::Draft],
            PurchaseOrderStatus::Ordered,
            actor,
        )
        .await
    }

    /// Withdraws an order of which nothing has arrived.
    pub async fn cancel_purchase_order(&self, id: i64, actor: &Actor) -> StoreResult<()> {
        self.move_purchase_order(
            id,
            &[PurchaseOrderStatus::Draft, PurchaseOrderStatus::Ordered],
            PurchaseOrderStatus::Cancelled,
            actor,
        )
        .await
    }

    /// Receives a delivery into lots, all of it or none. The order becomes
    /// `received` once every line has arrived in full.
    pub async fn receive_purchase_order(
        &self,
        id: i64,
        receipt: &Receipt,
        actor: &Actor,
    ) -> StoreResult<Vec<ReceivedLot>> {
        let locations = self.receipt_locations(receipt).await?;
        let mut tx = self.begin().await?;
        let status = touch_purchase_order(&mut tx, id).await?;
        if status != PurchaseOrderStatus::Ordered {
            return Err(StoreError::Conflict(format!(
                "purchase order {id} is {}; only an ordered one can be received",
                status.as_str()
            )));
        }
        let lines = order_lines(&mut tx, id).await?;
        let products = check_receipt(id, &lines, &receipt.lines)?;
        lock_products(&mut tx, &products).await?;
        let reason = format!("purchase order {id}");
        let mut received = Vec::with_capacity(receipt.lines.len());
        for ((line, product_id), location_id) in receipt.lines.iter().zip(products).zip(locations) {
            let lot = line.lot_of(product_id);
            let lot_id = receive_in(&mut tx, &lot, location_id, Some(&reason), actor).await?;
            add_received(&mut tx, line.line_id, line.quantity.get()).await?;
            received.push(ReceivedLot {
                line_id: line.line_id,
                lot_id,
                quantity: line.quantity.get(),
            });
        }
        let complete = all_received(&mut tx, id).await?;
        if complete {
            guarded_update(
                &mut tx,
                Stateful::PurchaseOrder,
                id,
                PurchaseOrderStatus::Ordered.as_str(),
                PurchaseOrderStatus::Received.as_str(),
            )
            .await?;
        }
        let details = json!({ "lots": received, "complete": complete });
        audit::append(
            &mut tx,
            Event::new(actor, "purchase_order.receive", "purchase_order", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(received)
    }

    /// The location of each receipt line. Resolved before the receipt's
    /// transaction: a new location is written on its own connection, which on
    /// SQLite must not wait for the write lock that transaction holds.
    async fn receipt_locations(&self, receipt: &Receipt) -> StoreResult<Vec<i64>> {
        let mut known: BTreeMap<&str, i64> = BTreeMap::new();
        let mut ids = Vec::with_capacity(receipt.lines.len());
        for line in &receipt.lines {
            let id = match known.get(line.location.as_str()) {
                Some(id) => *id,
                None => self.location_id(&line.location).await?,
            };
            known.insert(&line.location, id);
            ids.push(id);
        }
        Ok(ids)
    }

    async fn move_purchase_order(
        &self,
        id: i64,
        from: &[PurchaseOrderStatus],
        to: PurchaseOrderStatus,
        actor: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let status = touch_purchase_order(&mut tx, id).await?;
        if !from.contains(&status) {
            return Err(StoreError::Conflict(format!(
                "purchase order {id} is {}; it cannot become {}",
                status.as_str(),
                to.as_str()
            )));
        }
        if to == PurchaseOrderStatus::Cancelled && any_received(&mut tx, id).await? {
            return Err(StoreError::Conflict(format!(
                "purchase order {id} is partly received; adjust the stock instead"
            )));
        }
        guarded_update(
            &mut tx,
            Stateful::PurchaseOrder,
            id,
            status.as_str(),
            to.as_str(),
        )
        .await?;
        let details = json!({ "from": status.as_str(), "to": to.as_str() });
        audit::append(
            &mut tx,
            Event::new(actor, "purchase_order.status", "purchase_order", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn with_lines(&self, row: &AnyRow) -> StoreResult<PurchaseOrder> {
        let id: i64 = row.try_get("id")?;
        let lines = sqlx::query(
            "SELECT l.id, l.product_id, p.name, p.ndc, l.suggestion_id, l.quantity, l.received \
             FROM purchase_order_lines l JOIN products p ON p.id = l.product_id \
             WHERE l.purchase_order_id = $1 ORDER BY l.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(PurchaseOrderLine {
                id: r.try_get("id")?,
                product_id: r.try_get("product_id")?,
                product_name: r.try_get("name")?,
                ndc: r.try_get("ndc")?,
                suggestion_id: r.try_get("suggestion_id")?,
                quantity: r.try_get("quantity")?,
                received: r.try_get("received")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        Ok(PurchaseOrder {
            id,
            supplier_id: row.try_get("supplier_id")?,
            supplier_name: row.try_get("supplier_name")?,
            status: PurchaseOrderStatus::parse(&row.try_get::<String, _>("status")?)?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            lines,
        })
    }
}

const PURCHASE_ORDER: &str = "SELECT o.id, o.supplier_id, s.name AS supplier_name, o.status, o.created_by, o.created_at, o.updated_at \
     FROM purchase_orders o LEFT JOIN suppliers s ON s.id = o.supplier_id";

async fn insert_suggestion(tx: &mut Tx<'_>, s: &NewSuggestion, now: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM reorder_suggestions WHERE product_id = $1 AND status = 'open'")
        .bind(s.product_id)
        .execute(&mut **tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO reorder_suggestions (product_id, computed_at, model, on_hand, on_order, reorder_point, \
         order_up_to, suggested_qty, reason, forecast, status) \
         SELECT id, $1, $2, $3, $4, $5, $6, $7, $8, $9, 'open' FROM products WHERE id = $10",
    )
    .bind(now)
    .bind(&s.model)
    .bind(s.on_hand)
    .bind(s.on_order)
    .bind(s.reorder_point)
    .bind(s.order_up_to)
    .bind(s.suggested_qty)
    .bind(&s.reason)
    .bind(&s.forecast)
    .bind(s.product_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StoreError::NotFound {
            entity: "product",
            id: s.product_id,
        });
    }
    Ok(())
}

/// A line about to be written, as recorded in the audit log.
#[derive(Debug, Serialize)]
struct AcceptedLine {
    suggestion_id: i64,
    product_id: i64,
    suggested: i64,
    quantity: i64,
}

/// Marks each suggestion accepted, in product order (as recomputes replace
/// them), and settles the quantity of its line.
async fn accept_all(tx: &mut Tx<'_>, wanted: &[Acceptance]) -> StoreResult<Vec<AcceptedLine>> {
    let mut ordered = Vec::with_capacity(wanted.len());
    for a in wanted {
        ordered.push((suggestion_product(tx, a.suggestion_id).await?, a));
    }
    ordered.sort_by_key(|(product_id, _)| *product_id);
    let mut lines = Vec::with_capacity(ordered.len());
    for (_, a) in ordered {
        let (product_id, suggested) = take_open_suggestion(tx, a.suggestion_id, "accepted").await?;
        let quantity = match a.quantity {
            Some(q) => q.get(),
            None if suggested > 0 => suggested,
            None => {
                return Err(StoreError::invalid(
                    "quantity",
                    format!(
                        "suggestion {} does not suggest ordering; give a quantity",
                        a.suggestion_id
                    ),
                ));
            }
        };
        lines.push(AcceptedLine {
            suggestion_id: a.suggestion_id,
            product_id,
            suggested,
            quantity,
        });
    }
    Ok(lines)
}

async fn suggestion_product(tx: &mut Tx<'_>, id: i64) -> StoreResult<i64> {
    Ok(
        sqlx::query("SELECT product_id FROM reorder_suggestions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "suggestion",
                id,
            })?
            .try_get("product_id")?,
    )
}

/// Moves an open suggestion to `to`; returns its product and suggested quantity.
async fn take_open_suggestion(tx: &mut Tx<'_>, id: i64, to: &str) -> StoreResult<(i64, i64)> {
    let row = sqlx::query(
        "UPDATE reorder_suggestions SET status = $1 WHERE id = $2 AND status = 'open' \
         RETURNING product_id, suggested_qty",
    )
    .bind(to)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = row {
        return Ok((row.try_get("product_id")?, row.try_get("suggested_qty")?));
    }
    let status: String = sqlx::query("SELECT status FROM reorder_suggestions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "suggestion",
            id,
        })?
        .try_get("status")?;
    Err(StoreError::Conflict(format!(
        "suggestion {id} is already {status}"
    )))
}

async fn supplier_exists(tx: &mut Tx<'_>, id: i64) -> StoreResult<()> {
    let found = sqlx::query("SELECT id FROM suppliers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::invalid(
            "supplier",
            format!("there is no supplier {id}"),
        )),
    }
}

/// The supplier of every product on the lines, if it is one and the same.
async fn common_supplier(tx: &mut Tx<'_>, lines: &[AcceptedLine]) -> StoreResult<Option<i64>> {
    let mut suppliers = BTreeSet::new();
    for line in lines {
        let supplier: Option<i64> = sqlx::query("SELECT supplier_id FROM products WHERE id = $1")
            .bind(line.product_id)
            .fetch_one(&mut **tx)
            .await?
            .try_get("supplier_id")?;
        suppliers.insert(supplier);
    }
    Ok(match suppliers.len() {
        1 => suppliers.into_iter().next().flatten(),
        _ => None,
    })
}

/// Takes the order's row lock (serialising writers of one order) and reads its status.
async fn touch_purchase_order(tx: &mut Tx<'_>, id: i64) -> StoreResult<PurchaseOrderStatus> {
    let status: String =
        sqlx::query("UPDATE purchase_orders SET updated_at = $1 WHERE id = $2 RETURNING status")
            .bind(clock::now())
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "purchase order",
                id,
            })?
            .try_get("status")?;
    PurchaseOrderStatus::parse(&status)
}

struct OpenLine {
    product_id: i64,
    outstanding: i64,
}

async fn order_lines(tx: &mut Tx<'_>, id: i64) -> StoreResult<BTreeMap<i64, OpenLine>> {
    let rows = sqlx::query(
        "SELECT id, product_id, quantity, received FROM purchase_order_lines WHERE purchase_order_id = $1",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let (quantity, received): (i64, i64) = (r.try_get("quantity")?, r.try_get("received")?);
            Ok((
                r.try_get("id")?,
                OpenLine {
                    product_id: r.try_get("product_id")?,
                    outstanding: quantity - received,
                },
            ))
        })
        .collect()
}

/// Every receipt line must be on this order and no line may receive more
/// than is outstanding on it. Returns the product of each receipt line.
fn check_receipt(
    order_id: i64,
    lines: &BTreeMap<i64, OpenLine>,
    receipt: &[ReceiptLine],
) -> StoreResult<Vec<i64>> {
    let mut arriving: BTreeMap<i64, i64> = BTreeMap::new();
    let mut products = Vec::with_capacity(receipt.len());
    for r in receipt {
        let line = lines.get(&r.line_id).ok_or_else(|| {
            StoreError::invalid(
                "line_id",
                format!("line {} is not on purchase order {order_id}", r.line_id),
            )
        })?;
        let total = arriving.entry(r.line_id).or_default();
        *total += r.quantity.get();
        if *total > line.outstanding {
            return Err(StoreError::invalid(
                "quantity",
                format!(
                    "line {} has {} left to receive, not {}",
                    r.line_id, line.outstanding, *total
                ),
            ));
        }
        products.push(line.product_id);
    }
    Ok(products)
}

async fn add_received(tx: &mut Tx<'_>, line_id: i64, qty: i64) -> StoreResult<()> {
    sqlx::query("UPDATE purchase_order_lines SET received = received + $1 WHERE id = $2")
        .bind(qty)
        .bind(line_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn all_received(tx: &mut Tx<'_>, id: i64) -> StoreResult<bool> {
    let left: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM purchase_order_lines WHERE purchase_order_id = $1 AND received < quantity",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    Ok(left == 0)
}

async fn any_received(tx: &mut Tx<'_>, id: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM purchase_order_lines WHERE purchase_order_id = $1 AND received > 0",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    Ok(n > 0)
}
