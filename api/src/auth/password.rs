//! Argon2id password hashing (the OWASP-recommended parameters are the
//! crate's defaults). Hashing takes tens of milliseconds of CPU on purpose,
//! so it runs off the async threads.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::ApiError;

/// What a password must be: long enough to resist guessing, short enough
/// that hashing it cannot be used to burn CPU.
pub fn acceptable(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if !(10..=128).contains(&n) {
        return Err(ApiError::Unprocessable(
            "a password must be 10–128 characters".into(),
        ));
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, ApiError> {
    acceptable(&password)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| ApiError::Internal(format!("salting a password: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hashing task: {e}")))?
}

/// False for a wrong password and for a malformed stored hash alike.
pub async fn verify(password: String, stored: String) -> bool {
    if password.chars().count() > 128 {
        return false;
    }
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_salted() {
        let a = hash("correct horse battery".into()).await.ok();
        let b = hash("correct horse battery".into()).await.ok();
        let (Some(a), Some(b)) = (a, b) else {
            panic!("hashing failed");
        };
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery".into(), a.clone()).await);
        assert!(!verify("correct horse batterz".into(), a).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
    }

    #[tokio::test]
    async fn short_and_huge_passwords_are_refused() {
        assert!(hash("short".into()).await.is_err());
        assert!(hash("x".repeat(129)).await.is_err());
    }
}
