//! The append-only, hash-chained audit log. Each row's hash covers its own
//! fields and the previous row's hash, so editing, deleting or reordering any
//! row breaks the chain from that row on.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyPool, Row, Transaction};

use crate::clock;
use crate::db::{self, Backend};
use crate::error::{StoreError, StoreResult};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: a user name, or a system component such as `system:seed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor(String);

impl Actor {
    pub fn parse(name: &str) -> StoreResult<Self> {
        let name = name.trim();
        if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
            return Err(StoreError::invalid(
                "actor",
                "must be 1–200 printable characters",
            ));
        }
        Ok(Actor(name.to_string()))
    }

    pub fn system(component: &str) -> Self {
        Actor(format!("system:{component}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One event to record.
pub struct Event<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    pub fn new(
        actor: &'a Actor,
        action: &'a str,
        entity: &'a str,
        entity_id: impl ToString,
    ) -> Self {
        Event {
            actor,
            action,
            entity,
            entity_id: entity_id.to_string(),
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn with(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    fn expected_hash(&self) -> String {
        chain_hash(
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            &self.details,
            &self.prev_hash,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    details: &str,
    prev: &str,
) -> String {
    let mut hasher = Sha256::new();
    // Length-prefixing every field makes the encoding unambiguous.
    for field in [
        seq.to_string().as_str(),
        at,
        actor,
        action,
        entity,
        entity_id,
        details,
        prev,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends an event inside the caller's transaction. Call it last in the
/// transaction: taking the chain head serialises every writer, so it should
/// be held as briefly as possible and always after any product locks.
pub async fn append(tx: &mut Transaction<'_, Any>, event: Event<'_>) -> StoreResult<i64> {
    append_all(tx, &[event]).await
}

/// Appends several events inside the caller's transaction, in order, with
/// one turn of the chain head and one insert: what the group commit writes
/// for many callers at once. Returns the last row's sequence number.
pub async fn append_all(tx: &mut Transaction<'_, Any>, events: &[Event<'_>]) -> StoreResult<i64> {
    let count = match i64::try_from(events.len()) {
        Ok(n) if n > 0 => n,
        _ => return Err(StoreError::invalid("audit batch", "1 to 2^63 events")),
    };
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(count)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = head.try_get("seq")?;
    let mut prev: String = head.try_get("hash")?;
    let at = clock::now();
    let mut rows = Vec::with_capacity(events.len());
    for (seq, event) in (last - count + 1..).zip(events) {
        let row = AuditRow {
            seq,
            at: at.clone(),
            actor: event.actor.as_str().to_string(),
            action: event.action.to_string(),
            entity: event.entity.to_string(),
            entity_id: event.entity_id.clone(),
            details: event.details.to_string(),
            hash: String::new(),
            prev_hash: prev,
        };
        let hash = row.expected_hash();
        prev = hash.clone();
        rows.push(AuditRow { hash, ..row });
    }
    let sql = format!(
        "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, details, prev_hash, hash) VALUES {}",
        db::values_list(Backend::of(tx), rows.len(), 9)
    );
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
    for row in &rows {
        insert = insert
            .bind(row.seq)
            .bind(&row.at)
            .bind(&row.actor)
            .bind(&row.action)
            .bind(&row.entity)
            .bind(&row.entity_id)
            .bind(&row.details)
            .bind(&row.prev_hash)
            .bind(&row.hash);
    }
    insert.execute(&mut **tx).await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(last)
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    Ok { rows: i64, head: String },
    Broken { seq: i64, reason: String },
}

/// Walks the whole chain in order. Reports the first row whose sequence,
/// link or hash is wrong, or a head that does not match the last row.
pub async fn verify(pool: &AnyPool) -> StoreResult<Verdict> {
    let rows: Vec<AuditRow> = sqlx::query_as("SELECT seq, at, actor, action, entity, entity_id, details, prev_hash, hash FROM audit_log ORDER BY seq")
        .fetch_all(pool)
        .await?;
    let mut prev = GENESIS_HASH.to_string();
    for (i, row) in rows.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if let Some(reason) = row_fault(row, expected_seq, &prev) {
            return Ok(Verdict::Broken {
                seq: row.seq,
                reason,
            });
        }
        prev = row.hash.clone();
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    if head_seq != rows.len() as i64 || head_hash != prev {
        return Ok(Verdict::Broken {
            seq: head_seq,
            reason: format!(
                "chain head says row {head_seq} but the log ends at row {}",
                rows.len()
            ),
        });
    }
    Ok(Verdict::Ok {
        rows: rows.len() as i64,
        head: prev,
    })
}

fn row_fault(row: &AuditRow, expected_seq: i64, prev: &str) -> Option<String> {
    if row.seq != expected_seq {
        return Some(format!(
            "expected row {expected_seq}, found row {} (a row was removed or renumbered)",
            row.seq
        ));
    }
    if row.prev_hash != prev {
        return Some(
            "prev_hash does not match the previous row's hash (rows reordered or replaced)".into(),
        );
    }
    if row.hash != row.expected_hash() {
        return Some("hash does not match the row's contents (row edited)".into());
    }
    None
}

/// Rows about one entity, newest first, for history views.
pub async fn history(pool: &AnyPool, entity: &str, entity_id: &str) -> StoreResult<Vec<AuditRow>> {
    Ok(sqlx::query_as(
        "SELECT seq, at, actor, action, entity, entity_id, details, prev_hash, hash FROM audit_log \
         WHERE entity = $1 AND entity_id = $2 ORDER BY seq DESC",
    )
    .bind(entity)
    .bind(entity_id)
    .fetch_all(pool)
    .await?)
}
