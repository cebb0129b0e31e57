//! Group commit for the writes that ride along with reads: the audit row of
//! an audited read, and the cards a CDS Hooks call issued with its audit
//! row. Each caller still waits until its rows are committed, so nothing is
//! answered before it is recorded; but callers that arrive together share
//! one transaction. On SQLite every writer takes the one write lock in turn,
//! so without this, audited reads queued one by one behind that lock.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::audit::{self, Actor, Event};
use crate::clock;
use crate::db::{self, Backend};
use crate::error::{StoreError, StoreResult};

/// The most entries one transaction takes; a longer queue is written in
/// several, so that no transaction holds the write lock for long.
const MOST_PER_COMMIT: usize = 256;

/// One audited event, and the CDS cards recorded with it (often none).
pub(crate) struct Entry {
    pub actor: Actor,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub details: serde_json::Value,
    pub cards: Vec<Card>,
}

pub(crate) struct Card {
    pub uuid: String,
    pub rule_key: String,
    pub indicator: String,
}

struct Job {
    entry: Entry,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The handle every clone of a store shares; the writer task ends when the
/// last one is dropped.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    pub fn start(pool: AnyPool, backend: Backend) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MOST_PER_COMMIT);
        tokio::spawn(run(pool, backend, queue));
        GroupCommit { jobs }
    }

    /// Commits `entry` together with whatever else is waiting, and returns
    /// once it is committed.
    pub async fn commit(&self, entry: Entry) -> StoreResult<()> {
        let closed = || StoreError::Database(sqlx::Error::PoolClosed);
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job { entry, done })
            .await
            .map_err(|_| closed())?;
        committed.await.map_err(|_| closed())?
    }
}

async fn run(pool: AnyPool, backend: Backend, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
    while queue.recv_many(&mut batch, MOST_PER_COMMIT).await > 0 {
        if write(&pool, backend, batch.iter().map(|j| &j.entry))
            .await
            .is_ok()
        {
            for job in batch.drain(..) {
                let _ = job.done.send(Ok(()));
            }
        } else {
            // One bad entry must not fail the others: each is tried alone
            // and answered with its own outcome.
            for job in batch.drain(..) {
                let result = write(&pool, backend, std::iter::once(&job.entry)).await;
                let _ = job.done.send(result);
            }
        }
    }
}

async fn write<'a>(
    pool: &AnyPool,
    backend: Backend,
    entries: impl Iterator<Item = &'a Entry> + Clone,
) -> StoreResult<()> {
    let mut tx = db::begin(pool, backend).await?;
    let events: Vec<Event> = entries
        .clone()
        .map(|e| Event::new(&e.actor, e.action, e.entity, &e.entity_id).with(e.details.clone()))
        .collect();
    audit::append_all(&mut tx, &events).await?;
    let cards: Vec<&Card> = entries.flat_map(|e| &e.cards).collect();
    for chunk in cards.chunks(MOST_PER_COMMIT) {
        insert_cards(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_cards(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    cards: &[&Card],
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO cds_cards (uuid, rule_key, indicator, issued_at) VALUES {} \
         ON CONFLICT (uuid) DO NOTHING",
        db::values_list(Backend::of(tx), cards.len(), 4)
    );
    let now = clock::now();
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
    for card in cards {
        insert = insert
            .bind(&card.uuid)
            .bind(&card.rule_key)
            .bind(&card.indicator)
            .bind(&now);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}
