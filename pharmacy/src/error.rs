use crate::orders::OrderStatus;
use crate::prescriptions::RxStatus;

/// Everything the store can refuse or fail at. Variants other than `Database`
/// and `Migrate` are the caller's fault and map to 4xx answers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: i64 },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("prescription cannot go from {from} to {to}")]
    IllegalTransition { from: RxStatus, to: RxStatus },
    #[error("order cannot go from {from} to {to}")]
    IllegalOrderTransition { from: OrderStatus, to: OrderStatus },
    #[error("not enough stock of product {product_id}: asked {requested}, {available} available")]
    InsufficientStock {
        product_id: i64,
        requested: i64,
        available: i64,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("database")]
    Database(#[from] sqlx::Error),
    #[error("migration")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// True when the caller can fix the request; false for infrastructure faults.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, StoreError::Database(_) | StoreError::Migrate(_))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
