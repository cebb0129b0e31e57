//! Token tagger for OCR'd prescription lines.
//!
//! A frozen word-piece encoder embeds each line and a small head predicts one
//! BIO [`labels::Label`] per token. This module holds everything around that
//! head that does not need the model: the label scheme and span/token mapping
//! ([`labels`]), BIO-constrained decoding ([`viterbi`]), synthetic training
//! lines ([`corpus`]) and OCR-noise augmentation of them ([`noise`]); and
//! the head itself, with its training ([`head`]).

pub mod corpus;
pub mod drugs;
pub mod head;
pub mod labels;
pub mod noise;
pub mod viterbi;
