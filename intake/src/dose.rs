//! The dose a prescription asks for, in the checker's terms: directions
//! ("take 2 tablets twice daily") with the strength ("500 mg") become the
//! most the patient could take in a day, for the dose-limit check.

use rxflow_clinical::{Dose, DoseUnit as Unit};

use crate::parse::sig::{Dose as Amount, DoseUnit};
use crate::parse::{Sig, Strength, StrengthUnit};

/// `None` when the directions or strength cannot say it in mass units (a
/// combination product, a liquid without its concentration, "apply thinly").
/// Ranges count at their top ("1–2 tablets" → 2) and schedules at their
/// most frequent ("every 4–6 hours" → 6 a day), as a limit check should;
/// a stated daily maximum ("max 8 tabs/day") is the prescriber's own bound.
pub fn daily_dose(sig: &Sig, strength: Option<&Strength>) -> Option<Dose> {
    if let Some((amount, unit)) = sig.max_per_day.as_ref().and_then(|m| mass(m, strength)) {
        return Dose::new(amount, unit, 1.0).ok();
    }
    let (amount, unit) = mass(sig.dose.as_ref()?, strength)?;
    Dose::new(amount, unit, sig.timing.code().max_doses_per_day()).ok()
}

/// The mass in one `amount` of the product, at the top of a range.
fn mass(amount: &Amount, strength: Option<&Strength>) -> Option<(f64, Unit)> {
    let each = amount.high().or(amount.value())?;
    match amount.unit() {
        DoseUnit::Mg => Some((each, Unit::Mg)),
        DoseUnit::Mcg => Some((each, Unit::Mcg)),
        DoseUnit::G => Some((each, Unit::G)),
        DoseUnit::Tablet | DoseUnit::Capsule => {
            let s = strength.filter(|s| !s.is_combination() && s.per().is_none())?;
            Some((each * s.amounts().first()?.to_f64(), mass_unit(s.unit())?))
        }
        _ => None,
    }
}

fn mass_unit(unit: StrengthUnit) -> Option<Unit> {
    Some(match unit {
        StrengthUnit::Mg => Unit::Mg,
        StrengthUnit::Mcg => Unit::Mcg,
        StrengthUnit::G => Unit::G,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse_sig, parse_strength};

    fn daily(sig: &str, strength: &str) -> Option<(f64, Unit)> {
        let sig = parse_sig(sig).ok()?;
        let strength = parse_strength(strength).map(|s| s.strength);
        daily_dose(&sig, strength.as_ref()).map(|d| (d.daily(), d.unit))
    }

    #[test]
    fn directions_and_strength_make_a_daily_mass() {
        assert_eq!(
            daily("take 2 tablets by mouth twice daily", "500 mg"),
            Some((2000.0, Unit::Mg))
        );
        assert_eq!(
            daily("1-2 tabs po q4-6h prn pain", "325 mg"),
            Some((3900.0, Unit::Mg))
        );
        assert_eq!(
            daily("1 tab po q6h prn, max 3 tabs/day", "500 mg"),
            Some((1500.0, Unit::Mg))
        );
        assert_eq!(
            daily("take 50 mcg by mouth daily", ""),
            Some((50.0, Unit::Mcg))
        );
    }

    #[test]
    fn what_has_no_mass_is_not_guessed() {
        assert_eq!(
            daily("take 1 tablet daily", "10 mg/12.5 mg"),
            None,
            "a combination"
        );
        assert_eq!(
            daily("take 5 mL twice daily", "250 mg/5 mL"),
            None,
            "a liquid"
        );
        assert_eq!(daily("take 1 tablet daily", ""), None, "no strength");
        assert_eq!(daily("inhale 2 puffs bid", "90 mcg"), None);
    }
}
