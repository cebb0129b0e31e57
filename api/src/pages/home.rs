//! The front door: sign-in, sign-up, and `/`, which sends each role to
//! where it works.

use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::PageError;
use super::render::{home, page, safe_next};
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .page("/", Access::SignedIn, root)
        .page("/login", Access::Public, login)
        .page("/register", Access::Public, register)
}

async fn root(principal: Principal) -> Redirect {
    Redirect::to(home(principal.user.role))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

async fn login(principal: Option<Principal>, Query(q): Query<Next>) -> Result<Response, PageError> {
    let next = q.next.as_deref().and_then(safe_next);
    if let Some(p) = principal {
        return Ok(Redirect::to(next.unwrap_or(home(p.user.role))).into_response());
    }
    Ok(page(
        "login.html",
        None,
        json!({ "title": "Sign in", "next": next.unwrap_or("/") }),
    )?
    .into_response())
}

async fn register() -> Result<impl IntoResponse, PageError> {
    page(
        "register.html",
        None,
        json!({ "title": "Create an account" }),
    )
}
