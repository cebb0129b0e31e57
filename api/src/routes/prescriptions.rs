//! A customer's prescriptions: the upload, their list, one of them, its
//! progress through intake, and its photo (also for the pharmacist).

use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rxflow_pharmacy::jobs::Stage;
use rxflow_pharmacy::prescriptions::{Prescription, RxStatus};
use rxflow_pharmacy::reviews::PrescriptionSummary;
use rxflow_pharmacy::users::Role;
use serde_json::{Value, json};

use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::uploads;

const CUSTOMER: Access = Access::Roles(&[Role::Customer]);
const OWNER_OR_DISPENSARY: Access =
    Access::Roles(&[Role::Customer, Role::Pharmacist, Role::Technician]);
/// The photo limit plus room for the multipart framing.
const UPLOAD_BODY: usize = 15 * 1024 * 1024 + 64 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .upload("/api/v1/prescriptions", CUSTOMER, UPLOAD_BODY, upload)
        .get("/api/v1/prescriptions", CUSTOMER, mine)
        .get("/api/v1/prescriptions/{id}", OWNER_OR_DISPENSARY, one)
        .get(
            "/api/v1/prescriptions/{id}/status",
            OWNER_OR_DISPENSARY,
            status,
        )
        .get(
            "/api/v1/prescriptions/{id}/image",
            OWNER_OR_DISPENSARY,
            image,
        )
}

async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    multipart: Multipart,
) -> Result<impl IntoResponse, ApiError> {
    let patient_id = principal.patient_id()?;
    let bytes = image_part(multipart).await?;
    let (rx, job) = uploads::receive(
        &state.store,
        state.services.uploads.clone(),
        patient_id,
        bytes,
        &principal.actor(),
    )
    .await?;
    state.services.jobs_waiting.notify_one();
    metrics::counter!("rxflow_uploads_total").increment(1);
    let status_url = format!("/api/v1/prescriptions/{rx}/status");
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, status_url.clone())],
        Json(json!({ "prescription_id": rx, "job_id": job, "status_url": status_url })),
    ))
}

/// The first file part: its bytes, whatever its name or declared type
/// (the signature decides what it is).
async fn image_part(mut multipart: Multipart) -> Result<Vec<u8>, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge("the upload is larger than 15 MB".into())
        } else {
            ApiError::BadRequest(format!(
                "the multipart body is malformed: {}",
                e.body_text()
            ))
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        if field.file_name().is_some() || field.name() == Some("image") {
            return Ok(field.bytes().await.map_err(bad)?.to_vec());
        }
    }
    Err(ApiError::BadRequest(
        "no image part: send the photo as multipart field \"image\"".into(),
    ))
}

async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<PrescriptionSummary>>, ApiError> {
    Ok(Json(
        state
            .store
            .prescriptions_of(principal.patient_id()?, &principal.actor())
            .await?,
    ))
}

pub async fn visible(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Prescription, ApiError> {
    let rx = state.store.prescription(id, &principal.actor()).await?;
    principal.may_see_patient(rx.patient_id)?;
    Ok(rx)
}

async fn one(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let rx = visible(&state, &principal, id).await?;
    let mut body = serde_json::to_value(&rx).map_err(|e| ApiError::Internal(e.to_string()))?;
    body["status_text"] = Value::from(plain_status(rx.status));
    body["image_url"] = Value::from(format!("/api/v1/prescriptions/{id}/image"));
    if let Some(signature) = state.store.signature(id).await? {
        body["verified_by"] = json!({ "name": signature.signer_name, "at": signature.signed_at, "meaning": signature.meaning });
        if rx.status == RxStatus::Rejected {
            body["rejection_reason"] = Value::from(signature.reason);
        }
    }
    Ok(Json(body))
}

/// What a customer reads for each state.
pub fn plain_status(status: RxStatus) -> &'static str {
    match status {
        RxStatus::Received | RxStatus::Extracted => "being read",
        RxStatus::NeedsReview => "waiting for pharmacist",
        RxStatus::Verified => "verified: ready to order",
        RxStatus::Rejected => "not accepted by the pharmacist",
        RxStatus::PartiallyDispensed => "partly filled",
        RxStatus::Dispensed => "filled",
        RxStatus::Cancelled => "cancelled",
    }
}

async fn status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    // The job is read first: intake closes it and moves the prescription on
    // in one transaction, so a closed job guarantees the later read sees the
    // new status. The other order can pair a done job with "received".
    let job = state.store.job_of_prescription(id).await?;
    let rx = visible(&state, &principal, id).await?;
    let progress = match job.stage {
        Stage::Queued => 5,
        Stage::Ocr => 25,
        Stage::Nlp => 60,
        Stage::Checks => 85,
        Stage::Done | Stage::Failed => 100,
    };
    Ok(Json(json!({
        "prescription_id": id,
        "status": rx.status,
        "status_text": plain_status(rx.status),
        "stage": job.stage,
        "progress": progress,
        "attempts": job.attempts,
        "done": matches!(job.stage, Stage::Done | Stage::Failed),
        "read": job.stage == Stage::Done,
    })))
}

async fn image(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let rx = visible(&state, &principal, id).await?;
    let reference = rx
        .image_ref
        .ok_or_else(|| ApiError::NotFound("this prescription has no photo".into()))?;
    let path = uploads::path_of(&state.services.uploads, &reference)?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::Unavailable(format!("reading the stored photo: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    ))
}
