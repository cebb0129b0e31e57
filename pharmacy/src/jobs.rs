//! The intake job table. An upload writes its prescription and its job in one
//! transaction; workers claim jobs, report each stage (which doubles as a
//! heartbeat), and finish or fail them. A job whose worker died is claimed
//! again once its heartbeat is older than the lease, up to `max_attempts`.
//! On PostgreSQL `FOR UPDATE SKIP LOCKED` lets workers on several hosts share
//! the table; on SQLite the write lock taken by `BEGIN IMMEDIATE` does.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use time::Duration;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::prescriptions::{self, RxStatus};
use crate::{Backend, Store, clock, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Queued,
    Ocr,
    Nlp,
    Checks,
    Done,
    Failed,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Queued => "queued",
            Stage::Ocr => "ocr",
            Stage::Nlp => "nlp",
            Stage::Checks => "checks",
            Stage::Done => "done",
            Stage::Failed => "failed",
        }
    }

    pub(crate) fn parse(raw: &str) -> StoreResult<Self> {
        [
            Stage::Queued,
            Stage::Ocr,
            Stage::Nlp,
            Stage::Checks,
            Stage::Done,
            Stage::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .ok_or_else(|| StoreError::invalid("job stage", raw.to_string()))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: i64,
    pub prescription_id: i64,
    pub image_sha256: String,
    pub status: String,
    pub stage: Stage,
    pub attempts: i64,
    pub max_attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A customer's upload, as the store records it.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    pub patient_id: i64,
    /// The content address of the stored, re-encoded image.
    pub image_ref: &'a str,
    pub image_sha256: &'a str,
    pub max_attempts: i64,
}

const JOB_COLUMNS: &str = "id, prescription_id, image_sha256, status, stage, attempts, max_attempts, last_error, created_at, updated_at";

impl Store {
    /// A prescription in `received` and its queued intake job.
    pub async fn receive_upload(
        &self,
        upload: &Upload<'_>,
        actor: &Actor,
    ) -> StoreResult<(i64, i64)> {
        let mut tx = self.begin().await?;
        crate::patients::ensure_patient(&mut tx, upload.patient_id).await?;
        let now = clock::now();
        let rx: i64 = sqlx::query(
            "INSERT INTO prescriptions (patient_id, status, image_ref, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(upload.patient_id)
        .bind(RxStatus::Received.as_str())
        .bind(upload.image_ref)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let job: i64 = sqlx::query(
            "INSERT INTO intake_jobs (prescription_id, image_sha256, status, stage, max_attempts, created_at, updated_at) \
             VALUES ($1, $2, 'queued', 'queued', $3, $4, $5) RETURNING id",
        )
        .bind(rx)
        .bind(upload.image_sha256)
        .bind(upload.max_attempts)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let details =
            json!({ "patient_id": upload.patient_id, "image": upload.image_ref, "job": job });
        audit::append(
            &mut tx,
            Event::new(actor, "prescription.upload", "prescription", rx).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok((rx, job))
    }

    /// The oldest queued job, or one whose worker stopped reporting for
    /// longer than `lease`. A stale job that has used all its attempts is
    /// failed instead of claimed.
    pub async fn claim_job(&self, worker: &str, lease: Duration) -> StoreResult<Option<Job>> {
        loop {
            let mut tx = self.begin().await?;
            let lock = match self.backend {
                Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                Backend::Sqlite => "",
            };
            let sql = format!(
                "SELECT id, attempts, max_attempts FROM intake_jobs \
                 WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < $1) \
                 ORDER BY id LIMIT 1{lock}"
            );
            let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(clock::after(-lease))
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(None);
            };
            let id: i64 = row.try_get("id")?;
            if row.try_get::<i64, _>("attempts")? >= row.try_get::<i64, _>("max_attempts")? {
                give_up(&mut tx, id, "the worker stopped on every attempt").await?;
                tx.commit().await?;
                continue;
            }
            let now = clock::now();
            sqlx::query(
                "UPDATE intake_jobs SET status = 'running', stage = 'ocr', attempts = attempts + 1, \
                 locked_by = $1, heartbeat_at = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(worker)
            .bind(&now)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let job = job_by(&mut tx, "id", id).await?;
            tx.commit().await?;
            return Ok(Some(job));
        }
    }

    /// Moves a running job to `stage`; it is also the worker's heartbeat.
    pub async fn job_stage(&self, job_id: i64, stage: Stage) -> StoreResult<()> {
        let now = clock::now();
        sqlx::query(
            "UPDATE intake_jobs SET stage = $1, heartbeat_at = $2, updated_at = $3 WHERE id = $4 AND status = 'running'",
        )
        .bind(stage.as_str())
        .bind(&now)
        .bind(&now)
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A failed attempt. `retry` is false for failures another attempt cannot
    /// fix (an unreadable image); the prescription then goes to a pharmacist
    /// as it is, with the reason.
    pub async fn job_failed(&self, job_id: i64, error: &str, retry: bool) -> StoreResult<()> {
        let error = text::required("error", error, 2000)?;
        let mut tx = self.begin().await?;
        let job = job_by(&mut tx, "id", job_id).await?;
        if retry && job.attempts < job.max_attempts {
            sqlx::query(
                "UPDATE intake_jobs SET status = 'queued', stage = 'queued', locked_by = NULL, \
                 last_error = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(&error)
            .bind(clock::now())
            .bind(job_id)
            .execute(&mut *tx)
            .await?;
        } else {
            give_up(&mut tx, job_id, &error).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn job_of_prescription(&self, prescription_id: i64) -> StoreResult<Job> {
        let mut tx = self.begin().await?;
        let job = job_by(&mut tx, "prescription_id", prescription_id).await?;
        tx.commit().await?;
        Ok(job)
    }

    /// Jobs waiting or running, for the queue-depth gauge.
    pub async fn open_jobs(&self) -> StoreResult<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM intake_jobs WHERE status IN ('queued', 'running')",
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?)
    }

    /// At start-up: jobs this host was running when it stopped go back to
    /// the queue at once instead of waiting out their lease.
    pub async fn requeue_jobs_of(&self, host: &str) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE intake_jobs SET status = 'queued', stage = 'queued', locked_by = NULL \
             WHERE status = 'running' AND locked_by LIKE $1",
        )
        .bind(format!("{host}:%"))
        .execute(&self.pool)
        .await?
        .rows_affected())
    }
}

/// The job is over: the prescription goes to review unread, with the reason.
async fn give_up(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job_id: i64,
    error: &str,
) -> StoreResult<()> {
    let job = job_by(tx, "id", job_id).await?;
    sqlx::query(
        "UPDATE intake_jobs SET status = 'failed', stage = 'failed', last_error = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(error)
    .bind(clock::now())
    .bind(job_id)
    .execute(&mut **tx)
    .await?;
    let rx = job.prescription_id;
    if prescriptions::status_of(tx, rx).await? == RxStatus::Received {
        prescriptions::set_status(tx, rx, RxStatus::Received, RxStatus::NeedsReview).await?;
    }
    let details = json!({ "job": job_id, "attempts": job.attempts, "error": error });
    let actor = Actor::system("intake");
    audit::append(
        tx,
        Event::new(&actor, "intake.failed", "prescription", rx).with(details),
    )
    .await?;
    Ok(())
}

async fn job_by(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    column: &'static str,
    id: i64,
) -> StoreResult<Job> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM intake_jobs WHERE {column} = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "intake job",
            id,
        })?;
    Ok(Job {
        id: row.try_get("id")?,
        prescription_id: row.try_get("prescription_id")?,
        image_sha256: row.try_get("image_sha256")?,
        status: row.try_get("status")?,
        stage: Stage::parse(&row.try_get::<String, _>("stage")?)?,
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
