//! FHIR R4 views of prescriptions, fills and findings, and the CDS Hooks
//! service (discovery, `order-sign`, feedback).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use rxflow_clinical::CdsIndicator;
use rxflow_pharmacy::cds::{Feedback, HookCall, IssuedCard, Outcome};
use rxflow_pharmacy::users::Role;
use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;

use super::prescriptions::visible;
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::interop::InteropError;
use crate::interop::cds_hooks::{self, FeedbackRequest, OrderSign};
use crate::interop::fhir::{self, Mitigation};
use crate::review::decision::Override;
use crate::review::parse;
use crate::state::AppState;

const CLINICAL: Access = Access::Roles(&[Role::Pharmacist, Role::Technician, Role::Customer]);
/// The EHR's integration account signs in as a pharmacist-level client.
const CDS_CLIENT: Access = Access::Roles(&[Role::Pharmacist, Role::Admin]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/fhir/MedicationRequest/{id}", CLINICAL, medication_request)
        .get(
            "/fhir/MedicationDispense/{id}",
            CLINICAL,
            medication_dispense,
        )
        .get("/fhir/DetectedIssue", CLINICAL, detected_issues)
        .get("/cds-services", Access::Public, discovery)
        .post(
            "/cds-services/rxflow-medication-safety",
            CDS_CLIENT,
            order_sign,
        )
        .post(
            "/cds-services/rxflow-medication-safety/feedback",
            CDS_CLIENT,
            feedback,
        )
}

fn fhir_json(resource: Value) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/fhir+json")],
        Json(resource),
    )
}

impl From<InteropError> for ApiError {
    fn from(e: InteropError) -> Self {
        match e.http_status() {
            400 => ApiError::BadRequest(e.to_string()),
            _ => ApiError::Unprocessable(e.to_string()),
        }
    }
}

async fn medication_request(
    State(state): State<AppState>,
    principal: Principal,
    Path(item_id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let rx_id = state.store.prescription_of_item(item_id).await?;
    let rx = visible(&state, &principal, rx_id).await?;
    let item = rx
        .items
        .iter()
        .find(|i| i.id == item_id)
        .ok_or_else(|| ApiError::NotFound(format!("MedicationRequest {item_id}")))?;
    Ok(fhir_json(fhir::medication_request(&rx, item)))
}

async fn medication_dispense(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let record = state.store.dispense_record(id, &principal.actor()).await?;
    let rx = visible(&state, &principal, record.dispense.prescription_id).await?;
    let item = rx
        .items
        .iter()
        .find(|i| i.id == record.dispense.item_id)
        .ok_or_else(|| ApiError::NotFound(format!("MedicationDispense {id}")))?;
    let performer = format!("Practitioner/{}", fhir_safe(&record.dispensed_by));
    Ok(fhir_json(fhir::medication_dispense(
        &record.dispense,
        item,
        &rx,
        &record.dispensed_at,
        &performer,
    )))
}

/// A user name as a FHIR id: `[A-Za-z0-9-.]`, at most 64.
fn fhir_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

#[derive(Deserialize)]
struct IssueSearch {
    patient: String,
}

/// Every finding on the patient's prescriptions, with the pharmacist's
/// override as the mitigation where there was one.
async fn detected_issues(
    State(state): State<AppState>,
    principal: Principal,
    Query(q): Query<IssueSearch>,
) -> Result<impl IntoResponse, ApiError> {
    let patient: i64 = q
        .patient
        .trim_start_matches("Patient/")
        .parse()
        .map_err(|_| ApiError::BadRequest("patient must be a Patient id".into()))?;
    principal.may_see_patient(Some(patient))?;
    let actor = principal.actor();
    let mut issues = Vec::new();
    for summary in state.store.prescriptions_of(patient, &actor).await? {
        let rx = state.store.prescription(summary.id, &actor).await?;
        let Some(review) = state.store.review(rx.id, &actor).await? else {
            continue;
        };
        let (_, assessment) = parse(Some(&review), None)?;
        let signature = state.store.signature(rx.id).await?;
        let overrides: Vec<Override> = signature
            .as_ref()
            .and_then(|s| serde_json::from_value(s.overrides.clone()).ok())
            .unwrap_or_default();
        let implicated: Vec<String> = rx
            .items
            .iter()
            .map(|i| format!("MedicationRequest/{}", i.id))
            .collect();
        for (n, r) in assessment.findings.iter().enumerate() {
            let given = overrides.iter().find(|o| o.finding == r.key);
            let display = given
                .and_then(|o| {
                    r.finding
                        .override_reasons
                        .iter()
                        .find(|c| c.code == o.reason)
                })
                .map(|c| c.display.to_string())
                .unwrap_or_default();
            let author = signature
                .as_ref()
                .map(|s| format!("Practitioner/{}", s.signer_id))
                .unwrap_or_default();
            let mitigation = given.zip(signature.as_ref()).map(|(o, s)| Mitigation {
                code: &o.reason,
                display: &display,
                date: &s.signed_at,
                author: &author,
            });
            let id = format!("rx{}-{}", rx.id, n + 1);
            issues.push(fhir::detected_issue(
                &r.finding,
                patient,
                &id,
                &implicated,
                mitigation.as_ref(),
            ));
        }
    }
    Ok(fhir_json(fhir::searchset(issues)))
}

async fn discovery() -> Json<Value> {
    Json(cds_hooks::discovery())
}

async fn order_sign(
    State(state): State<AppState>,
    principal: Principal,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request = OrderSign::parse(&body)?;
    let (regimen, profile, unresolved) = cds_hooks::regimen(
        &state.services.kb,
        &request,
        rxflow_pharmacy::clock::today(),
    );
    let findings = state.services.kb.check(&regimen, &profile);
    let response = cds_hooks::cards(&findings, &unresolved, &request.hook_instance);
    let issued: Vec<IssuedCard<'_>> = response
        .cards
        .iter()
        .map(|c| IssuedCard {
            uuid: &c.uuid,
            rule_key: &c.rule_key,
            indicator: match c.indicator {
                CdsIndicator::Critical => "critical",
                CdsIndicator::Warning => "warning",
                CdsIndicator::Info => "info",
            },
        })
        .collect();
    let call = HookCall {
        hook_instance: &request.hook_instance,
        user_id: &request.user_id,
        patient_id: &request.patient_id,
        encounter_id: request.encounter_id.as_deref(),
    };
    state
        .store
        .record_cards(&call, &issued, &principal.actor())
        .await?;
    metrics::counter!("rxflow_cds_cards_total").increment(response.cards.len() as u64);
    Ok(Json(
        serde_json::to_value(&response).map_err(|e| ApiError::Internal(e.to_string()))?,
    ))
}

async fn feedback(State(state): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let entries = FeedbackRequest::parse(&body)?;
    let texts: Vec<(String, String)> = entries
        .iter()
        .map(|f| {
            (
                f.card.to_string(),
                f.at.format(&Rfc3339).unwrap_or_default(),
            )
        })
        .collect();
    let records: Vec<Feedback<'_>> = entries
        .iter()
        .zip(&texts)
        .map(|(f, (card, at))| Feedback {
            card_uuid: card,
            outcome: match f.outcome {
                cds_hooks::Outcome::Accepted => Outcome::Accepted,
                cds_hooks::Outcome::Overridden => Outcome::Overridden,
            },
            override_code: f.reason.as_deref(),
            comment: f.comment.as_deref(),
            outcome_at: at,
        })
        .collect();
    state.store.record_feedback(&records).await?;
    Ok(Json(serde_json::json!({ "recorded": records.len() })))
}
