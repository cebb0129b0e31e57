//! Daily demand per product from the ledger, the input of forecasting.
//! A day counts as a stock-out when the product had nothing available at its
//! end: sales that day (often zero) understate demand, and forecasting must
//! treat it as censored rather than as a day nobody wanted the product.

use serde::Serialize;
use sqlx::Row;
use time::{Date, Duration};

use crate::error::StoreResult;
use crate::{Store, clock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyDemand {
    pub date: Date,
    pub dispensed: i64,
    pub stockout: bool,
}

/// Ledger totals of one day.
struct DayTotals {
    date: Date,
    on_hand: i64,
    reserved: i64,
    dispensed: i64,
}

impl Store {
    /// One entry per calendar day from the product's first movement to
    /// `until` (inclusive); empty when the product has never moved.
    pub async fn daily_demand(
        &self,
        product_id: i64,
        until: Date,
    ) -> StoreResult<Vec<DailyDemand>> {
        self.product(product_id).await?;
        let rows = sqlx::query(
            "SELECT SUBSTR(m.created_at, 1, 10) AS day, \
                    CAST(SUM(m.on_hand_delta) AS BIGINT) AS on_hand, CAST(SUM(m.reserved_delta) AS BIGINT) AS reserved, \
                    CAST(SUM(CASE WHEN m.kind = 'dispense' THEN -m.on_hand_delta ELSE 0 END) AS BIGINT) AS dispensed \
             FROM stock_movements m JOIN lots l ON l.id = m.lot_id WHERE l.product_id = $1 \
             GROUP BY SUBSTR(m.created_at, 1, 10) ORDER BY day",
        )
        .bind(product_id)
        .fetch_all(&self.pool)
        .await?;
        let totals = rows
            .iter()
            .map(|row| {
                Ok(DayTotals {
                    date: clock::parse_date("movement date", &row.try_get::<String, _>("day")?)?,
                    on_hand: row.try_get("on_hand")?,
                    reserved: row.try_get("reserved")?,
                    dispensed: row.try_get("dispensed")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(fill_days(&totals, until))
    }
}

/// Walks every day, carrying the running balance across days without movements.
fn fill_days(totals: &[DayTotals], until: Date) -> Vec<DailyDemand> {
    let Some(first) = totals.first() else {
        return Vec::new();
    };
    let (mut on_hand, mut reserved) = (0, 0);
    let mut next = totals.iter().peekable();
    let mut out = Vec::new();
    let mut day = first.date;
    while day <= until {
        let mut dispensed = 0;
        if let Some(t) = next.next_if(|t| t.date == day) {
            on_hand += t.on_hand;
            reserved += t.reserved;
            dispensed = t.dispensed;
        }
        out.push(DailyDemand {
            date: day,
            dispensed,
            stockout: on_hand - reserved <= 0,
        });
        day += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_without_movements_carry_the_balance_and_empty_shelves_are_stockouts() {
        let totals = [
            DayTotals {
                date: date!(2026 - 01 - 01),
                on_hand: 10,
                reserved: 0,
                dispensed: 0,
            },
            DayTotals {
                date: date!(2026 - 01 - 03),
                on_hand: -10,
                reserved: 0,
                dispensed: 10,
            },
            DayTotals {
                date: date!(2026 - 01 - 05),
                on_hand: 5,
                reserved: 0,
                dispensed: 0,
            },
        ];
        let days = fill_days(&totals, date!(2026 - 01 - 06));
        let summary: Vec<(i64, bool)> = days.iter().map(|d| (d.dispensed, d.stockout)).collect();
        assert_eq!(
            summary,
            vec![
                (0, false),
                (0, false),
                (10, true),
                (0, true),
                (0, false),
                (0, false)
            ]
        );
        assert!(fill_days(&[], date!(2026 - 01 - 06)).is_empty());
    }
}
