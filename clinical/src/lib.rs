//! rxflow-clinical: the drug knowledge base, search and safety checks.
//!
//! So far this crate holds only the identifier codes every other crate shares
//! (NDC, NPI, DEA). The knowledge base, search and checks are issue #3; nothing
//! here pretends to check a prescription yet.

pub mod codes;
