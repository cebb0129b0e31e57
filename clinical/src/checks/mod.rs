//! The checks behind `Kb::check`. Each one reads the regimen and profile and
//! appends findings; none allocates on pairs that have nothing to report.

mod allergy;
mod conditions;
mod controlled;
mod dose;
mod duplicates;
mod interactions;

use crate::finding::Finding;
use crate::kb::Kb;
use crate::model::IngredientId;
use crate::regimen::{PatientProfile, Regimen};

impl Kb {
    /// All findings for a regimen, most severe first.
    pub fn check(&self, regimen: &Regimen, profile: &PatientProfile) -> Vec<Finding> {
        let mut out = Vec::new();
        interactions::check(self, regimen, profile, &mut out);
        duplicates::check(self, regimen, &mut out);
        allergy::check(self, regimen, profile, &mut out);
        dose::check(self, regimen, profile, &mut out);
        controlled::check(self, regimen, &mut out);
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.kind.cmp(&b.kind)));
        out
    }

    pub(crate) fn names_of(&self, ids: &[IngredientId]) -> Vec<String> {
        ids.iter()
            .map(|&i| self.ingredient_name(i).to_string())
            .collect()
    }
}
