//! Templates: compiled into the binary, parsed once, rendered with the
//! signed-in user and their navigation around every page.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use rxflow_pharmacy::users::Role;
use serde_json::{Value, json};
use std::sync::LazyLock;

use super::PageError;
use crate::auth::Principal;
use crate::error::ApiError;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

const SOURCES: &[(&str, &str)] = templates!(
    "base.html",
    "error.html",
    "login.html",
    "register.html",
    "my.html",
    "orders.html",
    "queue.html",
    "review.html",
    "dispensing.html",
    "inventory.html",
    "product.html",
    "reorder.html",
    "admin.html",
);

static ENVIRONMENT: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in SOURCES {
        env.add_template(name, source)
            .map_err(|e| format!("template {name}: {e:#}"))?;
    }
    Ok(env)
});

/// A page for `principal`: the template with `context`, the user and the
/// navigation their role has.
pub fn page(
    template: &str,
    principal: Option<&Principal>,
    mut context: Value,
) -> Result<Page, PageError> {
    if let Some(p) = principal {
        context["user"] = json!({
            "username": p.user.username,
            "display_name": p.user.display_name,
            "role": p.user.role.as_str(),
        });
        context["nav"] = json!(
            nav(p.user.role)
                .iter()
                .map(|(href, label)| json!({ "href": href, "label": label }))
                .collect::<Vec<_>>()
        );
    }
    Ok(Page(bare(template, context)?))
}

/// A rendered page. Scripts come only from this site, and pages that carry
/// patient data are not kept by the browser or anything between.
pub struct Page(String);

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
    form-action 'self'";

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = Html(self.0).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(POLICY),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

/// The template rendered with exactly `context`.
pub fn bare(template: &str, context: Value) -> Result<String, ApiError> {
    let env = ENVIRONMENT
        .as_ref()
        .map_err(|e| ApiError::Internal(e.clone()))?;
    env.get_template(template)
        .and_then(|t| t.render(context))
        .map_err(|e| ApiError::Internal(format!("rendering {template}: {e:#}")))
}

/// Where each role works, in the order they reach for it.
fn nav(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Customer => &[("/my", "My prescriptions"), ("/my/orders", "My orders")],
        Role::Pharmacist => &[
            ("/review", "Review queue"),
            ("/dispensing", "Dispensing"),
            ("/inventory", "Stock"),
        ],
        Role::Technician => &[("/dispensing", "Dispensing"), ("/inventory", "Stock")],
        Role::InventoryManager => &[("/inventory", "Stock"), ("/inventory/reorder", "Reorder")],
        Role::Admin => &[("/admin", "Administration"), ("/inventory", "Stock")],
    }
}

/// The home page of a role.
pub fn home(role: Role) -> &'static str {
    nav(role)[0].0
}

/// `next` when it is a path on this site, so that sign-in cannot be used to
/// send someone elsewhere.
pub fn safe_next(next: &str) -> Option<&str> {
    let ours = next.starts_with('/')
        && !next.starts_with("//")
        && next
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-_".contains(&b));
    ours.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        assert!(ENVIRONMENT.is_ok(), "{:?}", ENVIRONMENT.as_ref().err());
    }

    #[test]
    fn sign_in_returns_only_to_this_site() {
        assert_eq!(safe_next("/review/12"), Some("/review/12"));
        assert_eq!(safe_next("//evil.example/x"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/a?b=c"), None);
        assert_eq!(safe_next("/a\\b"), None);
    }

    #[test]
    fn every_role_has_a_home() {
        for role in Role::ALL {
            assert!(home(role).starts_with('/'));
        }
    }
}
