//! Administration: staff accounts and roles, the audit chain's state, and
//! the override rates of CDS alerts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rxflow_pharmacy::audit::Verdict;
use rxflow_pharmacy::cds::AlertStat;
use rxflow_pharmacy::users::{NewUser, Role, User};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::access::{Access, Routes};
use crate::auth::{Principal, password};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;

const ADMIN: Access = Access::Roles(&[Role::Admin]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/admin/users", ADMIN, list)
        .post("/api/v1/admin/users", ADMIN, create)
        .patch("/api/v1/admin/users/{id}", ADMIN, update)
        .get("/api/v1/admin/audit", ADMIN, audit)
        .get("/api/v1/admin/alert-stats", ADMIN, alert_stats)
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.store.users().await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewStaff {
    username: String,
    display_name: String,
    role: Role,
    password: String,
}

async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(n): Json<NewStaff>,
) -> Result<impl IntoResponse, ApiError> {
    let hash = password::hash(n.password).await?;
    let new = NewUser::parse(&n.username, &n.display_name, n.role, hash)?;
    let id = state.store.create_staff(&new, &principal.actor()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    role: Option<Role>,
    active: Option<bool>,
}

async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(c): Json<Change>,
) -> Result<Json<User>, ApiError> {
    if id == principal.user.id
        && (c.active == Some(false) || c.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(ApiError::Conflict(
            "an admin cannot lock themselves out".into(),
        ));
    }
    Ok(Json(
        state
            .store
            .update_user(id, c.role, c.active, &principal.actor())
            .await?,
    ))
}

async fn audit(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(match state.store.verify_audit().await? {
        Verdict::Ok { rows, head } => json!({ "intact": true, "rows": rows, "head": head }),
        Verdict::Broken { seq, reason } => {
            json!({ "intact": false, "broken_at": seq, "reason": reason })
        }
    }))
}

async fn alert_stats(State(state): State<AppState>) -> Result<Json<Vec<AlertStat>>, ApiError> {
    Ok(Json(state.store.alert_stats().await?))
}
