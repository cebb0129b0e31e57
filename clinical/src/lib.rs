//! rxflow-clinical: the drug knowledge base, search and safety checks.
//!
//! - `kb build` ([`build_snapshot`]) compiles the public sources fetched into
//!   `data/cache/` and the team's curated files in `data/kb/` into a
//!   content-addressed snapshot (tables + tantivy index).
//! - [`Kb::search`] finds drugs by any name, brand, salt, synonym or NDC,
//!   OCR-aware.
//! - [`Kb::check`] checks a [`Regimen`] against a [`PatientProfile`] and
//!   explains each hazard as a [`Finding`] carrying the snapshot id.

pub mod codes;

mod build;
mod checks;
mod combination;
pub mod error;
pub mod eval;
pub mod finding;
pub mod fold;
mod ids;
mod index;
mod kb;
pub mod model;
pub mod regimen;
pub mod search;
pub mod severity;
pub mod snapshot;
pub mod sources;
mod text;

pub use error::{ClinicalError, Result};
pub use finding::{Finding, FindingKind, OverrideReason, SourceRef};
pub use kb::{BuildReport, Kb, build_snapshot, default_root};
pub use model::{DeaSchedule, IngredientId};
pub use regimen::{
    Dose, DoseUnit, ItemStatus, PatientProfile, Regimen, RegimenItem, Route, parse_dose_spec,
    per_day,
};
pub use search::{Candidate, SearchResult};
pub use severity::{CdsIndicator, FhirSeverity, Severity};
pub use sources::SourcePaths;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
