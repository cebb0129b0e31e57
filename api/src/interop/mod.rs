//! Interoperability: FHIR R4 JSON views of the store's records and the
//! CDS Hooks 2.0 service logic. Everything here is pure (plain inputs in,
//! JSON or typed serde values out) so the routes stay thin and the
//! translations are tested without a server or a database.

pub(crate) mod cds_hooks;
pub(crate) mod fhir;
/// Shape checks of the FHIR resources built here, for tests (also the
/// end-to-end ones) and for anyone validating what they receive.
pub mod shape;

#[cfg(test)]
mod cds_hooks_tests;
#[cfg(test)]
pub(crate) mod test_kb;

/// rxflow's own code systems. They are stable identifiers that EHRs store
/// alongside our codes, so they must never change once published.
pub(crate) const KB_INGREDIENT_SYSTEM: &str = "https://rxflow.dev/fhir/CodeSystem/kb-ingredient";
/// The clinical crate's override codes, under the system it names them in.
pub(crate) const OVERRIDE_REASON_SYSTEM: &str = rxflow_clinical::finding::OVERRIDE_SYSTEM;
pub(crate) const FINDING_KIND_SYSTEM: &str = "https://rxflow.dev/fhir/CodeSystem/finding-kind";

/// Why an interop request was refused. Syntax problems are the client's
/// malformed JSON (400); the rest is well-formed but unusable (422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InteropError {
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("this service answers the {expected} hook, not {got:?}")]
    WrongHook { expected: &'static str, got: String },
    #[error("the request has no {0}")]
    Missing(&'static str),
    #[error("{0} is not a FHIR Bundle")]
    NotABundle(&'static str),
    #[error("context.draftOrders holds no MedicationRequest")]
    NoMedicationRequest,
    #[error("{what} has {count} entries; at most {limit} are accepted")]
    TooMany {
        what: &'static str,
        count: usize,
        limit: usize,
    },
    #[error("{field} is longer than {limit} characters")]
    TooLong { field: String, limit: usize },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
}

/// FHIR `id`: `[A-Za-z0-9\-\.]{1,64}`.
pub(crate) fn is_fhir_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

impl InteropError {
    /// The HTTP status the api answers with.
    pub(crate) fn http_status(&self) -> u16 {
        match self {
            InteropError::Malformed(_) => 400,
            _ => 422,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        InteropError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
