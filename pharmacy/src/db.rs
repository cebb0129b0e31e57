//! Connecting to SQLite or PostgreSQL through sqlx's `Any` driver, so one
//! repository layer serves both. Queries are written once with `$n`
//! placeholders in increasing order, which both backends accept.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor, Sqlite};

use crate::error::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// The backend a connection talks to.
    pub(crate) fn of(conn: &AnyConnection) -> Backend {
        if conn.backend_name() == <Sqlite as sqlx::Database>::NAME {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }
}

/// The `VALUES` list of a multi-row insert: `rows` tuples of `columns`
/// placeholders. SQLite gets plain `?`: sqlx finds each numbered parameter's
/// name through a linear scan of the statement's parameter list, so a batch
/// of 256 audit rows in `$n` form took quadratic time to bind. PostgreSQL
/// only understands `$n`.
pub(crate) fn values_list(backend: Backend, rows: usize, columns: usize) -> String {
    let tuple = |row: usize| {
        let params: Vec<String> = (1..=columns)
            .map(|column| match backend {
                Backend::Sqlite => "?".to_string(),
                Backend::Postgres => format!("${}", row * columns + column),
            })
            .collect();
        format!("({})", params.join(", "))
    };
    (0..rows).map(tuple).collect::<Vec<_>>().join(", ")
}

/// Opens a pool. SQLite gets WAL, a busy timeout and foreign keys, which sqlx
/// does not all set from a URL.
pub async fn connect(url: &str, max_connections: u32) -> StoreResult<(AnyPool, Backend)> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url).ok_or_else(|| {
        crate::StoreError::invalid(
            "database url",
            format!("{url:?}: expected sqlite:… or postgres://…"),
        )
    })?;
    let options = AnyConnectOptions::from_str(url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        // A pinged SQLite connection answers from its own thread in this
        // process, so the ping proves nothing and costs a thread round trip
        // on every acquire; a PostgreSQL connection can have been dropped
        // by the server or the network while idle.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok((pool, backend))
}

pub async fn migrate(pool: &AnyPool, backend: Backend) -> StoreResult<()> {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(pool).await?,
    }
    Ok(())
}

/// Starts a write transaction. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes
/// later fails with SQLITE_BUSY when another writer got in between, and the
/// busy timeout cannot help it. PostgreSQL serialises writers per product
/// with row locks instead (see `inventory`).
pub async fn begin(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_number_postgres_parameters_and_not_sqlite_ones() {
        assert_eq!(values_list(Backend::Sqlite, 2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(
            values_list(Backend::Postgres, 2, 3),
            "($1, $2, $3), ($4, $5, $6)"
        );
        assert_eq!(values_list(Backend::Postgres, 1, 1), "($1)");
    }
}
