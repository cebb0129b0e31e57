//! The guarded status write shared by the prescription, order and purchase
//! order state machines: `WHERE status = <old>` makes a concurrent change lose cleanly
//! instead of being overwritten.

use sqlx::{Any, Transaction};

use crate::clock;
use crate::error::{StoreError, StoreResult};

#[derive(Clone, Copy)]
pub(crate) enum Stateful {
    Prescription,
    Order,
    PurchaseOrder,
}

pub(crate) async fn guarded_update(
    tx: &mut Transaction<'_, Any>,
    record: Stateful,
    id: i64,
    from: &str,
    to: &str,
) -> StoreResult<()> {
    let (sql, noun) = match record {
        Stateful::Prescription => (
            "UPDATE prescriptions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            "prescription",
        ),
        Stateful::Order => (
            "UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            "order",
        ),
        Stateful::PurchaseOrder => (
            "UPDATE purchase_orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            "purchase order",
        ),
    };
    let changed = sqlx::query(sql)
        .bind(to)
        .bind(clock::now())
        .bind(id)
        .bind(from)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(StoreError::Conflict(format!(
            "{noun} {id} changed while being updated; reload and retry"
        )));
    }
    Ok(())
}
