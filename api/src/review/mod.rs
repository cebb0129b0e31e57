//! Pharmacist review: the sheet (what was read), the assessment (what the
//! checks found), and the signed decision.

pub mod checks;
pub mod decision;
pub mod sheet;

use rxflow_pharmacy::reviews::Review;
use rxflow_pharmacy::{Actor, StoreError};
use serde::{Deserialize, Serialize};

use checks::{Reviewed, check};
use rxflow_pharmacy::clock::today;
use sheet::{Sheet, SheetFlag};

use crate::error::ApiError;
use crate::state::AppState;

/// The checks' outcome as stored beside the sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub findings: Vec<Reviewed>,
    /// Identity and profile flags raised by the checks (not by the reading).
    pub flags: Vec<SheetFlag>,
    pub flagged: bool,
    pub risk: i64,
}

impl Assessment {
    pub fn review(&self, sheet: &Sheet, snapshot: &str) -> Review {
        Review::new(
            serde_json::to_string(sheet).unwrap_or_default(),
            serde_json::to_string(self).unwrap_or_default(),
            self.flagged,
            self.risk,
            snapshot,
        )
    }
}

/// Runs the checks of `sheet` against the profile of `patient_id`.
pub async fn assess(
    state: &AppState,
    sheet: &Sheet,
    patient_id: Option<i64>,
) -> Result<Assessment, StoreError> {
    let record = match patient_id {
        Some(id) => Some(
            state
                .store
                .patient_profile(id, &Actor::system("checks"))
                .await?,
        ),
        None => None,
    };
    let checked = check(&state.services.kb, sheet, record.as_ref(), today());
    Ok(Assessment {
        flagged: checked.flagged || !checked.flags.is_empty(),
        findings: checked.findings,
        flags: checked.flags,
        risk: checked.risk,
    })
}

/// A stored review, parsed; a prescription the machine could not read gets
/// an empty sheet carrying the reason.
pub fn parse(
    review: Option<&Review>,
    failure: Option<&str>,
) -> Result<(Sheet, Assessment), ApiError> {
    let Some(review) = review else {
        let sheet = Sheet::unread(failure.unwrap_or("the photo has not been read yet"));
        return Ok((
            sheet,
            Assessment {
                flagged: true,
                ..Default::default()
            },
        ));
    };
    let corrupt =
        |e: serde_json::Error| ApiError::Internal(format!("a stored review does not parse: {e}"));
    Ok((
        serde_json::from_str(&review.sheet).map_err(corrupt)?,
        serde_json::from_str(&review.findings).map_err(corrupt)?,
    ))
}
