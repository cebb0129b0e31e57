//! Accepting a photo: the bytes are checked by signature and size before
//! any pixel is decoded, decoded within pixel limits, re-encoded (so what is
//! kept holds no metadata and no smuggled payload), and stored under the
//! SHA-256 of the re-encoded bytes. The client's file name is never used.

use rxflow_intake::IntakeError;
use rxflow_intake::decode::{self, UploadLimits};
use rxflow_pharmacy::jobs::Upload;
use rxflow_pharmacy::{Actor, Store};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::error::ApiError;

/// Quality of the stored JPEG: the reading and the pharmacist's eye both
/// work from it, so it stays high.
const STORED_QUALITY: u8 = 92;

pub struct Stored {
    pub sha256: String,
    /// Relative to the uploads directory.
    pub reference: String,
}

/// A photo received for `patient_id`: stored, then recorded as a
/// prescription with its intake job in one transaction. The upload route
/// and `rxflow demo seed --photo` both come this way. Returns the
/// prescription's and the job's ids.
pub async fn receive(
    store: &Store,
    dir: PathBuf,
    patient_id: i64,
    bytes: Vec<u8>,
    actor: &Actor,
) -> Result<(i64, i64), ApiError> {
    let stored = self::store(dir, bytes).await?;
    let upload = Upload {
        patient_id,
        image_ref: &stored.reference,
        image_sha256: &stored.sha256,
        max_attempts: crate::jobs::MAX_ATTEMPTS,
    };
    Ok(store.receive_upload(&upload, actor).await?)
}

/// Validates, re-encodes and stores `bytes`; off the async threads, as
/// decoding a 40 MP photo takes a while.
pub async fn store(dir: PathBuf, bytes: Vec<u8>) -> Result<Stored, ApiError> {
    tokio::task::spawn_blocking(move || store_blocking(&dir, &bytes))
        .await
        .map_err(|e| ApiError::Internal(format!("upload task: {e}")))?
}

fn store_blocking(dir: &Path, bytes: &[u8]) -> Result<Stored, ApiError> {
    let photo = decode::decode(bytes, UploadLimits::default()).map_err(refusal)?;
    let jpeg = photo.to_jpeg(STORED_QUALITY).map_err(refusal)?;
    let sha256 = hex::encode(Sha256::digest(&jpeg));
    let reference = format!("{}/{sha256}.jpg", &sha256[..2]);
    let path = dir.join(&reference);
    if !path.exists() {
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(io)?;
        // Written aside and renamed, so a crash never leaves half an image
        // under a content address.
        let partial = parent.join(format!(".{sha256}.partial"));
        std::fs::write(&partial, &jpeg).map_err(io)?;
        std::fs::rename(&partial, &path).map_err(io)?;
    }
    Ok(Stored { sha256, reference })
}

/// The stored image for `reference`, which must be a content address this
/// module wrote (so no path from a record can escape the directory).
pub fn path_of(dir: &Path, reference: &str) -> Result<PathBuf, ApiError> {
    // ASCII first: the slices below must fall on character boundaries.
    let ok = reference.is_ascii()
        && reference.len() == 2 + 1 + 64 + 4
        && reference.ends_with(".jpg")
        && reference[..2] == reference[3..5]
        && reference[3..67].chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        return Err(ApiError::NotFound("no such image".into()));
    }
    Ok(dir.join(reference))
}

/// The client's fault, with the status that says which fault.
pub fn refusal(e: IntakeError) -> ApiError {
    match e {
        IntakeError::Empty => ApiError::BadRequest(e.to_string()),
        IntakeError::TooLarge { .. } | IntakeError::TooManyPixels { .. } => {
            ApiError::PayloadTooLarge(e.to_string())
        }
        IntakeError::NotAnImage | IntakeError::UnsupportedFormat(_) => {
            ApiError::UnsupportedMediaType(e.to_string())
        }
        e if e.is_input_error() => ApiError::Unprocessable(e.to_string()),
        e => ApiError::Unavailable(e.to_string()),
    }
}

fn io(e: std::io::Error) -> ApiError {
    ApiError::Unavailable(format!("storing the upload: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_addresses_resolve() {
        let dir = Path::new("/srv/uploads");
        let sha = "ab".repeat(32);
        let good = format!("ab/{sha}.jpg");
        assert_eq!(path_of(dir, &good).ok(), Some(dir.join(&good)));
        // 71 bytes with a two-byte character where a slice would cut it.
        let multibyte = format!("aé{}.jpg", "a".repeat(64));
        for bad in [
            &multibyte,
            "../etc/passwd",
            "ab/../../x.jpg",
            &format!("cd/{sha}.jpg"),
            "",
            &format!("ab/{}.jpg", "z".repeat(64)),
        ] {
            assert!(path_of(dir, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refusals_say_which_fault() {
        assert!(matches!(
            refusal(IntakeError::NotAnImage),
            ApiError::UnsupportedMediaType(_)
        ));
        assert!(matches!(
            refusal(IntakeError::Empty),
            ApiError::BadRequest(_)
        ));
        let big = IntakeError::TooManyPixels {
            width: 10000,
            height: 10000,
            megapixels: 100.,
            limit_mp: 40,
        };
        assert!(matches!(refusal(big), ApiError::PayloadTooLarge(_)));
        assert!(matches!(
            refusal(IntakeError::Malformed("x".into())),
            ApiError::Unprocessable(_)
        ));
    }
}
