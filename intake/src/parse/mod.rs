//! Deterministic parsers for the text fields of a prescription.
//!
//! Input is OCR text, so every parser is case-insensitive and tolerant of
//! glued units ("10mg"), abbreviation periods ("b.i.d.") and stray
//! punctuation. Parsed types are valid by construction.

mod code;
pub mod date;
pub mod decimal;
pub mod form_route;
pub mod ismp;
pub mod number;
pub mod quantity;
pub mod refills;
pub mod sig;
pub mod strength;
mod text;

pub use date::{DEFAULT_PIVOT, parse_date, parse_date_with_pivot};
pub use decimal::Decimal;
pub use form_route::{DoseForm, Route, RouteSite, Side, parse_dose_form, parse_route};
pub use ismp::{IsmpFlag, scan};
pub use number::parse_number;
pub use quantity::{DispenseUnit, ParsedQuantity, Quantity, QuantityFlag, parse_quantity};
pub use refills::parse_refills;
pub use sig::{
    Dose, DoseUnit, FrequencyCode, Meal, PeriodUnit, Sig, SigError, Timing, When, parse_sig,
};
pub use strength::{
    ParsedStrength, Per, PerUnit, Strength, StrengthUnit, leading_strength, parse_strength,
};
