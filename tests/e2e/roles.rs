//! The role matrix: every route in the table, called anonymously and as
//! each role, answers 401 to strangers where it is not public (a page sends
//! them to sign in instead) and 403 to roles it does not admit, and lets
//! the roles it admits through.

use crate::support::{Server, split};
use rxflow_api::auth::access::Access;
use rxflow_pharmacy::users::Role;
use serde_json::json;

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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
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
            let response = request.send().await.unwrap();
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let (status, content_type, body) = split(response).await;
            // Pages send strangers to sign in and show people an HTML 403;
            // the API answers programs with problem documents.
            let (stranger, refusal_type) = if route.page {
                (303, "text/html; charset=utf-8")
            } else {
                (401, "application/problem+json")
            };
            if route.page && role.is_none() && status == 303 && !location.starts_with("/login") {
                failures.push(format!("{path}: redirected to {location}"));
            }
            let expected = match (route.access, role) {
                (Access::Public, _) => None,
                (_, None) => Some(stranger),
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
                Some(code) if code != 303 && content_type != refusal_type => {
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
