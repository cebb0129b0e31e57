//! What the checks look at: the regimen (new items plus active medications)
//! and the patient's profile. Doses are structured (amount × times per
//! day); parsing free-text sigs is intake's job.

use crate::error::{ClinicalError, Result};
use crate::model::IngredientId;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    /// On the prescription being checked.
    New,
    /// Already on the patient's active profile.
    Active,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    Oral,
    Sublingual,
    Buccal,
    Intravenous,
    Intramuscular,
    Subcutaneous,
    Topical,
    Transdermal,
    Ophthalmic,
    Otic,
    Nasal,
    Inhalation,
    Rectal,
    Vaginal,
}

impl Route {
    /// Given by injection or infusion.
    pub fn is_parenteral(self) -> bool {
        matches!(
            self,
            Route::Intravenous | Route::Intramuscular | Route::Subcutaneous
        )
    }

    /// Reaches the circulation in meaningful amounts.
    pub fn is_systemic(self) -> bool {
        self.is_parenteral()
            || matches!(
                self,
                Route::Oral
                    | Route::Sublingual
                    | Route::Buccal
                    | Route::Transdermal
                    | Route::Rectal
            )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Route::Oral => "oral",
            Route::Sublingual => "sublingual",
            Route::Buccal => "buccal",
            Route::Intravenous => "intravenous",
            Route::Intramuscular => "intramuscular",
            Route::Subcutaneous => "subcutaneous",
            Route::Topical => "topical",
            Route::Transdermal => "transdermal",
            Route::Ophthalmic => "ophthalmic",
            Route::Otic => "otic",
            Route::Nasal => "nasal",
            Route::Inhalation => "inhalation",
            Route::Rectal => "rectal",
            Route::Vaginal => "vaginal",
        }
    }
}

impl FromStr for Route {
    type Err = ClinicalError;
    fn from_str(s: &str) -> Result<Self> {
        let r = match s.trim().to_ascii_lowercase().as_str() {
            "oral" | "po" | "by mouth" => Route::Oral,
            "sublingual" | "sl" => Route::Sublingual,
            "buccal" => Route::Buccal,
            "intravenous" | "iv" => Route::Intravenous,
            "intramuscular" | "im" => Route::Intramuscular,
            "subcutaneous" | "sc" | "subq" | "sq" => Route::Subcutaneous,
            "topical" | "cutaneous" => Route::Topical,
            "transdermal" | "td" => Route::Transdermal,
            "ophthalmic" | "eye" => Route::Ophthalmic,
            "otic" | "ear" => Route::Otic,
            "nasal" | "intranasal" => Route::Nasal,
            "inhalation" | "inhaled" | "respiratory (inhalation)" | "inh" => Route::Inhalation,
            "rectal" | "pr" => Route::Rectal,
            "vaginal" | "pv" => Route::Vaginal,
            other => return Err(ClinicalError::Input(format!("unknown route {other:?}"))),
        };
        Ok(r)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DoseUnit {
    Mg,
    Mcg,
    G,
    #[serde(rename = "mL")]
    Ml,
    Units,
    Puffs,
    #[serde(rename = "mEq")]
    Meq,
}

impl DoseUnit {
    /// Factor to milligrams for mass units; other units only compare with
    /// themselves.
    pub fn to_mg(self) -> Option<f64> {
        match self {
            DoseUnit::Mg => Some(1.0),
            DoseUnit::Mcg => Some(0.001),
            DoseUnit::G => Some(1000.0),
            _ => None,
        }
    }

    /// Converts `amount` of `self` into `target`, when both measure the same.
    pub fn convert(self, amount: f64, target: DoseUnit) -> Option<f64> {
        if self == target {
            return Some(amount);
        }
        Some(amount * self.to_mg()? / target.to_mg()?)
    }
}

impl FromStr for DoseUnit {
    type Err = ClinicalError;
    fn from_str(s: &str) -> Result<Self> {
        let u = match s.trim().to_ascii_lowercase().as_str() {
            "mg" => DoseUnit::Mg,
            "mcg" | "µg" | "ug" => DoseUnit::Mcg,
            "g" | "gm" => DoseUnit::G,
            "ml" => DoseUnit::Ml,
            "unit" | "units" | "iu" | "u" => DoseUnit::Units,
            "puff" | "puffs" => DoseUnit::Puffs,
            "meq" => DoseUnit::Meq,
            other => return Err(ClinicalError::Input(format!("unknown dose unit {other:?}"))),
        };
        Ok(u)
    }
}

/// A structured dose: `amount` `unit` per administration, `per_day` times a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dose {
    pub amount: f64,
    pub unit: DoseUnit,
    pub per_day: f64,
}

impl Dose {
    pub fn new(amount: f64, unit: DoseUnit, per_day: f64) -> Result<Self> {
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !ok(amount) || !ok(per_day) || per_day > 48.0 {
            return Err(ClinicalError::Input(format!(
                "dose {amount} × {per_day}/day is not plausible"
            )));
        }
        Ok(Dose {
            amount,
            unit,
            per_day,
        })
    }

    pub fn daily(&self) -> f64 {
        self.amount * self.per_day
    }
}

/// Times per day from a sig frequency code (qd, bid, q8h …) or a number.
pub fn per_day(code: &str) -> Result<f64> {
    let c = code.trim().to_ascii_lowercase().replace('.', "");
    let v = match c.as_str() {
        "qd" | "daily" | "od" | "qam" | "qpm" | "qhs" | "hs" => 1.0,
        "bid" => 2.0,
        "tid" => 3.0,
        "qid" => 4.0,
        _ => {
            if let Some(h) = c.strip_prefix('q').and_then(|h| h.strip_suffix('h')) {
                let hours: f64 = h
                    .parse()
                    .map_err(|_| ClinicalError::Input(format!("unknown frequency {code:?}")))?;
                if hours.is_nan() || hours <= 0.0 {
                    return Err(ClinicalError::Input(format!("unknown frequency {code:?}")));
                }
                24.0 / hours
            } else {
                c.parse()
                    .map_err(|_| ClinicalError::Input(format!("unknown frequency {code:?}")))?
            }
        }
    };
    Ok(v)
}

/// Parses `DRUG:AMOUNT:UNIT:FREQUENCY` (`acetaminophen:1000:mg:q6h`), the
/// CLI's structured dose; the frequency is a sig code or times per day.
pub fn parse_dose_spec(spec: &str) -> Result<(String, Dose)> {
    let parts: Vec<&str> = spec.rsplitn(4, ':').collect();
    let [freq, unit, amount, drug] = parts.as_slice() else {
        return Err(ClinicalError::Input(format!(
            "dose {spec:?} is not DRUG:AMOUNT:UNIT:FREQUENCY"
        )));
    };
    let amount: f64 = amount
        .trim()
        .parse()
        .map_err(|_| ClinicalError::Input(format!("dose amount {amount:?} is not a number")))?;
    Ok((
        drug.trim().to_string(),
        Dose::new(amount, unit.parse()?, per_day(freq)?)?,
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimenItem {
    /// What the prescription or profile calls it ("Bactrim DS").
    pub label: Arc<str>,
    pub ingredients: Vec<IngredientId>,
    /// Product index when the exact product is known (NDC).
    pub product: Option<u32>,
    /// The dose of a single-ingredient product.
    pub dose: Option<Dose>,
    /// The dose of each ingredient of a combination ("5/325 mg": 10 mg of
    /// hydrocodone and 650 mg of acetaminophen a dose).
    #[serde(default)]
    pub ingredient_doses: Vec<(IngredientId, Dose)>,
    pub route: Option<Route>,
    pub status: ItemStatus,
}

impl RegimenItem {
    pub fn new(
        label: impl Into<Arc<str>>,
        ingredients: Vec<IngredientId>,
        status: ItemStatus,
    ) -> Self {
        RegimenItem {
            label: label.into(),
            ingredients,
            product: None,
            dose: None,
            ingredient_doses: Vec::new(),
            route: None,
            status,
        }
    }

    pub fn with_dose(mut self, dose: Dose) -> Self {
        self.dose = Some(dose);
        self
    }

    pub fn with_ingredient_doses(mut self, doses: Vec<(IngredientId, Dose)>) -> Self {
        self.ingredient_doses = doses;
        self
    }

    /// How much of `ingredient` the item gives, where that is known.
    pub fn dose_of(&self, ingredient: IngredientId) -> Option<Dose> {
        match self.ingredients.as_slice() {
            [only] if *only == ingredient => self.dose,
            _ => self
                .ingredient_doses
                .iter()
                .find(|(id, _)| *id == ingredient)
                .map(|(_, dose)| *dose),
        }
    }

    pub fn with_route(mut self, route: Route) -> Self {
        self.route = Some(route);
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Regimen {
    pub items: Vec<RegimenItem>,
}

impl Regimen {
    pub fn new(items: Vec<RegimenItem>) -> Self {
        Regimen { items }
    }

    /// The pairs to check: each new item against everything else. With no
    /// new item (a profile review) every pair is checked.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let any_new = self.items.iter().any(|i| i.status == ItemStatus::New);
        let n = self.items.len();
        (0..n)
            .flat_map(move |x| (x + 1..n).map(move |y| (x, y)))
            .filter(move |&(x, y)| {
                !any_new
                    || self.items[x].status == ItemStatus::New
                    || self.items[y].status == ItemStatus::New
            })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PatientProfile {
    pub age_years: Option<f64>,
    pub weight_kg: Option<f64>,
    /// As recorded: an ingredient ("amoxicillin"), a group ("penicillins")
    /// or an alias ("pcn", "sulfa").
    pub allergies: Vec<String>,
    /// `Some(true)` known impaired, `Some(false)` known normal, `None` unknown.
    pub renal_impairment: Option<bool>,
    pub hepatic_impairment: Option<bool>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn frequencies() {
        assert_eq!(per_day("BID").unwrap(), 2.0);
        assert_eq!(per_day("q6h").unwrap(), 4.0);
        assert_eq!(per_day("3").unwrap(), 3.0);
        assert!(per_day("sometimes").is_err());
        assert!(per_day("q0h").is_err());
    }

    #[test]
    fn dose_specs() {
        let (drug, dose) = parse_dose_spec("acetaminophen:1000:mg:q6h").unwrap();
        assert_eq!(drug, "acetaminophen");
        assert_eq!(dose.daily(), 4000.0);
        assert!(parse_dose_spec("acetaminophen:lots:mg:q6h").is_err());
        assert!(parse_dose_spec("acetaminophen").is_err());
    }

    #[test]
    fn units_convert() {
        assert_eq!(DoseUnit::G.convert(4.0, DoseUnit::Mg), Some(4000.0));
        assert_eq!(DoseUnit::Ml.convert(4.0, DoseUnit::Mg), None);
        assert!(Dose::new(f64::NAN, DoseUnit::Mg, 1.0).is_err());
    }

    #[test]
    fn pairs_involve_a_new_item() {
        let item = |s| RegimenItem::new("x", vec![], s);
        let r = Regimen::new(vec![
            item(ItemStatus::Active),
            item(ItemStatus::Active),
            item(ItemStatus::New),
        ]);
        assert_eq!(r.pairs().collect::<Vec<_>>(), vec![(0, 2), (1, 2)]);
    }
}
