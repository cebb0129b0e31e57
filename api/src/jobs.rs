//! The intake worker pool. Each worker claims a job from the store, reads
//! the stored photo (OCR, then the language model), checks it against the
//! patient's profile and hands it to review, reporting each stage as it
//! goes. Model work runs on blocking threads, one job per worker, so the
//! pool size bounds the CPU that intake takes from serving.

use rxflow_intake::IntakeError;
use rxflow_intake::decode::{self, UploadLimits};
use rxflow_intake::prescription::ExtractedPrescription;
use rxflow_pharmacy::Actor;
use rxflow_pharmacy::jobs::{Job, Stage};
use std::time::{Duration, Instant};

use crate::review::sheet::Sheet;
use crate::review::{Assessment, assess};
use crate::state::AppState;
use crate::uploads;

/// A job whose worker has not reported for this long is presumed dead and
/// claimed again.
pub const LEASE: time::Duration = time::Duration::minutes(5);
/// An idle worker looks at the table this often even without a wake-up,
/// for jobs queued by other hosts.
const POLL: Duration = Duration::from_secs(2);
pub const MAX_ATTEMPTS: i64 = 3;

/// Starts `workers` workers named after this host and process; jobs this
/// host left running when it last stopped go back to the queue first.
pub async fn start(state: AppState, workers: usize) {
    let host = hostname();
    match state.store.requeue_jobs_of(&host).await {
        Ok(n) if n > 0 => tracing::info!(
            jobs = n,
            "requeued the jobs this host was running when it stopped"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not requeue this host's jobs"),
    }
    // Zero workers is a serving-only host; other hosts read the photos.
    for n in 0..workers {
        let name = format!("{host}:{}:{n}", std::process::id());
        tokio::spawn(work(state.clone(), name));
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

async fn work(state: AppState, name: String) {
    loop {
        match state.store.claim_job(&name, LEASE).await {
            Ok(Some(job)) => run(&state, job).await,
            Ok(None) => {
                let _ = tokio::time::timeout(POLL, state.services.jobs_waiting.notified()).await;
            }
            Err(e) => {
                tracing::warn!(worker = %name, error = %e, "claiming a job failed");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

/// Why a job stopped: an input fault is final, anything else is retried.
enum Failure {
    Input(String),
    Transient(String),
}

async fn run(state: &AppState, job: Job) {
    let started = Instant::now();
    let outcome = attempt(state, &job).await;
    let result = match outcome {
        Ok(()) => {
            metrics::histogram!("rxflow_intake_seconds").record(started.elapsed().as_secs_f64());
            Ok(())
        }
        Err(Failure::Input(why)) => state.store.job_failed(job.id, &why, false).await,
        Err(Failure::Transient(why)) => {
            tracing::warn!(job = job.id, error = %why, "intake attempt failed");
            state.store.job_failed(job.id, &why, true).await
        }
    };
    metrics::counter!("rxflow_intake_jobs_total", "outcome" => if result.is_ok() { "finished" } else { "store_error" }).increment(1);
    if let Err(e) = result {
        tracing::error!(job = job.id, error = %e, "recording the job's outcome failed");
    }
}

async fn attempt(state: &AppState, job: &Job) -> Result<(), Failure> {
    let store = &state.store;
    let transient = |e: &dyn std::fmt::Display| Failure::Transient(e.to_string());
    let rx = store
        .prescription(job.prescription_id, &Actor::system("intake"))
        .await
        .map_err(|e| transient(&e))?;
    let reference = rx.image_ref.clone().unwrap_or_default();
    let path = uploads::path_of(&state.services.uploads, &reference)
        .map_err(|e| Failure::Input(e.to_string()))?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| transient(&e))?;
    let reading = read(state, job, bytes).await?;
    store
        .job_stage(job.id, Stage::Checks)
        .await
        .map_err(|e| transient(&e))?;
    let stage = Instant::now();
    let sheet = Sheet::from_reading(&reading);
    let assessment: Assessment = assess(state, &sheet, rx.patient_id)
        .await
        .map_err(|e| transient(&e))?;
    metrics::histogram!("rxflow_intake_stage_seconds", "stage" => "checks")
        .record(stage.elapsed().as_secs_f64());
    let review = assessment.review(&sheet, state.services.kb.snapshot_id());
    store
        .complete_intake(job.id, &review)
        .await
        .map_err(|e| transient(&e))?;
    Ok(())
}

/// OCR, then NLP, on a blocking thread each, with the stage reported between.
async fn read(
    state: &AppState,
    job: &Job,
    bytes: Vec<u8>,
) -> Result<ExtractedPrescription, Failure> {
    let services = state.services.clone();
    let stage = Instant::now();
    let page = tokio::task::spawn_blocking(move || {
        let photo = decode::decode(&bytes, UploadLimits::default())?;
        services.intake.ocr().read(&photo.image)
    })
    .await
    .map_err(|e| Failure::Transient(format!("the OCR task stopped: {e}")))?
    .map_err(failure)?;
    metrics::histogram!("rxflow_intake_stage_seconds", "stage" => "ocr")
        .record(stage.elapsed().as_secs_f64());
    let ocr_ms = stage.elapsed().as_secs_f64() * 1000.;
    state
        .store
        .job_stage(job.id, Stage::Nlp)
        .await
        .map_err(|e| Failure::Transient(e.to_string()))?;
    let services = state.services.clone();
    let stage = Instant::now();
    let mut reading = tokio::task::spawn_blocking(move || {
        let mut reading = services.intake.understand(&page)?;
        reading.skew_degrees = page.skew_degrees;
        reading.turned = page.turned;
        Ok::<_, IntakeError>(reading)
    })
    .await
    .map_err(|e| Failure::Transient(format!("the language-model task stopped: {e}")))?
    .map_err(failure)?;
    metrics::histogram!("rxflow_intake_stage_seconds", "stage" => "nlp")
        .record(stage.elapsed().as_secs_f64());
    reading.timing_ms.ocr = ocr_ms;
    reading.timing_ms.nlp = stage.elapsed().as_secs_f64() * 1000.;
    Ok(reading)
}

fn failure(e: IntakeError) -> Failure {
    if e.is_input_error() {
        Failure::Input(e.to_string())
    } else {
        Failure::Transient(e.to_string())
    }
}
