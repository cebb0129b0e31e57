//! The one API error type. Every failure leaves as an RFC 9457
//! `application/problem+json` body; client mistakes are 4xx, and only faults
//! of the service itself are 5xx.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rxflow_pharmacy::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("internal: {0}")]
    Internal(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
}

impl ApiError {
    pub(crate) fn status(&self) -> StatusCode {
        self.status_and_kind().0
    }

    /// What the caller may read: the message for their own mistakes; for the
    /// service's faults a fixed sentence, with the cause sent to the log.
    pub(crate) fn public_detail(&self) -> String {
        if self.status().is_server_error() {
            tracing::error!(error = %self, cause = ?std::error::Error::source(self), "request failed");
            "the service could not complete the request; it has been logged".to_string()
        } else {
            self.to_string()
        }
    }

    fn status_and_kind(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too-large"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type")
            }
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            ApiError::NotFound(_) | ApiError::Store(StoreError::NotFound { .. }) => {
                (StatusCode::NOT_FOUND, "not-found")
            }
            ApiError::MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
            ApiError::Conflict(_)
            | ApiError::Store(
                StoreError::Conflict(_)
                | StoreError::IllegalTransition { .. }
                | StoreError::IllegalOrderTransition { .. },
            ) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Store(StoreError::InsufficientStock { .. }) => {
                (StatusCode::CONFLICT, "insufficient-stock")
            }
            ApiError::Unprocessable(_) | ApiError::Store(StoreError::Invalid { .. }) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            }
            ApiError::Unavailable(_)
            | ApiError::Store(StoreError::Database(_) | StoreError::Migrate(_)) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = self.status_and_kind();
        let detail = self.public_detail();
        let problem = Problem {
            kind: &format!("/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("error"),
            status: status.as_u16(),
            detail,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}
