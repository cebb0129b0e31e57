//! The administrator's page: staff accounts and their roles, how often each
//! CDS alert is overridden, and whether the audit chain is intact. Reads
//! are the store calls `routes::admin` makes; changes go through its JSON
//! routes.

use axum::extract::State;
use rxflow_pharmacy::audit::Verdict;
use rxflow_pharmacy::cds::AlertStat;
use rxflow_pharmacy::users::{Role, User};
use serde_json::{Value, json};

use super::PageError;
use super::render::{Page, page};
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::state::AppState;

const ADMIN: Access = Access::Roles(&[Role::Admin]);

/// Answers below this many make an override rate too noisy to flag.
const RATE_MIN_ANSWERS: i64 = 5;
/// Override rates at or above this mark an alert that is mostly ignored.
const RATE_HIGH: f64 = 0.8;

pub fn routes() -> Routes {
    Routes::new().page("/admin", ADMIN, admin)
}

async fn admin(State(state): State<AppState>, principal: Principal) -> Result<Page, PageError> {
    let users = state.store.users().await?;
    let stats = state.store.alert_stats().await?;
    let audit = audit_status(&state.store.verify_audit().await?);
    let (staff, customers): (Vec<&User>, Vec<&User>) =
        users.iter().partition(|u| u.role.is_staff());
    let row = |u: &&User| user_row(u, &principal);
    let context = json!({
        "title": "Administration",
        "here": "/admin",
        "staff": staff.iter().map(row).collect::<Vec<_>>(),
        "customers": customers.iter().map(row).collect::<Vec<_>>(),
        "roles": staff_roles(),
        "stats": stats.iter().map(stat_row).collect::<Vec<_>>(),
        "audit": audit,
    });
    page("admin.html", Some(&principal), context)
}

/// A role as people say it.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::Customer => "Customer",
        Role::Pharmacist => "Pharmacist",
        Role::Technician => "Pharmacy technician",
        Role::InventoryManager => "Inventory manager",
        Role::Admin => "Administrator",
    }
}

/// The roles a staff account may have; customers sign themselves up.
fn staff_roles() -> Vec<Value> {
    Role::ALL
        .into_iter()
        .filter(|r| r.is_staff())
        .map(|r| json!({ "value": r.as_str(), "label": role_label(r) }))
        .collect()
}

fn user_row(user: &User, principal: &Principal) -> Value {
    json!({
        "user": user,
        "role": user.role.as_str(),
        "role_label": role_label(user.role),
        // The API refuses to let an admin lock themselves out; no form offers it.
        "me": user.id == principal.user.id,
        "since": user.created_at.get(..10).unwrap_or(&user.created_at),
    })
}

fn stat_row(stat: &AlertStat) -> Value {
    let answered = stat.accepted + stat.overridden;
    let rate = stat.override_rate.map(|r| (r * 100.0).round() as i64);
    let noisy = answered >= RATE_MIN_ANSWERS && stat.override_rate.is_some_and(|r| r >= RATE_HIGH);
    json!({
        "stat": stat,
        "answered": answered,
        "rate": rate,
        "noisy": noisy,
    })
}

fn audit_status(verdict: &Verdict) -> Value {
    match verdict {
        Verdict::Ok { rows, head } => json!({
            "intact": true,
            "rows": rows,
            "head": head.get(..16).unwrap_or(head),
        }),
        Verdict::Broken { seq, reason } => json!({
            "intact": false,
            "broken_at": seq,
            "reason": reason,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_staff_roles_are_offered_with_words() {
        let roles = staff_roles();
        assert_eq!(roles.len(), 4);
        assert!(roles.iter().all(|r| r["value"] != "customer"));
        assert!(roles.iter().any(|r| r["label"] == "Inventory manager"));
    }

    #[test]
    fn a_rate_is_flagged_only_with_enough_answers() {
        let stat = |accepted, overridden| AlertStat {
            rule_key: "ddi:1:2".into(),
            issued: accepted + overridden,
            accepted,
            overridden,
            override_rate: (accepted + overridden > 0)
                .then(|| overridden as f64 / (accepted + overridden) as f64),
        };
        assert_eq!(stat_row(&stat(0, 0))["rate"], Value::Null);
        assert_eq!(stat_row(&stat(1, 3))["noisy"], false);
        assert_eq!(stat_row(&stat(1, 9))["noisy"], true);
        assert_eq!(stat_row(&stat(1, 9))["rate"], 90);
    }

    #[test]
    fn a_broken_chain_says_where() {
        let broken = audit_status(&Verdict::Broken {
            seq: 41,
            reason: "hash mismatch".into(),
        });
        assert_eq!(broken["intact"], false);
        assert_eq!(broken["broken_at"], 41);
    }
}
