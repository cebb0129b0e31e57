//! `ExtractedPrescription`: what the machine read, field by field, each
//! with where it came from on the image and how sure the machine is, so a
//! pharmacist can confirm it at a glance.

use crate::ocr::geometry::BBox;
use serde::Serialize;

/// One extracted field. A field the machine did not find is still present,
/// empty, with confidence 0: the reviewer sees the gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field<T> {
    /// As read from the image.
    pub text: String,
    /// Normalised, when the text parses.
    pub value: Option<T>,
    pub confidence: f32,
    pub bbox: BBox,
    /// Other readings worth offering the reviewer, most likely first.
    pub alternatives: Vec<String>,
}

impl<T> Default for Field<T> {
    fn default() -> Self {
        Field {
            text: String::new(),
            value: None,
            confidence: 0.,
            bbox: [0.; 4],
            alternatives: Vec::new(),
        }
    }
}

impl<T> Field<T> {
    pub fn is_found(&self) -> bool {
        !self.text.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatientFields {
    pub name: Field<String>,
    /// `YYYY-MM-DD`.
    pub dob: Field<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PrescriberFields {
    pub name: Field<String>,
    pub npi: Field<String>,
    pub dea: Field<String>,
}

/// A drug linked in the knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrugRef {
    /// Knowledge-base ingredient ids, joined with `+` for combinations.
    pub id: String,
    /// Active ingredient names, joined with ` / `.
    pub name: String,
    /// The product when one with this strength and form exists.
    pub product_ndc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dispense {
    pub quantity: f64,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Item {
    pub drug: Field<DrugRef>,
    pub strength: Field<serde_json::Value>,
    pub form: Field<String>,
    pub route: Field<String>,
    pub sig: Field<serde_json::Value>,
    pub dispense: Field<Dispense>,
    pub refills: Field<u32>,
    /// 11 digits when the text is a full NDC; the product code (labeler +
    /// product) when only that was written.
    pub ndc: Field<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub code: String,
    pub message: String,
    pub bbox: BBox,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub text: String,
    pub bbox: BBox,
    pub confidence: f32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TimingMs {
    pub decode: f64,
    pub ocr: f64,
    pub nlp: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractedPrescription {
    pub patient: PatientFields,
    pub prescriber: PrescriberFields,
    /// `YYYY-MM-DD`.
    pub written_date: Field<String>,
    pub items: Vec<Item>,
    pub flags: Vec<Flag>,
    pub lines: Vec<Line>,
    pub timing_ms: TimingMs,
    /// Degrees the page was straightened by, and how it was turned.
    pub skew_degrees: f32,
    pub turned: &'static str,
}
