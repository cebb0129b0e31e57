//! Dispensing at the counter: a verified item is filled from an order's
//! reservation or from the shelf, first-expiry-first-out, and the label is
//! returned ready to print.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rxflow_intake::parse::parse_sig;
use rxflow_pharmacy::dispensing::{Dispense, Source};
use rxflow_pharmacy::prescriptions::{Item, Prescription};
use rxflow_pharmacy::users::Role;
use rxflow_pharmacy::{Actor, Quantity};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

const COUNTER: Access = Access::Roles(&[Role::Pharmacist, Role::Technician]);

pub fn routes() -> Routes {
    Routes::new().post("/api/v1/dispenses", COUNTER, dispense)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fill {
    item_id: i64,
    /// The reservation an order made for this item; without one the units
    /// come from unreserved stock.
    reservation_id: Option<i64>,
    quantity: Option<i64>,
}

/// What a label says of the prescription itself, before any unit is
/// picked: also the preview at the counter.
#[derive(Serialize)]
pub(crate) struct LabelHead {
    pub patient: String,
    pub drug: String,
    pub directions: String,
    pub prescriber: Option<String>,
    pub prescription_id: i64,
}

#[derive(Serialize)]
pub(crate) struct Label {
    #[serde(flatten)]
    head: LabelHead,
    quantity: i64,
    lots: Vec<LabelLot>,
    refills_left: i64,
    fill_number: i64,
    dispensed_by: String,
}

#[derive(Serialize)]
struct LabelLot {
    lot_number: String,
    expiry: String,
    quantity: i64,
}

async fn dispense(
    State(state): State<AppState>,
    principal: Principal,
    Json(f): Json<Fill>,
) -> Result<impl IntoResponse, ApiError> {
    let source = match (f.reservation_id, f.quantity) {
        (Some(r), None) => Source::Reservation(r),
        (None, Some(q)) => Source::Shelf(Quantity::new(q)?),
        _ => {
            return Err(ApiError::Unprocessable(
                "give either reservation_id or quantity".into(),
            ));
        }
    };
    let actor = principal.actor();
    let done = state.store.dispense(f.item_id, source, &actor).await?;
    let label = label(&state, &done, &principal.user.display_name, &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "dispense": done, "label": label })),
    ))
}

pub(crate) async fn label(
    state: &AppState,
    d: &Dispense,
    by: &str,
    actor: &Actor,
) -> Result<Label, ApiError> {
    let rx = state.store.prescription(d.prescription_id, actor).await?;
    let item =
        rx.items.iter().find(|i| i.id == d.item_id).ok_or_else(|| {
            ApiError::Internal(format!("item {} left its prescription", d.item_id))
        })?;
    let ids: Vec<i64> = d.lots.iter().map(|a| a.lot_id).collect();
    let lots = state
        .store
        .lots(&ids)
        .await?
        .into_iter()
        .zip(&d.lots)
        .map(|(lot, a)| LabelLot {
            lot_number: lot.lot_number,
            expiry: lot.expiry,
            quantity: a.quantity,
        })
        .collect();
    Ok(Label {
        head: label_head(state, &rx, item, actor).await?,
        quantity: d.quantity,
        lots,
        refills_left: d.refills_left,
        fill_number: d.fill_number,
        dispensed_by: by.to_string(),
    })
}

pub(crate) async fn label_head(
    state: &AppState,
    rx: &Prescription,
    item: &Item,
    actor: &Actor,
) -> Result<LabelHead, ApiError> {
    let patient = match rx.patient_id {
        Some(p) => {
            let profile = state.store.patient_profile(p, actor).await?;
            format!(
                "{} {}",
                profile.patient.first_name, profile.patient.last_name
            )
        }
        None => String::new(),
    };
    let prescriber = match rx.prescriber_id {
        Some(p) => Some(state.store.prescriber(p).await?.name),
        None => None,
    };
    let drug = [
        Some(item.drug.as_str()),
        item.strength.as_deref(),
        item.form.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Ok(LabelHead {
        patient,
        drug,
        // Plain words when the directions parse; as written otherwise.
        directions: parse_sig(&item.sig).map_or_else(|_| item.sig.clone(), |s| s.plain_english()),
        prescriber,
        prescription_id: rx.id,
    })
}
