//! Filling a verified prescription item: first-expiry-first-out lots (or the
//! lots an order reserved), the dispense record, the stock decrement and the
//! refill count, in one transaction.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::inventory::{Allocation, MovementKind, allocate_fefo, lock_products, write_movement};
use crate::prescriptions::{self, RxStatus};
use crate::text::Quantity;
use crate::{Store, clock};

#[derive(Debug, Clone, Serialize)]
pub struct Dispense {
    pub id: i64,
    pub prescription_id: i64,
    pub item_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub fill_number: i64,
    pub refills_left: i64,
    pub lots: Vec<Allocation>,
    pub prescription_status: RxStatus,
}

/// Where the units come from: any unreserved stock, or a reservation made at checkout.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Shelf(Quantity),
    Reservation(i64),
}

impl Store {
    pub async fn dispense(
        &self,
        item_id: i64,
        source: Source,
        actor: &Actor,
    ) -> StoreResult<Dispense> {
        let mut tx = self.begin().await?;
        let item = prescriptions::item(&mut tx, item_id).await?;
        let product_id = item.product_id.ok_or_else(|| {
            StoreError::invalid(
                "prescription item",
                format!("item {item_id} is not linked to a stocked product"),
            )
        })?;
        lock_products(&mut tx, &[product_id]).await?;
        // Re-read under the lock: a concurrent fill of the same item has committed by now.
        let item = prescriptions::item(&mut tx, item_id).await?;
        let status = prescriptions::status_of(&mut tx, item.prescription_id).await?;
        if !status.is_fillable() {
            return Err(StoreError::Conflict(format!(
                "prescription {} is {status}, not verified",
                item.prescription_id
            )));
        }
        if item.fills_left() <= 0 {
            return Err(StoreError::Conflict(format!(
                "item {item_id} has no refills left"
            )));
        }
        let lots = take_stock(&mut tx, product_id, source, actor).await?;
        let quantity: i64 = lots.iter().map(|l| l.quantity).sum();
        let fill_number = item.fills_used + 1;
        let id = record_dispense(
            &mut tx,
            item_id,
            product_id,
            quantity,
            fill_number,
            &lots,
            actor,
        )
        .await?;
        let new_status = advance_prescription(&mut tx, item.prescription_id, status).await?;
        let details = json!({ "item_id": item_id, "product_id": product_id, "quantity": quantity, "fill_number": fill_number, "lots": lots });
        audit::append(
            &mut tx,
            Event::new(actor, "dispense", "prescription", item.prescription_id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(Dispense {
            id,
            prescription_id: item.prescription_id,
            item_id,
            product_id,
            quantity,
            fill_number,
            refills_left: item.refills_authorized + 1 - fill_number,
            lots,
            prescription_status: new_status,
        })
    }
}

/// A fill as recorded, with who handed it over and when.
#[derive(Debug, Clone, Serialize)]
pub struct DispenseRecord {
    pub dispense: Dispense,
    pub dispensed_by: String,
    pub dispensed_at: String,
}

impl Store {
    pub async fn dispense_record(&self, id: i64, actor: &Actor) -> StoreResult<DispenseRecord> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT d.prescription_item_id, d.product_id, d.quantity, d.fill_number, d.dispensed_by, d.dispensed_at, \
             i.prescription_id, i.refills_authorized, p.status \
             FROM dispenses d JOIN prescription_items i ON i.id = d.prescription_item_id \
             JOIN prescriptions p ON p.id = i.prescription_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "dispense", id })?;
        let lots = sqlx::query(
            "SELECT lot_id, quantity FROM dispense_lots WHERE dispense_id = $1 ORDER BY lot_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| -> StoreResult<Allocation> {
            Ok(Allocation {
                lot_id: r.try_get("lot_id")?,
                quantity: r.try_get("quantity")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
        let prescription_id: i64 = row.try_get("prescription_id")?;
        let fill_number: i64 = row.try_get("fill_number")?;
        let refills: i64 = row.try_get("refills_authorized")?;
        let record = DispenseRecord {
            dispense: Dispense {
                id,
                prescription_id,
                item_id: row.try_get("prescription_item_id")?,
                product_id: row.try_get("product_id")?,
                quantity: row.try_get("quantity")?,
                fill_number,
                refills_left: refills + 1 - fill_number,
                lots,
                prescription_status: RxStatus::parse(&row.try_get::<String, _>("status")?)?,
            },
            dispensed_by: row.try_get("dispensed_by")?,
            dispensed_at: row.try_get("dispensed_at")?,
        };
        audit::append(
            &mut tx,
            Event::new(actor, "dispense.read", "prescription", prescription_id),
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }
}

async fn take_stock(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    product_id: i64,
    source: Source,
    actor: &Actor,
) -> StoreResult<Vec<Allocation>> {
    match source {
        Source::Reservation(reservation_id) => {
            let reserved_for: i64 =
                crate::inventory::reservation_product_in(tx, reservation_id).await?;
            if reserved_for != product_id {
                return Err(StoreError::invalid(
                    "reservation",
                    format!("reservation {reservation_id} is for another product"),
                ));
            }
            crate::inventory::settle(tx, reservation_id, MovementKind::DispenseReserved, actor)
                .await
        }
        Source::Shelf(qty) => {
            let picks = allocate_fefo(tx, product_id, qty).await?;
            for pick in &picks {
                write_movement(
                    tx,
                    pick.lot_id,
                    MovementKind::Dispense,
                    pick.quantity,
                    None,
                    None,
                    actor,
                )
                .await?;
            }
            Ok(picks)
        }
    }
}

async fn record_dispense(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    item_id: i64,
    product_id: i64,
    quantity: i64,
    fill_number: i64,
    lots: &[Allocation],
    actor: &Actor,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO dispenses (prescription_item_id, product_id, quantity, fill_number, dispensed_by, dispensed_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(item_id)
    .bind(product_id)
    .bind(quantity)
    .bind(fill_number)
    .bind(actor.as_str())
    .bind(clock::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    for lot in lots {
        sqlx::query(
            "INSERT INTO dispense_lots (dispense_id, lot_id, quantity) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(lot.lot_id)
        .bind(lot.quantity)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE prescription_items SET fills_used = fills_used + 1 WHERE id = $1")
        .bind(item_id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// A prescription is dispensed once no item has a fill left; before that it
/// is partially dispensed.
async fn advance_prescription(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rx_id: i64,
    from: RxStatus,
) -> StoreResult<RxStatus> {
    let items = prescriptions::items_of(tx, rx_id).await?;
    let to = if items.iter().all(|i| i.fills_left() <= 0) {
        RxStatus::Dispensed
    } else {
        RxStatus::PartiallyDispensed
    };
    prescriptions::set_status(tx, rx_id, from, to).await?;
    Ok(to)
}
