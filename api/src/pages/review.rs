//! The pharmacist's pages: the queue, flagged first, and one prescription
//! beside its photo with the fields, findings and the signature.

use axum::extract::State;
use rxflow_pharmacy::users::Role;
use serde_json::{Value, json};

use super::PageError;
use super::render::{Page, page};
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::extract::Path;
use crate::state::AppState;

const PHARMACIST: Access = Access::Roles(&[Role::Pharmacist]);

pub fn routes() -> Routes {
    Routes::new()
        .page("/review", PHARMACIST, queue)
        .page("/review/{id}", PHARMACIST, one)
}

/// The words and class of a finding's severity rank (see
/// `review::checks::rank`); 0 is a prescription with no findings.
fn severity(rank: i64) -> (&'static str, &'static str) {
    match rank {
        4 => ("contraindicated", "Contraindicated"),
        3 => ("major", "Major"),
        2 => ("moderate", "Moderate"),
        1 => ("minor", "Minor"),
        _ => ("ok", "No findings"),
    }
}

async fn queue(State(state): State<AppState>, principal: Principal) -> Result<Page, PageError> {
    let entries = state.store.review_queue(200, &principal.actor()).await?;
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let (class, words) = severity(e.risk);
            json!({ "entry": e, "severity_class": class, "severity": words })
        })
        .collect();
    page(
        "queue.html",
        Some(&principal),
        json!({ "title": "Review queue", "here": "/review", "rows": rows }),
    )
}

async fn one(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Page, PageError> {
    let view = crate::routes::review::view(&state, &principal, id).await?;
    let awaiting = view["status"] == "needs_review";
    page(
        "review.html",
        Some(&principal),
        json!({
            "title": format!("Prescription {id}"),
            "here": "/review",
            "rx": view,
            "awaiting": awaiting,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rank_has_words() {
        for rank in 0..=4 {
            let (class, words) = severity(rank);
            assert!(!class.is_empty() && !words.is_empty());
        }
        assert_eq!(severity(4).0, "contraindicated");
        assert_eq!(severity(0).1, "No findings");
    }
}
