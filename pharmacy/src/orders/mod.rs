//! Cart, checkout, payment, fulfilment, shipment and returns.
//!
//! Checkout reserves stock for every line, so an order can always be filled;
//! cancelling releases what is still reserved. A prescription-only line must
//! point at a verified prescription item of the same patient with a fill left.

mod carrier;
mod invoice;
mod payment;

pub use carrier::{Carrier, InStorePickup, LocalCourier};
pub use invoice::{LineTotal, line_total, order_total};
pub use payment::{InStore, PaymentError, PaymentMethod, PaymentProvider, Receipt};

use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use std::fmt;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::inventory::{MovementKind, lock_products, reserve_in, settle};
use crate::prescriptions;
use crate::status::{Stateful, guarded_update};
use crate::text::Quantity;
use crate::window::Window;
use crate::{Store, clock};

type Tx<'a> = Transaction<'a, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
    Returned,
    Refunded,
}

impl OrderStatus {
    const ALL: [OrderStatus; 8] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Processing,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
        OrderStatus::Returned,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Returned => "returned",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(raw: &str) -> StoreResult<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| StoreError::invalid("order status", format!("{raw:?} is not a status")))
    }

    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (Pending, Paid | Cancelled)
                | (Paid, Processing | Cancelled)
                | (Processing, Shipped | Cancelled)
                | (Shipped, Delivered)
                | (Delivered, Returned)
                | (Returned, Refunded)
        )
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CartItem {
    pub id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub prescription_item_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OrderLine {
    pub id: i64,
    pub product_id: i64,
    pub prescription_item_id: Option<i64>,
    pub reservation_id: i64,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub tax_cents: i64,
    pub line_total_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: i64,
    pub patient_id: i64,
    pub status: OrderStatus,
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<OrderLine>,
    pub invoice_number: Option<i64>,
    pub tracking: Option<String>,
}

impl Store {
    pub async fn add_to_cart(
        &self,
        patient_id: i64,
        product_id: i64,
        qty: Quantity,
        prescription_item_id: Option<i64>,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        crate::patients::ensure_patient(&mut tx, patient_id).await?;
        let product = product_rx_flag(&mut tx, product_id).await?;
        if product && prescription_item_id.is_none() {
            return Err(StoreError::invalid(
                "prescription_item_id",
                format!("product {product_id} is prescription-only"),
            ));
        }
        let id: i64 = sqlx::query("INSERT INTO cart_items (patient_id, product_id, quantity, prescription_item_id, added_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(patient_id)
            .bind(product_id)
            .bind(qty.get())
            .bind(prescription_item_id)
            .bind(clock::now())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let details = json!({ "product_id": product_id, "quantity": qty.get(), "prescription_item_id": prescription_item_id });
        audit::append(
            &mut tx,
            Event::new(actor, "cart.add", "patient", patient_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn cart(&self, patient_id: i64) -> StoreResult<Vec<CartItem>> {
        Ok(sqlx::query_as("SELECT id, product_id, quantity, prescription_item_id FROM cart_items WHERE patient_id = $1 ORDER BY id")
            .bind(patient_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Turns the cart into a pending order, reserving stock for every line.
    pub async fn checkout(&self, patient_id: i64, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let cart: Vec<CartItem> = sqlx::query_as("SELECT id, product_id, quantity, prescription_item_id FROM cart_items WHERE patient_id = $1 ORDER BY id")
            .bind(patient_id)
            .fetch_all(&mut *tx)
            .await?;
        if cart.is_empty() {
            return Err(StoreError::invalid("cart", "is empty"));
        }
        let product_ids: Vec<i64> = cart.iter().map(|c| c.product_id).collect();
        lock_products(&mut tx, &product_ids).await?;
        let mut priced = Vec::with_capacity(cart.len());
        for line in &cart {
            check_prescription(&mut tx, patient_id, line).await?;
            let (price, rate) = price_of(&mut tx, line.product_id).await?;
            let reservation = reserve_in(
                &mut tx,
                line.product_id,
                Quantity::new(line.quantity)?,
                actor,
            )
            .await?;
            priced.push((
                line,
                price,
                line_total(price, line.quantity, rate),
                reservation.id,
            ));
        }
        let totals = order_total(&priced.iter().map(|p| p.2).collect::<Vec<_>>());
        let now = clock::now();
        let order_id: i64 = sqlx::query(
            "INSERT INTO orders (patient_id, status, subtotal_cents, tax_cents, total_cents, created_at, updated_at) \
             VALUES ($1, 'pending', $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(patient_id)
        .bind(totals.subtotal_cents)
        .bind(totals.tax_cents)
        .bind(totals.total_cents)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for (line, price, total, reservation_id) in &priced {
            sqlx::query(
                "INSERT INTO order_lines (order_id, product_id, prescription_item_id, reservation_id, quantity, unit_price_cents, tax_cents, line_total_cents) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(order_id)
            .bind(line.product_id)
            .bind(line.prescription_item_id)
            .bind(*reservation_id)
            .bind(line.quantity)
            .bind(*price)
            .bind(total.tax_cents)
            .bind(total.total_cents)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM cart_items WHERE patient_id = $1")
            .bind(patient_id)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "patient_id": patient_id, "lines": cart.len(), "total_cents": totals.total_cents });
        audit::append(
            &mut tx,
            Event::new(actor, "order.checkout", "order", order_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(order_id)
    }

    /// Captures payment for a pending order and issues its numbered invoice.
    pub async fn pay(
        &self,
        order_id: i64,
        provider: &dyn PaymentProvider,
        method: PaymentMethod,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let (status, total) = order_head(&mut tx, order_id).await?;
        move_order(&mut tx, order_id, status, OrderStatus::Paid).await?;
        let receipt = provider
            .capture(order_id, total, method)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        insert_payment(
            &mut tx,
            order_id,
            provider.name(),
            method.as_str(),
            total,
            "captured",
            &receipt.reference,
        )
        .await?;
        let number = issue_invoice(&mut tx, order_id).await?;
        let details = json!({ "amount_cents": total, "method": method.as_str(), "reference": receipt.reference, "invoice": number });
        audit::append(
            &mut tx,
            Event::new(actor, "order.pay", "order", order_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    pub async fn start_processing(&self, order_id: i64, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let (status, _) = order_head(&mut tx, order_id).await?;
        move_order(&mut tx, order_id, status, OrderStatus::Processing).await?;
        audit::append(
            &mut tx,
            Event::new(actor, "order.process", "order", order_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hands the order to a carrier. Over-the-counter lines leave stock here;
    /// prescription lines must already have been dispensed by a pharmacist.
    pub async fn ship(
        &self,
        order_id: i64,
        carrier: &dyn Carrier,
        actor: &Actor,
    ) -> StoreResult<String> {
        let mut tx = self.begin().await?;
        let (status, _) = order_head(&mut tx, order_id).await?;
        let lines = order_lines(&mut tx, order_id).await?;
        lock_products(
            &mut tx,
            &lines.iter().map(|l| l.product_id).collect::<Vec<_>>(),
        )
        .await?;
        for line in &lines {
            let open = reservation_is_active(&mut tx, line.reservation_id).await?;
            match (line.prescription_item_id, open) {
                (Some(item), true) => {
                    return Err(StoreError::Conflict(format!(
                        "prescription item {item} has not been dispensed yet"
                    )));
                }
                (None, true) => {
                    settle(
                        &mut tx,
                        line.reservation_id,
                        MovementKind::DispenseReserved,
                        actor,
                    )
                    .await?;
                }
                _ => {}
            }
        }
        move_order(&mut tx, order_id, status, OrderStatus::Shipped).await?;
        let tracking = carrier.book(order_id);
        let now = clock::now();
        sqlx::query("INSERT INTO shipments (order_id, carrier, tracking, status, created_at, updated_at) VALUES ($1, $2, $3, 'in_transit', $4, $5)")
            .bind(order_id)
            .bind(carrier.name())
            .bind(&tracking)
            .bind(&now)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            Event::new(actor, "order.ship", "order", order_id)
                .with(json!({ "carrier": carrier.name(), "tracking": tracking })),
        )
        .await?;
        tx.commit().await?;
        Ok(tracking)
    }

    pub async fn deliver(&self, order_id: i64, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let (status, _) = order_head(&mut tx, order_id).await?;
        move_order(&mut tx, order_id, status, OrderStatus::Delivered).await?;
        sqlx::query(
            "UPDATE shipments SET status = 'delivered', updated_at = $1 WHERE order_id = $2",
        )
        .bind(clock::now())
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            Event::new(actor, "order.deliver", "order", order_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Cancels before shipment: releases every reservation still held and
    /// refunds a captured payment.
    pub async fn cancel_order(
        &self,
        order_id: i64,
        provider: &dyn PaymentProvider,
        actor: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let (status, total) = order_head(&mut tx, order_id).await?;
        let lines = order_lines(&mut tx, order_id).await?;
        lock_products(
            &mut tx,
            &lines.iter().map(|l| l.product_id).collect::<Vec<_>>(),
        )
        .await?;
        move_order(&mut tx, order_id, status, OrderStatus::Cancelled).await?;
        for line in &lines {
            if reservation_is_active(&mut tx, line.reservation_id).await? {
                settle(&mut tx, line.reservation_id, MovementKind::Release, actor).await?;
            }
        }
        if status != OrderStatus::Pending {
            refund(&mut tx, order_id, total, provider).await?;
        }
        audit::append(
            &mut tx,
            Event::new(actor, "order.cancel", "order", order_id)
                .with(json!({ "from": status.as_str() })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a delivered order coming back and refunds it. Returned
    /// medicines are not put back into sellable stock.
    pub async fn return_order(
        &self,
        order_id: i64,
        provider: &dyn PaymentProvider,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let reason = crate::text::required("reason", reason, 500)?;
        let mut tx = self.begin().await?;
        let (status, total) = order_head(&mut tx, order_id).await?;
        move_order(&mut tx, order_id, status, OrderStatus::Returned).await?;
        refund(&mut tx, order_id, total, provider).await?;
        move_order(
            &mut tx,
            order_id,
            OrderStatus::Returned,
            OrderStatus::Refunded,
        )
        .await?;
        audit::append(
            &mut tx,
            Event::new(actor, "order.return", "order", order_id)
                .with(json!({ "reason": reason, "refund_cents": total })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// One order. Orders are patient data, so the read is audited.
    pub async fn order(&self, order_id: i64, actor: &Actor) -> StoreResult<Order> {
        let mut tx = self.begin().await?;
        let order = load_order(&mut tx, order_id).await?;
        audit::append(&mut tx, Event::new(actor, "order.read", "order", order_id)).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Orders, newest first, optionally for one patient; one audit event per listing.
    pub async fn list_orders(
        &self,
        patient_id: Option<i64>,
        limit: i64,
        actor: &Actor,
    ) -> StoreResult<Vec<Order>> {
        let mut tx = self.begin().await?;
        let ids: Vec<i64> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM orders WHERE ($1 < 0 OR patient_id = $2) ORDER BY id DESC {}",
            Window::first(limit)
        )))
        .bind(patient_id.unwrap_or(-1))
        .bind(patient_id.unwrap_or(-1))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
        let mut orders = Vec::with_capacity(ids.len());
        for id in &ids {
            orders.push(load_order(&mut tx, *id).await?);
        }
        let details = json!({ "patient_id": patient_id, "orders": ids });
        audit::append(
            &mut tx,
            Event::new(
                actor,
                "order.list",
                "order",
                patient_id.map_or("*".into(), |p| format!("patient:{p}")),
            )
            .with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(orders)
    }
}

async fn load_order(tx: &mut Tx<'_>, order_id: i64) -> StoreResult<Order> {
    let row = sqlx::query("SELECT id, patient_id, status, subtotal_cents, tax_cents, total_cents, created_at, updated_at FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "order", id: order_id })?;
    let lines = order_lines(tx, order_id).await?;
    let invoice_number = sqlx::query("SELECT number FROM invoices WHERE order_id = $1")
        .bind(order_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get("number"))
        .transpose()?;
    let tracking =
        sqlx::query("SELECT tracking FROM shipments WHERE order_id = $1 ORDER BY id DESC")
            .bind(order_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get("tracking"))
            .transpose()?;
    Ok(Order {
        id: row.try_get("id")?,
        patient_id: row.try_get("patient_id")?,
        status: OrderStatus::parse(&row.try_get::<String, _>("status")?)?,
        subtotal_cents: row.try_get("subtotal_cents")?,
        tax_cents: row.try_get("tax_cents")?,
        total_cents: row.try_get("total_cents")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        lines,
        invoice_number,
        tracking,
    })
}

async fn check_prescription(tx: &mut Tx<'_>, patient_id: i64, line: &CartItem) -> StoreResult<()> {
    if !product_rx_flag(tx, line.product_id).await? {
        return Ok(());
    }
    let item_id = line.prescription_item_id.ok_or_else(|| {
        StoreError::invalid(
            "cart",
            format!("product {} needs a prescription", line.product_id),
        )
    })?;
    let item = prescriptions::item(tx, item_id).await?;
    let owner: Option<i64> = sqlx::query("SELECT patient_id FROM prescriptions WHERE id = $1")
        .bind(item.prescription_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("patient_id")?;
    let status = prescriptions::status_of(tx, item.prescription_id).await?;
    let refusal = if owner != Some(patient_id) {
        Some("belongs to another patient".to_string())
    } else if !status.is_fillable() {
        Some(format!("is {status}, not verified"))
    } else if item.fills_left() <= 0 {
        Some("has no refills left".to_string())
    } else if item.product_id != Some(line.product_id) {
        Some(format!(
            "is for a different product than {}",
            line.product_id
        ))
    } else if line.quantity > item.quantity {
        Some(format!(
            "allows {} per fill, not {}",
            item.quantity, line.quantity
        ))
    } else {
        None
    };
    match refusal {
        Some(why) => Err(StoreError::Conflict(format!(
            "prescription item {item_id} {why}"
        ))),
        None => Ok(()),
    }
}

async fn product_rx_flag(tx: &mut Tx<'_>, product_id: i64) -> StoreResult<bool> {
    let rx: i64 = sqlx::query("SELECT rx_only FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "product",
            id: product_id,
        })?
        .try_get("rx_only")?;
    Ok(rx != 0)
}

async fn price_of(tx: &mut Tx<'_>, product_id: i64) -> StoreResult<(i64, i64)> {
    let row = sqlx::query("SELECT price_cents, tax_rate_bp FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok((row.try_get("price_cents")?, row.try_get("tax_rate_bp")?))
}

async fn order_head(tx: &mut Tx<'_>, order_id: i64) -> StoreResult<(OrderStatus, i64)> {
    let row = sqlx::query("SELECT status, total_cents FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "order",
            id: order_id,
        })?;
    Ok((
        OrderStatus::parse(&row.try_get::<String, _>("status")?)?,
        row.try_get("total_cents")?,
    ))
}

async fn order_lines(tx: &mut Tx<'_>, order_id: i64) -> StoreResult<Vec<OrderLine>> {
    Ok(sqlx::query_as(
        "SELECT id, product_id, prescription_item_id, reservation_id, quantity, unit_price_cents, tax_cents, line_total_cents FROM order_lines WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?)
}

async fn move_order(
    tx: &mut Tx<'_>,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
) -> StoreResult<()> {
    if !from.can_become(to) {
        return Err(StoreError::IllegalOrderTransition { from, to });
    }
    guarded_update(tx, Stateful::Order, order_id, from.as_str(), to.as_str()).await
}

async fn reservation_is_active(tx: &mut Tx<'_>, reservation_id: i64) -> StoreResult<bool> {
    let status: String = sqlx::query("SELECT status FROM reservations WHERE id = $1")
        .bind(reservation_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("status")?;
    Ok(status == "active")
}

async fn insert_payment(
    tx: &mut Tx<'_>,
    order_id: i64,
    provider: &str,
    method: &str,
    amount: i64,
    status: &str,
    reference: &str,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO payments (order_id, provider, method, amount_cents, status, reference, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(order_id)
        .bind(provider)
        .bind(method)
        .bind(amount)
        .bind(status)
        .bind(reference)
        .bind(clock::now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn refund(
    tx: &mut Tx<'_>,
    order_id: i64,
    total: i64,
    provider: &dyn PaymentProvider,
) -> StoreResult<()> {
    let original: String = sqlx::query(
        "SELECT reference FROM payments WHERE order_id = $1 AND status = 'captured' ORDER BY id",
    )
    .bind(order_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| {
        StoreError::Conflict(format!(
            "order {order_id} has no captured payment to refund"
        ))
    })?
    .try_get("reference")?;
    let receipt = provider
        .refund(order_id, total, &original)
        .map_err(|e| StoreError::Conflict(e.to_string()))?;
    insert_payment(
        tx,
        order_id,
        provider.name(),
        "refund",
        -total,
        "refunded",
        &receipt.reference,
    )
    .await
}

async fn issue_invoice(tx: &mut Tx<'_>, order_id: i64) -> StoreResult<i64> {
    let number: i64 =
        sqlx::query("UPDATE counters SET value = value + 1 WHERE name = 'invoice' RETURNING value")
            .fetch_one(&mut **tx)
            .await?
            .try_get("value")?;
    sqlx::query(
        "INSERT INTO invoices (number, order_id, subtotal_cents, tax_cents, total_cents, issued_at) \
         SELECT $1, id, subtotal_cents, tax_cents, total_cents, $2 FROM orders WHERE id = $3",
    )
    .bind(number)
    .bind(clock::now())
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(number)
}
