//! `rxflow demo seed`: a realistic small community pharmacy. The catalogue,
//! patients and prescribers come from `data/demo/` (real NDCs, fictional
//! people) and go through the normal audited store methods. The dispensing
//! history is simulated day by day, with deliveries, first-expiry-first-out
//! picking and the odd late delivery, so that forecasting has real-looking
//! series with stock-outs in them; it is bulk-loaded as daily ledger totals.

mod catalogue;
mod history;
mod people;

use serde::Serialize;
use serde_json::json;

use crate::Store;
use crate::audit::{self, Actor, Event};
use crate::error::StoreResult;

pub use history::HistoryOptions;

#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub products: usize,
    pub patients: usize,
    pub prescribers: usize,
    pub prescriptions: usize,
    pub lots: usize,
    pub movements: usize,
    pub days_of_history: i64,
}

impl Store {
    /// Whether the store has no products yet (a fresh database).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        use sqlx::Row;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM products")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(n == 0)
    }

    /// Seeds a fresh store. Refuses a store that already has products, so a
    /// second run can never duplicate or disturb real data.
    pub async fn seed_demo(&self, options: &HistoryOptions) -> StoreResult<SeedReport> {
        if !self.is_empty().await? {
            return Err(crate::StoreError::Conflict(
                "the store already has products; demo data goes only into an empty store".into(),
            ));
        }
        let actor = Actor::system("demo-seed");
        let products = catalogue::load(self, &actor).await?;
        let prescribers = people::load_prescribers(self, &actor).await?;
        let (patients, prescriptions) =
            people::load_patients(self, &products, &prescribers, &actor).await?;
        let loaded = history::simulate_and_load(self, &products, options).await?;
        let mut tx = self.begin().await?;
        let details = json!({ "products": products.len(), "lots": loaded.lots, "movements": loaded.movements, "days": options.days });
        audit::append(
            &mut tx,
            Event::new(&actor, "demo.seed", "store", "demo").with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(SeedReport {
            products: products.len(),
            patients,
            prescribers: prescribers.len(),
            prescriptions,
            lots: loaded.lots,
            movements: loaded.movements,
            days_of_history: options.days,
        })
    }
}
