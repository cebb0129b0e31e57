//! The role matrix: every route in the table, called anonymously and as
//! each role, answers 401 to strangers where it is not public (a page sends
//! them to sign in instead), 403 to roles it does not admit, and 2xx to the
//! roles it admits, each with a request the route accepts.

mod calls;

use crate::support::{Server, split};
use calls::{Body, Call, World};
use rxflow_api::auth::access::{Access, RouteSpec};
use rxflow_pharmacy::users::Role;

/// What a route owes a caller: a refusal of this status, or a 2xx.
fn expected(route: &RouteSpec, role: Option<Role>) -> Option<u16> {
    match (route.access, role) {
        (Access::Public, _) => None,
        (_, None) if route.page => Some(303),
        (_, None) => Some(401),
        (Access::SignedIn, Some(_)) => None,
        (Access::Roles(roles), Some(r)) if roles.contains(&r) => None,
        (Access::Roles(_), Some(_)) => Some(403),
    }
}

struct Answer {
    status: u16,
    content_type: String,
    location: String,
    body: String,
}

async fn send(world: &World<'_>, route: &RouteSpec, call: &Call, role: Option<Role>) -> Answer {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let method: reqwest::Method = route.method.parse().unwrap();
    let mut request = client.request(method, format!("{}{}", world.base(), call.path));
    request = match &call.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Photo => {
            let part = reqwest::multipart::Part::bytes(calls::photo()).file_name("rx.jpg");
            request.multipart(reqwest::multipart::Form::new().part("image", part))
        }
    };
    if let Some(role) = role {
        let token = call
            .own_session
            .as_deref()
            .unwrap_or(&world.session(role).token);
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
    Answer {
        status,
        content_type,
        location,
        body,
    }
}

/// What is wrong with `answer`, if anything.
fn judge(
    table: &[RouteSpec],
    route: &RouteSpec,
    role: Option<Role>,
    answer: &Answer,
) -> Option<String> {
    let who = role.map_or("anonymous", |r| r.as_str());
    let said = format!(
        "{} {} as {who}: {}",
        route.method, route.path, answer.status
    );
    // Pages send strangers to sign in and show people an HTML 403; the API
    // answers programs with problem documents.
    let refusal_type = if route.page {
        "text/html; charset=utf-8"
    } else {
        "application/problem+json"
    };
    match expected(route, role) {
        Some(code) if answer.status != code => {
            Some(format!("{said}, expected {code}: {}", answer.body))
        }
        Some(303) if !answer.location.starts_with("/login") => {
            Some(format!("{said}, redirected to {}", answer.location))
        }
        Some(303) => None,
        Some(_) if answer.content_type != refusal_type => {
            Some(format!("{said}, {}", answer.content_type))
        }
        // A signed-in user who opens the front door or the sign-in page is
        // sent on to their own work.
        None if route.page && answer.status == 303 => {
            match table.iter().find(|r| r.page && r.path == answer.location) {
                Some(page) if expected(page, role).is_none() => None,
                _ => Some(format!(
                    "{said}, sent to {}, not a page of theirs",
                    answer.location
                )),
            }
        }
        None if !(200..300).contains(&answer.status) => {
            Some(format!("{said}, expected 2xx: {}", answer.body))
        }
        _ => None,
    }
}

/// Calls `route` as everyone. Refusals go first, with the call prepared for
/// the first role admitted, so that they prove nothing was done; every
/// later admitted role gets a call of its own where the call changes state.
async fn walk(
    world: &World<'_>,
    table: &[RouteSpec],
    route: &RouteSpec,
    failures: &mut Vec<String>,
) {
    let callers: Vec<Option<Role>> = std::iter::once(None).chain(Role::ALL.map(Some)).collect();
    let (admitted, refused): (Vec<_>, Vec<_>) = callers
        .into_iter()
        .partition(|r| expected(route, *r).is_none());
    let first = match world
        .call(
            route.method,
            &route.path,
            admitted.first().copied().flatten(),
        )
        .await
    {
        Ok(call) => call,
        Err(missing) => return failures.push(missing),
    };
    for role in refused {
        let answer = send(world, route, &first, role).await;
        failures.extend(judge(table, route, role, &answer));
    }
    let mut reusable = Some(first);
    for role in admitted {
        let call = match reusable.take() {
            Some(call) => call,
            None => match world.call(route.method, &route.path, role).await {
                Ok(call) => call,
                Err(missing) => return failures.push(missing),
            },
        };
        let answer = send(world, route, &call, role).await;
        failures.extend(judge(table, route, role, &answer));
        if route.method == "GET" {
            reusable = Some(call);
        }
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_it_declares() {
    let server = Server::seeded(30).await;
    let table = rxflow_api::route_table();
    assert!(table.len() > 30, "the table lists every route");
    let world = World::new(&server).await;
    let mut failures = Vec::new();
    for route in &table {
        walk(&world, &table, route, &mut failures).await;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (code, _, _) = server.get_raw("/healthz").await;
    assert_eq!(code, 200);
}
