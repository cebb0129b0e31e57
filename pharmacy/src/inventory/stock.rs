//! Read-side stock queries, from the per-lot balances the ledger maintains.

use serde::Serialize;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::{Store, clock};

#[derive(Debug, Clone, Serialize)]
pub struct LotStock {
    pub lot_id: i64,
    pub product_id: i64,
    pub lot_number: String,
    pub expiry: String,
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductStock {
    pub product_id: i64,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    /// On hand in lots past their expiry date: counted, but not sellable.
    pub expired: i64,
    pub lots: Vec<LotStock>,
}

const LOT_STOCK: &str = "SELECT l.id AS lot_id, l.product_id, l.lot_number, l.expiry, loc.name AS location, b.on_hand, b.reserved \
     FROM lots l JOIN locations loc ON loc.id = l.location_id JOIN lot_balances b ON b.lot_id = l.id";

fn lot_stock(row: &sqlx::any::AnyRow) -> StoreResult<LotStock> {
    let on_hand: i64 = row.try_get("on_hand")?;
    let reserved: i64 = row.try_get("reserved")?;
    Ok(LotStock {
        lot_id: row.try_get("lot_id")?,
        product_id: row.try_get("product_id")?,
        lot_number: row.try_get("lot_number")?,
        expiry: row.try_get("expiry")?,
        location: row.try_get("location")?,
        on_hand,
        reserved,
        available: on_hand - reserved,
    })
}

impl Store {
    /// Stock of one product by lot, earliest expiry first. Lots that are
    /// empty are left out.
    pub async fn product_stock(&self, product_id: i64) -> StoreResult<ProductStock> {
        self.product(product_id).await?;
        let sql = sqlx::AssertSqlSafe(format!(
            "{LOT_STOCK} WHERE l.product_id = $1 AND b.on_hand <> 0 ORDER BY l.expiry, l.id"
        ));
        let rows = sqlx::query(sql)
            .bind(product_id)
            .fetch_all(&self.pool)
            .await?;
        let lots = rows
            .iter()
            .map(lot_stock)
            .collect::<StoreResult<Vec<_>>>()?;
        let today = clock::format_date(clock::today());
        let expired = lots
            .iter()
            .filter(|l| l.expiry < today)
            .map(|l| l.on_hand)
            .sum();
        let usable = lots.iter().filter(|l| l.expiry >= today);
        let (on_hand, reserved) = lots
            .iter()
            .fold((0, 0), |(h, r), l| (h + l.on_hand, r + l.reserved));
        let available = usable.map(|l| l.available).sum();
        Ok(ProductStock {
            product_id,
            on_hand,
            reserved,
            available,
            expired,
            lots,
        })
    }

    /// These lots, empty or not (a label names the lots a fill emptied).
    pub async fn lots(&self, ids: &[i64]) -> StoreResult<Vec<LotStock>> {
        let sql = format!("{LOT_STOCK} WHERE l.id = $1");
        let mut lots = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound {
                    entity: "lot",
                    id: *id,
                })?;
            lots.push(lot_stock(&row)?);
        }
        Ok(lots)
    }

    /// Whether a reservation still holds its units (`active`), or has been
    /// filled (`consumed`) or let go (`released`).
    pub async fn reservation_status(&self, id: i64) -> StoreResult<String> {
        sqlx::query("SELECT status FROM reservations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "reservation",
                id,
            })?
            .try_get("status")
            .map_err(Into::into)
    }

    /// Lots with stock on hand that expire within `days` days (or already have).
    pub async fn expiring_within(&self, days: i64) -> StoreResult<Vec<LotStock>> {
        let limit = clock::format_date(clock::today() + time::Duration::days(days.clamp(0, 3650)));
        let sql = sqlx::AssertSqlSafe(format!(
            "{LOT_STOCK} WHERE l.expiry <= $1 AND b.on_hand > 0 ORDER BY l.expiry, l.id"
        ));
        let rows = sqlx::query(sql).bind(&limit).fetch_all(&self.pool).await?;
        rows.iter().map(lot_stock).collect()
    }
}
