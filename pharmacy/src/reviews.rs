//! What a pharmacist reviews: the machine's reading of a prescription (the
//! review sheet) and the clinical findings, both opaque JSON to the store,
//! replaced as fields are corrected; the queue; and the decision, whose
//! electronic signature binds signer, time and meaning to the record's hash.
//! Items become `prescription_items` only on approval, from the corrected
//! sheet: until then the sheet is the working copy.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::jobs::Stage;
use crate::prescriptions::{self, NewItem, RxStatus};
use crate::users::User;
use crate::window::Window;
use crate::{Store, clock, group, text};

/// The reading and findings of one prescription, as JSON texts.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub sheet: String,
    pub findings: String,
    pub flagged: bool,
    /// Highest finding severity rank, 0 (none) to 4 (contraindicated).
    pub risk: i64,
    pub kb_snapshot: String,
    pub updated_at: String,
}

impl Review {
    pub fn new(
        sheet: String,
        findings: String,
        flagged: bool,
        risk: i64,
        kb_snapshot: &str,
    ) -> Self {
        Review {
            sheet,
            findings,
            flagged,
            risk: risk.clamp(0, 4),
            kb_snapshot: kb_snapshot.to_string(),
            updated_at: String::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub prescription_id: i64,
    pub patient_id: Option<i64>,
    pub patient_name: Option<String>,
    pub flagged: bool,
    pub risk: i64,
    /// False when intake gave up: the pharmacist reads the photo.
    pub read: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }
}

/// A signed decision, ready to record.
#[derive(Debug, Clone)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: Option<String>,
    /// JSON: the coded override of each finding.
    pub overrides: String,
    /// JSON: the low-confidence fields the pharmacist confirmed.
    pub confirmations: String,
    pub meaning: String,
    /// SHA-256 of the record as decided.
    pub record_sha256: String,
    /// Items to fill, built from the corrected sheet (approval only).
    pub items: Vec<NewItem>,
    pub prescriber_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub signer_id: i64,
    pub signer_name: String,
    pub meaning: String,
    pub signed_at: String,
    pub record_sha256: String,
    pub overrides: serde_json::Value,
    pub confirmations: serde_json::Value,
}

/// A customer's prescription as they see it listed.
#[derive(Debug, Clone, Serialize)]
pub struct PrescriptionSummary {
    pub id: i64,
    pub status: RxStatus,
    pub stage: Option<Stage>,
    pub created_at: String,
    pub updated_at: String,
}

impl Store {
    /// Intake finished: store its reading, move the prescription to
    /// `needs_review` and close the job, together.
    pub async fn complete_intake(&self, job_id: i64, review: &Review) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let rx: i64 = sqlx::query(
            "UPDATE intake_jobs SET status = 'done', stage = 'done', updated_at = $1 \
             WHERE id = $2 AND status = 'running' RETURNING prescription_id",
        )
        .bind(clock::now())
        .bind(job_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("intake job {job_id} is not running")))?
        .try_get("prescription_id")?;
        write_review(&mut tx, rx, review).await?;
        prescriptions::set_status(&mut tx, rx, RxStatus::Received, RxStatus::Extracted).await?;
        prescriptions::set_status(&mut tx, rx, RxStatus::Extracted, RxStatus::NeedsReview).await?;
        let details = json!({ "job": job_id, "flagged": review.flagged, "risk": review.risk });
        let actor = Actor::system("intake");
        audit::append(
            &mut tx,
            Event::new(&actor, "intake.done", "prescription", rx).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(rx)
    }

    /// A pharmacist's correction: the new sheet and the findings re-run on it.
    pub async fn revise_review(
        &self,
        rx: i64,
        review: &Review,
        changes: serde_json::Value,
        actor: &Actor,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let status = prescriptions::status_of(&mut tx, rx).await?;
        if status != RxStatus::NeedsReview {
            return Err(StoreError::Conflict(format!(
                "prescription {rx} is {status}; only one awaiting review can be corrected"
            )));
        }
        write_review(&mut tx, rx, review).await?;
        audit::append(
            &mut tx,
            Event::new(actor, "prescription.correct", "prescription", rx).with(changes),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn review(&self, rx: i64, actor: &Actor) -> StoreResult<Option<Review>> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT sheet, findings, flagged, risk, kb_snapshot, updated_at FROM prescription_reviews WHERE prescription_id = $1",
        )
        .bind(rx)
        .fetch_optional(&mut *tx)
        .await?;
        let review = row
            .map(|r| -> StoreResult<Review> {
                Ok(Review {
                    sheet: r.try_get("sheet")?,
                    findings: r.try_get("findings")?,
                    flagged: r.try_get::<i64, _>("flagged")? == 1,
                    risk: r.try_get("risk")?,
                    kb_snapshot: r.try_get("kb_snapshot")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .transpose()?;
        audit::append(
            &mut tx,
            Event::new(actor, "review.read", "prescription", rx),
        )
        .await?;
        tx.commit().await?;
        Ok(review)
    }

    /// Prescriptions awaiting a pharmacist: flagged first, then by risk, then
    /// oldest first. One the machine could not read counts as flagged.
    /// The read's audit row goes through the group commit: the queue is the
    /// page pharmacists poll, so many reads arrive at once.
    pub async fn review_queue(&self, limit: i64, actor: &Actor) -> StoreResult<Vec<QueueEntry>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.patient_id, p.created_at, COALESCE(r.flagged, 1) AS flagged, \
             COALESCE(r.risk, 0) AS risk, r.prescription_id AS read_id, t.first_name, t.last_name \
             FROM prescriptions p \
             LEFT JOIN prescription_reviews r ON r.prescription_id = p.id \
             LEFT JOIN patients t ON t.id = p.patient_id \
             WHERE p.status = 'needs_review' \
             ORDER BY COALESCE(r.flagged, 1) DESC, COALESCE(r.risk, 0) DESC, p.created_at, p.id {}",
            Window::first(limit)
        )))
        .fetch_all(&self.pool)
        .await?;
        let entries = rows
            .iter()
            .map(|r| -> StoreResult<QueueEntry> {
                let first: Option<String> = r.try_get("first_name")?;
                let last: Option<String> = r.try_get("last_name")?;
                Ok(QueueEntry {
                    prescription_id: r.try_get("id")?,
                    patient_id: r.try_get("patient_id")?,
                    patient_name: first.zip(last).map(|(f, l)| format!("{l}, {f}")),
                    flagged: r.try_get::<i64, _>("flagged")? == 1,
                    risk: r.try_get("risk")?,
                    read: r.try_get::<Option<i64>, _>("read_id")?.is_some(),
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        self.group
            .commit(group::Entry {
                actor: actor.clone(),
                action: "queue.read",
                entity: "prescription",
                entity_id: "-".into(),
                details: json!({ "entries": entries.len() }),
                cards: Vec::new(),
            })
            .await?;
        Ok(entries)
    }

    /// Records a signed approval or rejection. An approval writes the items
    /// to fill and makes the prescription `verified`.
    pub async fn decide(&self, rx: i64, decision: &Decision, signer: &User) -> StoreResult<()> {
        let reason = text::optional("reason", decision.reason.as_deref(), 1000)?;
        let meaning = text::required("meaning", &decision.meaning, 200)?;
        let mut tx = self.begin().await?;
        let status = prescriptions::status_of(&mut tx, rx).await?;
        let to = match decision.verdict {
            Verdict::Approve => RxStatus::Verified,
            Verdict::Reject => RxStatus::Rejected,
        };
        if status != RxStatus::NeedsReview {
            return Err(StoreError::IllegalTransition { from: status, to });
        }
        if decision.verdict == Verdict::Approve {
            if decision.items.is_empty() {
                return Err(StoreError::invalid(
                    "items",
                    "an approval needs at least one item",
                ));
            }
            sqlx::query("UPDATE prescriptions SET prescriber_id = COALESCE($1, prescriber_id) WHERE id = $2")
                .bind(decision.prescriber_id)
                .bind(rx)
                .execute(&mut *tx)
                .await?;
            for item in &decision.items {
                prescriptions::insert_item(&mut tx, rx, item).await?;
            }
        }
        prescriptions::set_status(&mut tx, rx, status, to).await?;
        let signed_at = clock::now();
        sqlx::query(
            "INSERT INTO prescription_decisions (prescription_id, decision, reason, overrides, confirmations, \
             signer_id, signer_name, meaning, signed_at, record_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(rx)
        .bind(decision.verdict.as_str())
        .bind(&reason)
        .bind(&decision.overrides)
        .bind(&decision.confirmations)
        .bind(signer.id)
        .bind(&signer.display_name)
        .bind(&meaning)
        .bind(&signed_at)
        .bind(&decision.record_sha256)
        .execute(&mut *tx)
        .await?;
        let actor = Actor::parse(&signer.username)?;
        let details = json!({
            "decision": decision.verdict.as_str(),
            "meaning": meaning,
            "record_sha256": decision.record_sha256,
            "overrides": serde_json::from_str::<serde_json::Value>(&decision.overrides).unwrap_or_default(),
            "items": decision.items.len(),
        });
        audit::append(
            &mut tx,
            Event::new(&actor, "prescription.sign", "prescription", rx).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn signature(&self, rx: i64) -> StoreResult<Option<Signature>> {
        let row = sqlx::query(
            "SELECT decision, reason, overrides, confirmations, signer_id, signer_name, meaning, signed_at, record_sha256 \
             FROM prescription_decisions WHERE prescription_id = $1",
        )
        .bind(rx)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| -> StoreResult<Signature> {
            let json = |col: &str| -> StoreResult<serde_json::Value> {
                let raw: String = r.try_get(col)?;
                Ok(serde_json::from_str(&raw).unwrap_or_default())
            };
            Ok(Signature {
                verdict: if r.try_get::<String, _>("decision")? == "approve" {
                    Verdict::Approve
                } else {
                    Verdict::Reject
                },
                reason: r.try_get("reason")?,
                signer_id: r.try_get("signer_id")?,
                signer_name: r.try_get("signer_name")?,
                meaning: r.try_get("meaning")?,
                signed_at: r.try_get("signed_at")?,
                record_sha256: r.try_get("record_sha256")?,
                overrides: json("overrides")?,
                confirmations: json("confirmations")?,
            })
        })
        .transpose()
    }

    /// A patient's prescriptions, newest first, with their intake stage.
    pub async fn prescriptions_of(
        &self,
        patient_id: i64,
        actor: &Actor,
    ) -> StoreResult<Vec<PrescriptionSummary>> {
        let mut tx = self.begin().await?;
        let rows = sqlx::query(
            "SELECT p.id, p.status, p.created_at, p.updated_at, j.stage FROM prescriptions p \
             LEFT JOIN intake_jobs j ON j.prescription_id = p.id \
             WHERE p.patient_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT 200",
        )
        .bind(patient_id)
        .fetch_all(&mut *tx)
        .await?;
        let list = rows
            .iter()
            .map(|r| -> StoreResult<PrescriptionSummary> {
                let stage: Option<String> = r.try_get("stage")?;
                Ok(PrescriptionSummary {
                    id: r.try_get("id")?,
                    status: RxStatus::parse(&r.try_get::<String, _>("status")?)?,
                    stage: stage.map(|s| Stage::parse(&s)).transpose()?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        audit::append(
            &mut tx,
            Event::new(actor, "prescription.list", "patient", patient_id),
        )
        .await?;
        tx.commit().await?;
        Ok(list)
    }
}

async fn write_review(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rx: i64,
    review: &Review,
) -> StoreResult<()> {
    let now = clock::now();
    sqlx::query("DELETE FROM prescription_reviews WHERE prescription_id = $1")
        .bind(rx)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO prescription_reviews (prescription_id, sheet, findings, flagged, risk, kb_snapshot, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(rx)
    .bind(&review.sheet)
    .bind(&review.findings)
    .bind(i64::from(review.flagged))
    .bind(review.risk)
    .bind(&review.kb_snapshot)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
