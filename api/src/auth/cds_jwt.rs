//! CDS Hooks clients (EHRs) sign each call with a JWT, as the CDS Hooks
//! specification asks: ES384 or RS384, `iss` a client we trust, `aud` the
//! service endpoint called, an `exp` at most five minutes away and a `jti`
//! never seen before (the store keeps them, for every process). Each trusted client's public keys come from a JWKS
//! file named in the configuration (nothing is fetched at run time), and
//! its calls act as one of our staff accounts, so that role checks and the
//! audit trail treat them as that account.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::ApiError;

/// How far ahead a client may set `exp` (the specification's five minutes),
/// and how much clock skew is forgiven either way.
const LONGEST_LIFE_SECONDS: i64 = 300;
const LEEWAY_SECONDS: u64 = 30;

/// One trusted client, as configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CdsClient {
    /// The `iss` its JWTs carry.
    pub issuer: String,
    /// Its public keys, as a JSON Web Key Set.
    pub jwks: PathBuf,
    /// The staff account its calls act as.
    pub user: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CdsClientError {
    #[error("CDS client {issuer}: cannot read its key set {path}: {reason}")]
    Keys {
        issuer: String,
        path: PathBuf,
        reason: String,
    },
    #[error("CDS clients are configured but public_url is not: it is the JWT audience")]
    NoAudience,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    exp: i64,
    jti: String,
}

struct Trusted {
    keys: JwkSet,
    user: String,
}

/// The trusted clients.
#[derive(Default)]
pub struct CdsClients {
    clients: HashMap<String, Trusted>,
    public_url: String,
}

/// A call whose signature, issuer, audience and lifetime check out. Its
/// `jti` is still to be recorded as used: the store does that, so that a
/// replay to another process is refused too.
#[derive(Debug)]
pub struct Verified<'a> {
    /// The account the call acts as.
    pub user: &'a str,
    pub issuer: String,
    pub jti: String,
    pub expires_at: i64,
    /// Ids of tokens that expired before this may be forgotten.
    pub forget_before: i64,
}

impl CdsClients {
    pub fn load(clients: &[CdsClient], public_url: Option<&str>) -> Result<Self, CdsClientError> {
        if clients.is_empty() {
            return Ok(CdsClients::default());
        }
        let public_url = public_url.ok_or(CdsClientError::NoAudience)?;
        let mut trusted = HashMap::new();
        for client in clients {
            let keys = read_keys(client)?;
            let user = client.user.clone();
            trusted.insert(client.issuer.clone(), Trusted { keys, user });
        }
        Ok(CdsClients {
            clients: trusted,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    /// Whether `token` is a JWT rather than one of our session tokens.
    pub fn is_jwt(token: &str) -> bool {
        token.starts_with("eyJ") && token.matches('.').count() == 2
    }

    /// What a signed call to `path` is, or why it is refused.
    pub fn verify(&self, token: &str, path: &str, now: i64) -> Result<Verified<'_>, ApiError> {
        let refuse = |why: &str| ApiError::Unauthorized(format!("CDS client JWT refused: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("malformed"))?;
        if !matches!(header.alg, Algorithm::ES384 | Algorithm::RS384) {
            return Err(refuse("alg must be ES384 or RS384"));
        }
        let issuer = unverified_issuer(token).ok_or_else(|| refuse("no iss"))?;
        let client = self
            .clients
            .get(&issuer)
            .ok_or_else(|| refuse("iss is not a trusted client"))?;
        let jwk = match &header.kid {
            Some(kid) => client.keys.find(kid),
            None if client.keys.keys.len() == 1 => client.keys.keys.first(),
            None => None,
        }
        .ok_or_else(|| refuse("no key of the client matches kid"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| refuse("the client's key is unusable"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[format!("{}{path}", self.public_url)]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| refuse(&e.to_string()))?
            .claims;
        if claims.exp > now + LONGEST_LIFE_SECONDS + LEEWAY_SECONDS as i64 {
            return Err(refuse("exp is more than five minutes away"));
        }
        Ok(Verified {
            user: client.user.as_str(),
            issuer: claims.iss,
            jti: claims.jti,
            expires_at: claims.exp,
            forget_before: now - LEEWAY_SECONDS as i64,
        })
    }
}

fn read_keys(client: &CdsClient) -> Result<JwkSet, CdsClientError> {
    let fail = |reason: String| CdsClientError::Keys {
        issuer: client.issuer.clone(),
        path: client.jwks.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&client.jwks).map_err(|e| fail(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| fail(e.to_string()))
}

/// The `iss` claim before the signature is checked: it only picks whose
/// keys check the signature.
fn unverified_issuer(token: &str) -> Option<String> {
    let claims: serde_json::Value = jsonwebtoken::dangerous::insecure_decode_claims(token).ok()?;
    claims.get("iss")?.as_str().map(str::to_string)
}

#[cfg(test)]
#[path = "cds_jwt_tests.rs"]
mod tests;
