//! Scheduled tasks shared by every process on one database. Each process
//! keeps its own timer, and the first to reach a day's run claims it; the
//! others find it claimed and sleep until the next day. A process that dies
//! during its run loses that day's run, which the on-demand paths cover.

use time::Date;

use crate::error::StoreResult;
use crate::{Store, clock};

impl Store {
    /// Claims `task`'s run for `day`: true for exactly one caller per day,
    /// whichever process it is in.
    pub async fn claim_run(&self, task: &str, day: Date) -> StoreResult<bool> {
        let claimed = sqlx::query(
            "INSERT INTO scheduled_runs (task, last_day, claimed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (task) DO UPDATE SET last_day = excluded.last_day, claimed_at = excluded.claimed_at \
             WHERE scheduled_runs.last_day < excluded.last_day",
        )
        .bind(task)
        .bind(clock::format_date(day))
        .bind(clock::now())
        .execute(&self.pool)
        .await?;
        Ok(claimed.rows_affected() == 1)
    }
}
