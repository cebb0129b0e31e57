//! rxflow-intake: a photographed prescription to an `ExtractedPrescription`.
//!
//! The stages, each its own module: [`decode`] (untrusted bytes to an
//! upright picture), [`ocr`] (lines with boxes and confidence), [`encoder`]
//! and [`tagger`] (MiniLM word pieces to roles and boundaries), `parse`
//! (deterministic normalisers for the closed classes), [`link`] (drugs in
//! the knowledge base), and `extract` (fields assembled per item).

pub mod cues;
pub mod decode;
pub mod dose;
pub mod drug_line;
pub mod encoder;
pub mod error;
pub mod eval;
pub mod extract;
pub mod letterhead;
pub mod link;
pub mod ocr;
pub mod parse;
pub mod pipeline;
pub mod prescription;
pub mod reread;
pub mod tagger;

pub use error::{IntakeError, Result};
