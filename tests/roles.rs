//! The role matrix: every route in the table, called anonymously and as
//! each role, answers 401 to strangers where it is not public and 403 to
//! roles it does not admit, and lets the roles it admits through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use rxflow_api::auth::access::Access;
use rxflow_pharmacy::users::Role;
use serde_json::json;
use support::{Server, split};

fn demo_user(role: Role) -> &'static str {
    match role {
        Role::Customer => "margaret",
        Role::Pharmacist => "pharmacist",
        Role::Technician => "technician",
        Role::InventoryManager => "inventory",
        Role::Admin => "admin",
    }
}

#[tokio::test]
async fn every_route_admits_exactly_its_roles() {
    let server = Server::seeded(5).await;
    let table = rxflow_api::route_table();
    assert!(table.len() > 30, "the table lists every route");
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, server.demo(demo_user(role)).await.token));
    }
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    // Sign-out ends the session it is called with, so it goes last.
    let (logout, others): (Vec<_>, Vec<_>) =
        table.iter().partition(|r| r.path.ends_with("/logout"));
    for route in others.into_iter().chain(logout) {
        let path = route.path.replace("{id}", "1");
        let url = format!("{}{path}", server.base);
        let method: reqwest::Method = route.method.parse().unwrap();
        let callers =
            std::iter::once((None, None)).chain(tokens.iter().map(|(r, t)| (Some(*r), Some(t))));
        for (role, token) in callers {
            let mut request = client.request(method.clone(), &url);
            if method != reqwest::Method::GET {
                request = request.json(&json!({}));
            }
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let (status, content_type, body) = split(request.send().await.unwrap()).await;
            let expected = match (route.access, role) {
                (Access::Public, _) => None,
                (_, None) => Some(401),
                (Access::SignedIn, Some(_)) => None,
                (Access::Roles(roles), Some(r)) if roles.contains(&r) => None,
                (Access::Roles(_), Some(_)) => Some(403),
            };
            let who = role.map_or("anonymous", |r| r.as_str());
            match expected {
                Some(code) if status != code => failures.push(format!(
                    "{} {path} as {who}: {status}, expected {code}: {body}",
                    route.method
                )),
                Some(_) if content_type != "application/problem+json" => {
                    failures.push(format!("{} {path} as {who}: {content_type}", route.method))
                }
                None if status == 401 || status == 403 || status >= 500 => failures.push(format!(
                    "{} {path} as {who}: {status}, expected to be let through: {body}",
                    route.method
                )),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (code, _, _) = server.get_raw("/healthz").await;
    assert_eq!(code, 200);
}
