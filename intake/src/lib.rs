//! rxflow-intake: prescription image → `ExtractedPrescription`.
//!
//! Not implemented yet (issue #4). This crate deliberately exports nothing so
//! that no caller can mistake it for a working reader.
