//! The pharmacist's side: the queue, one prescription laid out for review,
//! corrections (which re-run the checks), and the signed decision.

use axum::extract::State;
use rxflow_pharmacy::prescribers::NewPrescriber;
use rxflow_pharmacy::products::Product;
use rxflow_pharmacy::reviews::{Decision, QueueEntry, Verdict};
use rxflow_pharmacy::users::Role;
use serde::Deserialize;
use serde_json::{Value, json};

use super::prescriptions::visible;
use crate::auth::Principal;
use crate::auth::access::{Access, Routes};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::review::checks::needs_override;
use crate::review::decision::{
    APPROVAL_MEANING, DecisionRequest, REJECTION_MEANING, check_approval, item, record_sha256,
};
use crate::review::sheet::Sheet;
use crate::review::{Assessment, assess, parse};
use crate::routes::auth::check_password;
use crate::state::AppState;

const PHARMACIST: Access = Access::Roles(&[Role::Pharmacist]);

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/review/queue", PHARMACIST, queue)
        .get("/api/v1/review/{id}", PHARMACIST, detail)
        .patch("/api/v1/review/{id}", PHARMACIST, correct)
        .post("/api/v1/prescriptions/{id}/decision", PHARMACIST, decide)
}

#[derive(Deserialize)]
struct QueueParams {
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

async fn queue(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<QueueParams>,
) -> Result<Json<Vec<QueueEntry>>, ApiError> {
    if !(1..=500).contains(&p.limit) {
        return Err(ApiError::BadRequest("limit must be 1–500".into()));
    }
    Ok(Json(
        state
            .store
            .review_queue(p.limit, &principal.actor())
            .await?,
    ))
}

/// The stored sheet and assessment of a prescription.
async fn load(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<(Sheet, Assessment), ApiError> {
    let review = state.store.review(id, &principal.actor()).await?;
    let failure = match &review {
        Some(_) => None,
        None => state
            .store
            .job_of_prescription(id)
            .await
            .ok()
            .and_then(|j| j.last_error),
    };
    parse(review.as_ref(), failure.as_deref())
}

async fn detail(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(view(&state, &principal, id).await?))
}

/// A prescription laid out for review: what the JSON API answers and what
/// the review page renders.
pub(crate) async fn view(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Value, ApiError> {
    let rx = visible(state, principal, id).await?;
    let (sheet, assessment) = load(state, principal, id).await?;
    let profile = match rx.patient_id {
        Some(p) => Some(state.store.patient_profile(p, &principal.actor()).await?),
        None => None,
    };
    Ok(layout(&rx, &sheet, &assessment, profile.as_ref()))
}

fn layout(
    rx: &rxflow_pharmacy::prescriptions::Prescription,
    sheet: &Sheet,
    assessment: &Assessment,
    profile: Option<&rxflow_pharmacy::patients::PatientProfile>,
) -> Value {
    let findings: Vec<Value> = assessment
        .findings
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(&r.finding).unwrap_or_default();
            v["key"] = Value::from(r.key.clone());
            v["needs_override"] = Value::from(needs_override(&r.finding));
            v
        })
        .collect();
    let flags: Vec<_> = sheet.flags.iter().chain(&assessment.flags).collect();
    json!({
        "prescription_id": rx.id,
        "status": rx.status,
        "created_at": rx.created_at,
        "image_url": format!("/api/v1/prescriptions/{}/image", rx.id),
        "patient": profile,
        "fields": sheet.fields,
        "items": sheet.items,
        "lines": sheet.lines,
        "failure": sheet.failure,
        "flags": flags,
        "findings": findings,
        "flagged": assessment.flagged,
        "risk": assessment.risk,
        "to_confirm": sheet.to_confirm().map(|f| f.key.clone())
            .chain(assessment.flags.iter().map(|f| format!("flag:{}", f.code)))
            .collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Corrections {
    corrections: Vec<CorrectionInput>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrectionInput {
    key: String,
    text: String,
}

async fn correct(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(input): Json<Corrections>,
) -> Result<Json<Value>, ApiError> {
    if input.corrections.is_empty() || input.corrections.len() > 100 {
        return Err(ApiError::Unprocessable("send 1–100 corrections".into()));
    }
    let rx = visible(&state, &principal, id).await?;
    let (mut sheet, _) = load(&state, &principal, id).await?;
    let at = rxflow_pharmacy::clock::now();
    for c in &input.corrections {
        sheet.correct(
            &c.key,
            &c.text,
            &state.services.kb,
            &principal.user.username,
            &at,
        )?;
    }
    let assessment = assess(&state, &sheet, rx.patient_id).await?;
    let review = assessment.review(&sheet, state.services.kb.snapshot_id());
    let changes = json!({ "corrections": input.corrections.iter().map(|c| json!({ "key": c.key, "text": c.text })).collect::<Vec<_>>() });
    state
        .store
        .revise_review(id, &review, changes, &principal.actor())
        .await?;
    let profile = match rx.patient_id {
        Some(p) => Some(state.store.patient_profile(p, &principal.actor()).await?),
        None => None,
    };
    Ok(Json(layout(&rx, &sheet, &assessment, profile.as_ref())))
}

async fn decide(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<Json<Value>, ApiError> {
    let signer = check_password(&state, &principal.user.username, request.password.clone())
        .await
        .map_err(|_| ApiError::Unauthorized("the signature password is wrong".into()))?;
    let rx = visible(&state, &principal, id).await?;
    let (sheet, assessment) = load(&state, &principal, id).await?;
    let (meaning, items) = match request.decision {
        Verdict::Approve => {
            check_approval(&request, &sheet, &assessment)?;
            let mut items = Vec::new();
            for i in 0..sheet.items {
                let product = product_for(&state, &request, &sheet, i).await?;
                items.push(item(&sheet, i, product.map(|p| p.id))?);
            }
            (APPROVAL_MEANING, items)
        }
        Verdict::Reject => {
            if request
                .reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
            {
                return Err(ApiError::Unprocessable("a rejection needs a reason".into()));
            }
            (REJECTION_MEANING, Vec::new())
        }
    };
    let sha = record_sha256(id, &sheet, &assessment, &request, &signer.username, meaning);
    let decision = Decision {
        verdict: request.decision,
        reason: request.reason.clone(),
        overrides: serde_json::to_string(&request.overrides).unwrap_or_default(),
        confirmations: serde_json::to_string(&request.confirmations).unwrap_or_default(),
        meaning: meaning.to_string(),
        record_sha256: sha.clone(),
        items,
        prescriber_id: prescriber(&state, &sheet, &principal).await?,
    };
    state.store.decide(rx.id, &decision, &signer).await?;
    let after = state.store.prescription(id, &principal.actor()).await?;
    Ok(Json(json!({
        "prescription": after,
        "signature": { "name": signer.display_name, "meaning": meaning, "record_sha256": sha },
    })))
}

/// The stocked product for item `i`: the pharmacist's pick, else the one
/// whose NDC the drug link named, else the one of the same generic name
/// and strength.
async fn product_for(
    state: &AppState,
    request: &DecisionRequest,
    sheet: &Sheet,
    i: usize,
) -> Result<Option<Product>, ApiError> {
    if let Some(choice) = request.products.iter().find(|c| c.item == i) {
        return Ok(Some(state.store.product(choice.product_id).await?));
    }
    let Some(drug) = sheet.value(&format!("items.{i}.drug")) else {
        return Ok(None);
    };
    let name = drug.get("name").and_then(Value::as_str).unwrap_or_default();
    let strength = compact(sheet.text(&format!("items.{i}.strength")));
    let candidates = state
        .store
        .list_products(Some(name.split(" / ").next().unwrap_or(name)), 50, 0)
        .await?;
    let ndc = drug
        .get("product_ndc")
        .and_then(Value::as_str)
        .map(|n| n.replace('-', ""));
    let by_ndc = ndc
        .as_deref()
        .and_then(|n| candidates.iter().find(|p| same_product(&p.ndc, n)));
    let by_strength = || {
        candidates
            .iter()
            .find(|p| !strength.is_empty() && compact(&p.strength) == strength)
    };
    Ok(by_ndc.or_else(by_strength).cloned())
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// An 11-digit package NDC is of a product code (labeler-product, dashes
/// removed) when its first nine digits are the code padded the 5-4 way.
fn same_product(package: &str, product: &str) -> bool {
    product.len() <= 9
        && package
            .get(..9)
            .is_some_and(|p| p.trim_start_matches('0') == product.trim_start_matches('0'))
}

/// The prescriber the sheet names, by NPI, recorded if new. A prescription
/// with no valid NPI keeps none (the pharmacist has seen it on the photo).
async fn prescriber(
    state: &AppState,
    sheet: &Sheet,
    principal: &Principal,
) -> Result<Option<i64>, ApiError> {
    let (Some(npi), name) = (
        sheet.value("prescriber.npi").and_then(Value::as_str),
        sheet.text("prescriber.name"),
    ) else {
        return Ok(None);
    };
    let dea = sheet.value("prescriber.dea").and_then(Value::as_str);
    let Ok(new) = NewPrescriber::parse(if name.is_empty() { "unknown" } else { name }, npi, dea)
    else {
        return Ok(None);
    };
    Ok(Some(
        state.store.prescriber_for(&new, &principal.actor()).await?,
    ))
}
