//! Every route declares who may call it. [`Routes`] registers a handler
//! together with its [`Access`], wraps it in the gate that enforces it, and
//! keeps the table that the role-matrix test enumerates: a route cannot be
//! added without saying who it is for.

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodFilter, on};
use rxflow_pharmacy::users::Role;
use serde::Serialize;

use super::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "roles")]
pub enum Access {
    /// Anyone, signed in or not (health, sign-up, sign-in, discovery).
    Public,
    /// Any signed-in user; the handler narrows to their own records.
    SignedIn,
    /// Only these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn admits(self, role: Option<Role>) -> Result<(), ApiError> {
        match (self, role) {
            (Access::Public, _) => Ok(()),
            (_, None) => Err(ApiError::Unauthorized("sign in first".into())),
            (Access::SignedIn, Some(_)) => Ok(()),
            (Access::Roles(roles), Some(role)) if roles.contains(&role) => Ok(()),
            (Access::Roles(_), Some(role)) => Err(ApiError::Forbidden(format!(
                "a {} may not do this",
                role.as_str()
            ))),
        }
    }
}

/// One row of the route table.
#[derive(Debug, Clone, Serialize)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: String,
    pub access: Access,
    /// A web page: strangers are sent to sign in rather than answered 401.
    pub page: bool,
}

impl RouteSpec {
    /// Part of the JSON API (and its OpenAPI document), not a page or one
    /// of the pages' scripts and stylesheet.
    pub fn is_api(&self) -> bool {
        !self.page && !self.path.starts_with("/assets/")
    }
}

/// A router that records each route's access as it is added.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Routes {
    pub fn new() -> Self {
        Routes::default()
    }

    pub fn route<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let gated = on(filter, handler).route_layer(middleware::from_fn_with_state(access, gate));
        self.router = self.router.route(path, gated);
        self.table.push(RouteSpec {
            method: method_name(&method),
            path: path.to_string(),
            access,
            page: false,
        });
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        access: Access,
        h: H,
    ) -> Self {
        self.route(Method::GET, path, access, h)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        access: Access,
        h: H,
    ) -> Self {
        self.route(Method::POST, path, access, h)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        access: Access,
        h: H,
    ) -> Self {
        self.route(Method::PATCH, path, access, h)
    }

    /// A POST whose body may be up to `limit` bytes (uploads), where every
    /// other route keeps axum's 2 MB default.
    pub fn upload<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        access: Access,
        limit: usize,
        h: H,
    ) -> Self {
        let gated = on(MethodFilter::POST, h)
            .route_layer(middleware::from_fn_with_state(access, gate))
            .layer(axum::extract::DefaultBodyLimit::max(limit));
        self.router = self.router.route(path, gated);
        self.table.push(RouteSpec {
            method: "POST",
            path: path.to_string(),
            access,
            page: false,
        });
        self
    }

    /// A web page. Its refusals are for people: a stranger is sent to sign
    /// in and brought back, a wrong role reads an HTML 403.
    pub fn page<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        access: Access,
        h: H,
    ) -> Self {
        let gated =
            on(MethodFilter::GET, h).route_layer(middleware::from_fn_with_state(access, page_gate));
        self.router = self.router.route(path, gated);
        self.table.push(RouteSpec {
            method: "GET",
            path: path.to_string(),
            access,
            page: true,
        });
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// The axum router and the table.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        _ => "GET",
    }
}

/// Refuses callers the route does not admit; [`super::authenticate`] has
/// already resolved who is calling.
async fn gate(
    State(access): State<Access>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let role = request.extensions().get::<Principal>().map(|p| p.user.role);
    access.admits(role)?;
    Ok(next.run(request).await)
}

async fn page_gate(State(access): State<Access>, request: Request, next: Next) -> Response {
    let role = request.extensions().get::<Principal>().map(|p| p.user.role);
    match access.admits(role) {
        Ok(()) => next.run(request).await,
        Err(refused) => crate::pages::refusal(refused, request.uri().path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_answers_401_for_strangers_and_403_for_other_roles() {
        let pharmacists = Access::Roles(&[Role::Pharmacist]);
        assert!(matches!(
            pharmacists.admits(None),
            Err(ApiError::Unauthorized(_))
        ));
        assert!(matches!(
            pharmacists.admits(Some(Role::Customer)),
            Err(ApiError::Forbidden(_))
        ));
        assert!(pharmacists.admits(Some(Role::Pharmacist)).is_ok());
        assert!(Access::Public.admits(None).is_ok());
        assert!(Access::SignedIn.admits(Some(Role::Technician)).is_ok());
        assert!(matches!(
            Access::SignedIn.admits(None),
            Err(ApiError::Unauthorized(_))
        ));
    }
}
