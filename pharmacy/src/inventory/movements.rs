//! Transactions that write the movement ledger.

use serde::Serialize;
use serde_json::json;
use sqlx::{Any, Row, Transaction};
use time::Date;

use super::fefo::{Allocation, LotAvailability, allocate};
use super::ledger::{Balance, MovementKind};
use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::text::Quantity;
use crate::{Store, clock, text};

type Tx<'a> = Transaction<'a, Any>;

#[derive(Debug, Clone)]
pub struct ReceiveLot {
    pub product_id: i64,
    pub lot_number: String,
    pub expiry: Date,
    pub location: String,
    pub quantity: Quantity,
}

impl ReceiveLot {
    pub fn parse(
        product_id: i64,
        lot_number: &str,
        expiry: &str,
        location: &str,
        quantity: i64,
    ) -> StoreResult<Self> {
        let expiry = clock::parse_date("expiry", expiry)?;
        if expiry < clock::today() {
            return Err(StoreError::invalid(
                "expiry",
                "cannot receive stock that has already expired",
            ));
        }
        Ok(ReceiveLot {
            product_id,
            lot_number: text::required("lot_number", lot_number, 60)?,
            expiry,
            location: text::required("location", location, 100)?,
            quantity: Quantity::new(quantity)?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Reservation {
    pub id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub lots: Vec<Allocation>,
}

impl Store {
    pub async fn receive_lot(&self, receipt: &ReceiveLot, actor: &Actor) -> StoreResult<i64> {
        let location_id = self.location_id(&receipt.location).await?;
        let mut tx = self.begin().await?;
        lock_products(&mut tx, &[receipt.product_id]).await?;
        let lot_id = receive_in(&mut tx, receipt, location_id, None, actor).await?;
        tx.commit().await?;
        Ok(lot_id)
    }

    /// Holds `qty` units first-expiry-first-out so that nobody else can sell them.
    pub async fn reserve(
        &self,
        product_id: i64,
        qty: Quantity,
        actor: &Actor,
    ) -> StoreResult<Reservation> {
        let mut tx = self.begin().await?;
        lock_products(&mut tx, &[product_id]).await?;
        let reservation = reserve_in(&mut tx, product_id, qty, actor).await?;
        let details = json!({ "reservation_id": reservation.id, "quantity": qty.get(), "lots": reservation.lots });
        audit::append(
            &mut tx,
            Event::new(actor, "stock.reserve", "product", product_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(reservation)
    }

    /// Gives reserved units back to available stock.
    pub async fn release(&self, reservation_id: i64, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let product_id = reservation_product(&mut tx, reservation_id).await?;
        lock_products(&mut tx, &[product_id]).await?;
        settle_reservation(&mut tx, reservation_id, MovementKind::Release, actor).await?;
        let details = json!({ "reservation_id": reservation_id });
        audit::append(
            &mut tx,
            Event::new(actor, "stock.release", "product", product_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Corrects a lot's on-hand count (count, damage, theft), with a reason.
    pub async fn adjust(
        &self,
        lot_id: i64,
        delta: i64,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let reason = text::required("reason", reason, 500)?;
        let (kind, qty) = if delta > 0 {
            (MovementKind::AdjustUp, delta)
        } else {
            (MovementKind::AdjustDown, -delta)
        };
        Quantity::new(qty)?;
        self.lot_change(lot_id, kind, qty, Some(&reason), "stock.adjust", actor)
            .await
    }

    /// Puts unopened stock back on the shelf.
    pub async fn return_to_stock(
        &self,
        lot_id: i64,
        qty: Quantity,
        reason: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let reason = text::required("reason", reason, 500)?;
        self.lot_change(
            lot_id,
            MovementKind::Return,
            qty.get(),
            Some(&reason),
            "stock.return",
            actor,
        )
        .await
    }

    /// Removes the unreserved remainder of an expired lot from stock.
    pub async fn expire_lot(&self, lot_id: i64, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let (product_id, expiry) = lot_product(&mut tx, lot_id).await?;
        if expiry >= clock::today() {
            return Err(StoreError::invalid(
                "lot",
                format!(
                    "lot {lot_id} expires on {} and is still usable",
                    clock::format_date(expiry)
                ),
            ));
        }
        lock_products(&mut tx, &[product_id]).await?;
        let available = lot_balance(&mut tx, lot_id).await?.available();
        if available > 0 {
            write_movement(
                &mut tx,
                lot_id,
                MovementKind::Expire,
                available,
                None,
                Some("expired"),
                actor,
            )
            .await?;
        }
        let details = json!({ "lot_id": lot_id, "quantity": available });
        audit::append(
            &mut tx,
            Event::new(actor, "stock.expire", "product", product_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(available)
    }

    async fn lot_change(
        &self,
        lot_id: i64,
        kind: MovementKind,
        qty: i64,
        reason: Option<&str>,
        action: &str,
        actor: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let (product_id, _) = lot_product(&mut tx, lot_id).await?;
        lock_products(&mut tx, &[product_id]).await?;
        let balance = lot_balance(&mut tx, lot_id).await?;
        if !kind.allowed(balance, qty) {
            return Err(StoreError::invalid(
                "quantity",
                format!(
                    "lot {lot_id} has {} on hand, {} reserved",
                    balance.on_hand, balance.reserved
                ),
            ));
        }
        write_movement(&mut tx, lot_id, kind, qty, None, reason, actor).await?;
        let details =
            json!({ "lot_id": lot_id, "kind": kind.as_str(), "quantity": qty, "reason": reason });
        audit::append(
            &mut tx,
            Event::new(actor, action, "product", product_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Receives a lot in the caller's transaction, which already holds the
/// product's lock; `reason` says where the stock came from (a purchase order).
pub(crate) async fn receive_in(
    tx: &mut Tx<'_>,
    receipt: &ReceiveLot,
    location_id: i64,
    reason: Option<&str>,
    actor: &Actor,
) -> StoreResult<i64> {
    let lot_id = upsert_lot(tx, receipt, location_id).await?;
    let qty = receipt.quantity.get();
    write_movement(tx, lot_id, MovementKind::Receive, qty, None, reason, actor).await?;
    let mut details = json!({ "lot_id": lot_id, "lot_number": receipt.lot_number, "expiry": clock::format_date(receipt.expiry), "quantity": qty });
    if let Some(reason) = reason {
        details["reason"] = json!(reason);
    }
    audit::append(
        tx,
        Event::new(actor, "stock.receive", "product", receipt.product_id).with(details),
    )
    .await?;
    Ok(lot_id)
}

/// Serialises stock writers on these products; ids are locked in ascending
/// order so that two multi-product transactions cannot deadlock.
pub(crate) async fn lock_products(tx: &mut Tx<'_>, product_ids: &[i64]) -> StoreResult<()> {
    let mut ids = product_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let changed =
            sqlx::query("UPDATE products SET stock_version = stock_version + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound {
                entity: "product",
                id,
            });
        }
    }
    Ok(())
}

pub(crate) async fn reserve_in(
    tx: &mut Tx<'_>,
    product_id: i64,
    qty: Quantity,
    actor: &Actor,
) -> StoreResult<Reservation> {
    let picks = allocate_fefo(tx, product_id, qty).await?;
    let id: i64 = sqlx::query("INSERT INTO reservations (product_id, quantity, status, created_at) VALUES ($1, $2, 'active', $3) RETURNING id")
        .bind(product_id)
        .bind(qty.get())
        .bind(clock::now())
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
    for pick in &picks {
        write_movement(
            tx,
            pick.lot_id,
            MovementKind::Reserve,
            pick.quantity,
            Some(id),
            None,
            actor,
        )
        .await?;
    }
    Ok(Reservation {
        id,
        product_id,
        quantity: qty.get(),
        lots: picks,
    })
}

/// Closes an active reservation by releasing or dispensing what it still
/// holds in each lot. Returns what was moved per lot.
pub(crate) async fn settle_reservation(
    tx: &mut Tx<'_>,
    reservation_id: i64,
    kind: MovementKind,
    actor: &Actor,
) -> StoreResult<Vec<Allocation>> {
    let status: String = sqlx::query("SELECT status FROM reservations WHERE id = $1")
        .bind(reservation_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "reservation",
            id: reservation_id,
        })?
        .try_get("status")?;
    if status != "active" {
        return Err(StoreError::Conflict(format!(
            "reservation {reservation_id} is already {status}"
        )));
    }
    let held = sqlx::query(
        "SELECT m.lot_id, l.expiry, CAST(SUM(m.reserved_delta) AS BIGINT) AS held \
         FROM stock_movements m JOIN lots l ON l.id = m.lot_id \
         WHERE m.reservation_id = $1 GROUP BY m.lot_id, l.expiry ORDER BY m.lot_id",
    )
    .bind(reservation_id)
    .fetch_all(&mut **tx)
    .await?;
    let today = clock::format_date(clock::today());
    let mut moved = Vec::new();
    let mut lapsed = 0;
    for row in held {
        let (lot_id, qty): (i64, i64) = (row.try_get("lot_id")?, row.try_get("held")?);
        let expired = row.try_get::<String, _>("expiry")? < today;
        if qty <= 0 {
            continue;
        }
        if kind == MovementKind::DispenseReserved && expired {
            // The lot expired while it was held: it stays on the shelf for
            // removal, and in-date stock goes out instead.
            let reason = Some("expired while reserved");
            write_movement(
                tx,
                lot_id,
                MovementKind::Release,
                qty,
                Some(reservation_id),
                reason,
                actor,
            )
            .await?;
            lapsed += qty;
        } else {
            write_movement(tx, lot_id, kind, qty, Some(reservation_id), None, actor).await?;
            moved.push(Allocation {
                lot_id,
                quantity: qty,
            });
        }
    }
    if lapsed > 0 {
        for pick in replace_lapsed(tx, reservation_id, lapsed, actor).await? {
            match moved.iter_mut().find(|m| m.lot_id == pick.lot_id) {
                Some(same_lot) => same_lot.quantity += pick.quantity,
                None => moved.push(pick),
            }
        }
    }
    let new_status = if kind == MovementKind::Release {
        "released"
    } else {
        "consumed"
    };
    sqlx::query("UPDATE reservations SET status = $1 WHERE id = $2")
        .bind(new_status)
        .bind(reservation_id)
        .execute(&mut **tx)
        .await?;
    Ok(moved)
}

/// Dispenses `qty` in-date units, first-expiry-first-out, in place of
/// reserved units whose lot has expired; short of stock, the whole fill
/// is refused.
async fn replace_lapsed(
    tx: &mut Tx<'_>,
    reservation_id: i64,
    qty: i64,
    actor: &Actor,
) -> StoreResult<Vec<Allocation>> {
    let product_id = reservation_product(tx, reservation_id).await?;
    let picks = allocate_fefo(tx, product_id, Quantity::new(qty)?).await?;
    for pick in &picks {
        let reason = Some("in place of a reserved lot that expired");
        write_movement(
            tx,
            pick.lot_id,
            MovementKind::Dispense,
            pick.quantity,
            Some(reservation_id),
            reason,
            actor,
        )
        .await?;
    }
    Ok(picks)
}

pub(crate) async fn reservation_product(tx: &mut Tx<'_>, reservation_id: i64) -> StoreResult<i64> {
    Ok(
        sqlx::query("SELECT product_id FROM reservations WHERE id = $1")
            .bind(reservation_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "reservation",
                id: reservation_id,
            })?
            .try_get("product_id")?,
    )
}

pub(crate) async fn write_movement(
    tx: &mut Tx<'_>,
    lot_id: i64,
    kind: MovementKind,
    qty: i64,
    reservation_id: Option<i64>,
    reason: Option<&str>,
    actor: &Actor,
) -> StoreResult<()> {
    let (on_hand_delta, reserved_delta) = kind.deltas(qty);
    sqlx::query(
        "INSERT INTO stock_movements (lot_id, kind, on_hand_delta, reserved_delta, reservation_id, reason, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(lot_id)
    .bind(kind.as_str())
    .bind(on_hand_delta)
    .bind(reserved_delta)
    .bind(reservation_id)
    .bind(reason)
    .bind(actor.as_str())
    .bind(clock::now())
    .execute(&mut **tx)
    .await?;
    // The row exists from the lot's creation; the CHECKs refuse a negative or oversold lot.
    sqlx::query("UPDATE lot_balances SET on_hand = on_hand + $1, reserved = reserved + $2 WHERE lot_id = $3")
        .bind(on_hand_delta)
        .bind(reserved_delta)
        .bind(lot_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// First-expiry-first-out picks for `qty` of a product's available stock,
/// or the reason there are none.
pub(crate) async fn allocate_fefo(
    tx: &mut Tx<'_>,
    product_id: i64,
    qty: Quantity,
) -> StoreResult<Vec<Allocation>> {
    let lots = lot_availability(tx, product_id).await?;
    allocate(&lots, qty.get(), clock::today()).map_err(|available| StoreError::InsufficientStock {
        product_id,
        requested: qty.get(),
        available,
    })
}

/// Every lot of a product with what is available in it.
async fn lot_availability(tx: &mut Tx<'_>, product_id: i64) -> StoreResult<Vec<LotAvailability>> {
    let rows = sqlx::query(
        "SELECT l.id, l.expiry, CAST(COALESCE(b.on_hand - b.reserved, 0) AS BIGINT) AS available \
         FROM lots l LEFT JOIN lot_balances b ON b.lot_id = l.id WHERE l.product_id = $1",
    )
    .bind(product_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(LotAvailability {
                lot_id: row.try_get("id")?,
                expiry: clock::parse_date("expiry", &row.try_get::<String, _>("expiry")?)?,
                available: row.try_get("available")?,
            })
        })
        .collect()
}

async fn lot_balance(tx: &mut Tx<'_>, lot_id: i64) -> StoreResult<Balance> {
    let row = sqlx::query("SELECT on_hand, reserved FROM lot_balances WHERE lot_id = $1")
        .bind(lot_id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(row) => Ok(Balance {
            on_hand: row.try_get("on_hand")?,
            reserved: row.try_get("reserved")?,
        }),
        None => Ok(Balance::default()),
    }
}

async fn lot_product(tx: &mut Tx<'_>, lot_id: i64) -> StoreResult<(i64, Date)> {
    let row = sqlx::query("SELECT product_id, expiry FROM lots WHERE id = $1")
        .bind(lot_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "lot",
            id: lot_id,
        })?;
    Ok((
        row.try_get("product_id")?,
        clock::parse_date("expiry", &row.try_get::<String, _>("expiry")?)?,
    ))
}

async fn upsert_lot(tx: &mut Tx<'_>, receipt: &ReceiveLot, location_id: i64) -> StoreResult<i64> {
    let expiry = clock::format_date(receipt.expiry);
    let existing = sqlx::query("SELECT id, expiry FROM lots WHERE product_id = $1 AND location_id = $2 AND lot_number = $3")
        .bind(receipt.product_id)
        .bind(location_id)
        .bind(&receipt.lot_number)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = existing {
        let known: String = row.try_get("expiry")?;
        if known != expiry {
            return Err(StoreError::Conflict(format!(
                "lot {} is on file with expiry {known}, not {expiry}",
                receipt.lot_number
            )));
        }
        return Ok(row.try_get("id")?);
    }
    let id: i64 = sqlx::query("INSERT INTO lots (product_id, location_id, lot_number, expiry, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(receipt.product_id)
        .bind(location_id)
        .bind(&receipt.lot_number)
        .bind(&expiry)
        .bind(clock::now())
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
    sqlx::query("INSERT INTO lot_balances (lot_id, on_hand, reserved) VALUES ($1, 0, 0)")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}
