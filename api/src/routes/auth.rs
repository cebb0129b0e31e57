//! Sign-up (customers), sign-in, sign-out, and who am I. Sign-in answers
//! the same "wrong username or password" whether the account exists or not,
//! and hashes a password either way, so timing tells nothing either.

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use rxflow_pharmacy::patients::{NewAllergy, NewPatient};
use rxflow_pharmacy::users::{Lockout, NewUser, Role, SessionKind, User};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

use crate::auth::access::{Access, Routes};
use crate::auth::{Principal, new_token, password, session_cookie, token_sha256};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

const SESSION_TTL: time::Duration = time::Duration::hours(12);
pub const LOCKOUT: Lockout = Lockout {
    after_failures: 5,
    duration: time::Duration::minutes(15),
};

pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/auth/register", Access::Public, register)
        .post("/api/v1/auth/login", Access::Public, login)
        .post("/api/v1/auth/logout", Access::SignedIn, logout)
        .get("/api/v1/auth/me", Access::SignedIn, me)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Registration {
    username: String,
    password: String,
    first_name: String,
    last_name: String,
    dob: String,
    #[serde(default)]
    sex: String,
    email: Option<String>,
    phone: Option<String>,
    /// Known drug allergies, as the customer names them ("sulfa", "penicillin").
    #[serde(default)]
    allergies: Vec<String>,
}

async fn register(
    State(state): State<AppState>,
    Json(r): Json<Registration>,
) -> Result<impl IntoResponse, ApiError> {
    let patient = NewPatient::parse(&r.first_name, &r.last_name, &r.dob, &r.sex)?.with_contact(
        r.phone.as_deref(),
        r.email.as_deref(),
        None,
    )?;
    let display = format!("{} {}", r.first_name.trim(), r.last_name.trim());
    let hash = password::hash(r.password).await?;
    let new = NewUser::parse(&r.username, &display, Role::Customer, hash)?;
    if r.allergies.len() > 50 {
        return Err(ApiError::Unprocessable("at most 50 allergies".into()));
    }
    let allergies = r
        .allergies
        .iter()
        .map(|a| NewAllergy::parse(a, "substance", None, "unknown"))
        .collect::<Result<Vec<_>, _>>()?;
    let user = state
        .store
        .register_customer(&new, &patient, &allergies)
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    username: String,
    password: String,
    /// `bearer` returns a token for API clients; the default sets a cookie.
    #[serde(default)]
    token: bool,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(s): Json<SignIn>,
) -> Result<impl IntoResponse, ApiError> {
    state.services.login_limiter.check(peer.ip())?;
    let user = check_password(&state, &s.username, s.password).await?;
    let token = new_token();
    let kind = if s.token {
        SessionKind::Bearer
    } else {
        SessionKind::Cookie
    };
    let expires = state
        .store
        .open_session(&user, &token_sha256(&token), kind, SESSION_TTL)
        .await?;
    let mut headers = HeaderMap::new();
    let body = if s.token {
        json!({ "user": user, "token": token, "expires_at": expires })
    } else {
        let cookie = session_cookie(token, state.services.secure_cookies, SESSION_TTL);
        if let Ok(v) = cookie.to_string().parse() {
            headers.insert(header::SET_COOKIE, v);
        }
        json!({ "user": user, "expires_at": expires })
    };
    Ok((headers, Json(body)))
}

/// The user whose password this is; counts failures toward the lockout.
pub async fn check_password(
    state: &AppState,
    username: &str,
    given: String,
) -> Result<User, ApiError> {
    let wrong = || ApiError::Unauthorized("wrong username or password".into());
    let Some(creds) = state.store.credentials(username).await? else {
        password::verify(given, state.services.decoy_hash.clone()).await;
        return Err(wrong());
    };
    let locked = creds
        .locked_until
        .as_deref()
        .is_some_and(|until| until > rxflow_pharmacy::clock::now().as_str());
    if locked {
        return Err(ApiError::TooManyRequests(
            "this account is locked after repeated failures; try again later".into(),
        ));
    }
    if !creds.user.active {
        password::verify(given, state.services.decoy_hash.clone()).await;
        return Err(wrong());
    }
    if password::verify(given, creds.password_hash).await {
        Ok(creds.user)
    } else {
        state.store.login_failed(creds.user.id, LOCKOUT).await?;
        Err(wrong())
    }
}

async fn logout(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<impl IntoResponse, ApiError> {
    state
        .store
        .close_session(&principal.token_sha256, &principal.actor())
        .await?;
    let expired = session_cookie(
        String::new(),
        state.services.secure_cookies,
        time::Duration::ZERO,
    );
    let mut headers = HeaderMap::new();
    if let Ok(v) = expired.to_string().parse() {
        headers.insert(header::SET_COOKIE, v);
    }
    Ok((StatusCode::NO_CONTENT, headers))
}

async fn me(principal: Principal) -> Json<User> {
    Json(principal.user)
}
