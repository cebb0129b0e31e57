//! Who is calling. A session token arrives as the `rxflow_session` cookie
//! (pages) or an `Authorization: Bearer` header (API clients); the store
//! knows only its SHA-256. [`authenticate`] resolves it once per request;
//! each route's [`access::Access`] then admits or refuses the caller.

pub mod access;
pub mod cds_jwt;
pub mod limit;
pub mod password;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};
use rxflow_pharmacy::Actor;
use rxflow_pharmacy::users::{Role, User};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;
use cds_jwt::CdsClients;

pub const SESSION_COOKIE: &str = "rxflow_session";

/// The signed-in caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub token_sha256: String,
}

impl Principal {
    /// The name recorded in the audit log.
    pub fn actor(&self) -> Actor {
        Actor::parse(&self.user.username).unwrap_or_else(|_| Actor::system("unknown-user"))
    }

    /// Customers see only their own patient record; staff see every patient.
    pub fn may_see_patient(&self, patient_id: Option<i64>) -> Result<(), ApiError> {
        if self.user.role != Role::Customer
            || (patient_id.is_some() && patient_id == self.user.patient_id)
        {
            Ok(())
        } else {
            // Not 403: a customer cannot learn that someone else's record exists.
            Err(ApiError::NotFound("no such record".into()))
        }
    }

    pub fn patient_id(&self) -> Result<i64, ApiError> {
        self.user
            .patient_id
            .ok_or_else(|| ApiError::Forbidden("only customers have a patient record".into()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| ApiError::Unauthorized("sign in first".into()))
    }
}

/// Pages that serve strangers and users alike (sign-in) take an
/// `Option<Principal>`.
impl<S: Send + Sync> OptionalFromRequestParts<S> for Principal {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Principal>().cloned())
    }
}

/// A fresh session token: 256 random bits, hex.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn session_cookie(token: String, secure: bool, max_age: time::Duration) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(max_age)
        .build()
}

fn presented_token(request: &Request) -> Option<String> {
    let headers = request.headers();
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| Cookie::parse(c.trim().to_string()).ok())
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// Resolves the session, if any, into a [`Principal`] in the request's
/// extensions. An unknown or expired token is simply no session.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let principal = match presented_token(&request) {
        Some(token) if CdsClients::is_jwt(&token) => {
            Some(cds_client(&state, &token, request.uri().path()).await?)
        }
        Some(token) if token.len() <= 128 => {
            let digest = token_sha256(&token);
            let user = state.store.session_user(&digest).await?;
            user.map(|user| Principal {
                user,
                token_sha256: digest,
            })
        }
        _ => None,
    };
    if let Some(principal) = principal {
        request.extensions_mut().insert(principal);
    }
    Ok(next.run(request).await)
}

/// A CDS Hooks call signed by a trusted EHR acts as its account; a JWT
/// anywhere else, or one that fails its checks, is refused outright.
async fn cds_client(state: &AppState, token: &str, path: &str) -> Result<Principal, ApiError> {
    if path != "/cds-services" && !path.starts_with("/cds-services/") {
        return Err(ApiError::Unauthorized(
            "a signed JWT is accepted only by the CDS Hooks service".into(),
        ));
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let call = state.services.cds_clients.verify(token, path, now)?;
    let first_use = state
        .store
        .first_use_of_token(&call.issuer, &call.jti, call.expires_at, call.forget_before)
        .await?;
    if !first_use {
        return Err(ApiError::Unauthorized(
            "CDS client JWT refused: jti was used before".into(),
        ));
    }
    let username = call.user;
    let user = state
        .store
        .credentials(username)
        .await?
        .map(|c| c.user)
        .filter(|u| u.active)
        .ok_or_else(|| {
            ApiError::Unauthorized(format!(
                "the account {username} of this client is not active"
            ))
        })?;
    Ok(Principal {
        user,
        token_sha256: token_sha256(token),
    })
}
