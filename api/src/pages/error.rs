//! Failures as people see them: an HTML page with the same status and the
//! same words the JSON API would give, or for a stranger, the sign-in page.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::render::{self, safe_next};
use crate::error::ApiError;

/// What a page handler fails with: any API error, rendered for a browser.
#[derive(Debug)]
pub struct PageError(ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        refusal(self.0, "/")
    }
}

/// The answer to a page request that cannot be served: sign-in for a
/// stranger (coming back to `path` after), else an error page.
pub fn refusal(error: ApiError, path: &str) -> Response {
    if let ApiError::Unauthorized(_) = error {
        let next = safe_next(path).unwrap_or("/");
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let status = error.status();
    let context = json!({
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": error.public_detail(),
    });
    match render::bare("error.html", context) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.public_detail()).into_response(),
    }
}
