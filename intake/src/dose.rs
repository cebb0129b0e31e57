//! The dose a prescription asks for, in the checker's terms: directions
//! ("take 2 tablets twice daily") with the strength ("500 mg") become the
//! most the patient could take in a day, for the dose-limit check.

use rxflow_clinical::{Dose, DoseUnit as Unit};

use crate::parse::sig::{Dose as Amount, DoseUnit};
use crate::parse::{PerUnit, Sig, Strength, StrengthUnit};

/// `None` when the directions or strength cannot say it in mass units (a
/// combination product, a liquid without its concentration, "apply thinly").
/// A liquid's dose in mL (teaspoons are converted) counts at its
/// concentration, an inhaler's puffs and a nasal spray's sprays at the mass
/// per actuation, and a dose "in each nostril" twice.
/// Ranges count at their top ("1–2 tablets" → 2) and schedules at their
/// most frequent ("every 4–6 hours" → 6 a day), as a limit check should;
/// a stated daily maximum ("max 8 tabs/day") is the prescriber's own bound.
pub fn daily_dose(sig: &Sig, strength: Option<&Strength>) -> Option<Dose> {
    match daily_doses(sig, strength)?.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// As [`daily_dose`], one dose per amount of the strength in its written
/// order: "5/325 mg", two tablets every 4 hours, is 10 mg and 650 mg six
/// times a day.
pub fn daily_doses(sig: &Sig, strength: Option<&Strength>) -> Option<Vec<Dose>> {
    let scheduled = || {
        let per_day = sig.frequency()?.max_doses_per_day() * places(sig);
        Some((masses(sig.dose.as_ref()?, strength)?, per_day))
    };
    let stated = sig
        .max_per_day
        .as_ref()
        .and_then(|m| masses(m, strength))
        .map(|masses| (masses, 1.0));
    let (masses, per_day) = match (stated, scheduled()) {
        // A stated maximum bounds as-needed use.
        (Some(stated), _) if sig.as_needed => stated,
        // A regular schedule is taken as written, and a maximum above it
        // ("may increase to 4 a day") may be too: the larger counts.
        (Some(stated), Some(scheduled)) => {
            let total = |(m, n): &(Vec<(f64, Unit)>, f64)| m.first().map_or(0.0, |a| a.0 * n);
            if total(&stated) >= total(&scheduled) {
                stated
            } else {
                scheduled
            }
        }
        (stated, scheduled) => stated.or(scheduled)?,
    };
    masses
        .into_iter()
        .map(|(amount, unit)| Dose::new(amount, unit, per_day).ok())
        .collect()
}

/// Regular directions whose schedule gives more a day than the maximum
/// they state ("2 tablets every 4 hours, max 8 a day"): how many a day the
/// schedule gives and the maximum, in the dose's unit. As-needed use is
/// bounded by its maximum, so it never contradicts it.
pub fn schedule_over_max(sig: &Sig) -> Option<(f64, f64)> {
    let (dose, max) = (sig.dose.as_ref()?, sig.max_per_day.as_ref()?);
    if sig.as_needed || dose.unit() != max.unit() {
        return None;
    }
    let top = |a: &Amount| a.high().or(a.value());
    let per_day = top(dose)? * sig.frequency()?.max_doses_per_day() * places(sig);
    let max = top(max)?;
    (per_day > max * (1.0 + 1e-9)).then_some((per_day, max))
}

/// A dose "in each nostril" or "in both eyes" is given twice.
fn places(sig: &Sig) -> f64 {
    sig.side.map_or(1.0, |side| f64::from(side.places()))
}

/// The mass of each ingredient in one `amount` of the product, at the top
/// of a range.
fn masses(amount: &Amount, strength: Option<&Strength>) -> Option<Vec<(f64, Unit)>> {
    let each = amount.high().or(amount.value())?;
    let per_unit = match amount.unit() {
        DoseUnit::Mg => vec![(1.0, Unit::Mg)],
        DoseUnit::Mcg => vec![(1.0, Unit::Mcg)],
        DoseUnit::G => vec![(1.0, Unit::G)],
        DoseUnit::Tablet | DoseUnit::Capsule => per_unit(strength?, None)?,
        DoseUnit::Ml => per_unit(strength?, Some(PerUnit::Ml))?,
        // Labels say "per actuation" and "per spray" of the same device.
        DoseUnit::Puff | DoseUnit::Spray => per_unit(strength?, Some(PerUnit::Actuation))
            .or_else(|| per_unit(strength?, Some(PerUnit::Spray)))?,
        _ => return None,
    };
    Some(
        per_unit
            .into_iter()
            .map(|(mass, unit)| (each * mass, unit))
            .collect(),
    )
}

/// The mass of each ingredient in one unit of the product: one tablet
/// where the strength has no denominator, one mL of "250 mg/5 mL", one
/// actuation of "90 mcg/actuation".
fn per_unit(strength: &Strength, denominator: Option<PerUnit>) -> Option<Vec<(f64, Unit)>> {
    if strength.per().map(|p| p.unit()) != denominator {
        return None;
    }
    let volume = strength
        .per()
        .and_then(|p| p.amount())
        .map_or(1.0, |a| a.to_f64());
    let unit = mass_unit(strength.unit())?;
    Some(
        strength
            .amounts()
            .iter()
            .map(|a| (a.to_f64() / volume, unit))
            .collect(),
    )
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
            daily("1 tab po prn headache, max 4 tabs/day", "500 mg"),
            Some((2000.0, Unit::Mg)),
            "a maximum bounds as-needed use without a schedule"
        );
        assert_eq!(
            daily("take 50 mcg by mouth daily", ""),
            Some((50.0, Unit::Mcg))
        );
    }

    #[test]
    fn a_regular_schedule_counts_past_a_maximum_it_contradicts() {
        assert_eq!(
            daily(
                "take 2 tablets by mouth every 4 hours, max 8 tablets/day",
                "500 mg"
            ),
            Some((6000.0, Unit::Mg)),
            "taken as scheduled, six doses of two"
        );
        assert_eq!(
            daily("take 1 tablet by mouth daily, max 4 tablets/day", "10 mg"),
            Some((40.0, Unit::Mg)),
            "the prescriber allows up to the maximum"
        );
        assert_eq!(
            daily("1-2 tabs po q4-6h prn pain, max 8 tabs/day", "325 mg"),
            Some((2600.0, Unit::Mg)),
            "as needed, the maximum bounds it"
        );
    }

    #[test]
    fn only_a_regular_schedule_can_contradict_its_maximum() {
        let over = |s: &str| parse_sig(s).ok().and_then(|sig| schedule_over_max(&sig));
        assert_eq!(
            over("take 2 tablets by mouth every 4 hours, max 8 tablets/day"),
            Some((12.0, 8.0))
        );
        assert_eq!(
            over("take 1 tablet by mouth three times daily, max 3 tablets/day"),
            None
        );
        assert_eq!(over("1-2 tabs po q4-6h prn pain, max 8 tabs/day"), None);
        assert_eq!(over("take 2 tablets by mouth every 4 hours"), None);
        assert_eq!(over("take 10 mL every 4 hours, max 4 tablets/day"), None);
    }

    #[test]
    fn a_liquid_counts_at_its_concentration() {
        assert_eq!(
            daily("take 5 mL by mouth twice daily", "250 mg/5 mL"),
            Some((500.0, Unit::Mg))
        );
        assert_eq!(
            daily("give 2 tsp po tid", "125 mg/5 mL"),
            Some((750.0, Unit::Mg))
        );
        assert_eq!(
            daily("give 0.8 mL by mouth every 6 hours", "80 mg/0.8 mL"),
            Some((320.0, Unit::Mg))
        );
        assert_eq!(
            daily("take 10 mL at bedtime", "1 mg/mL"),
            Some((10.0, Unit::Mg))
        );
    }

    #[test]
    fn a_combination_has_a_dose_per_amount() {
        let sig = parse_sig("take 2 tablets by mouth every 4 hours as needed").ok();
        let strength = parse_strength("5/325 mg").map(|s| s.strength);
        let doses = sig.and_then(|sig| daily_doses(&sig, strength.as_ref()));
        let daily: Option<Vec<f64>> = doses.map(|d| d.iter().map(Dose::daily).collect());
        assert_eq!(daily, Some(vec![60.0, 3900.0]));
    }

    #[test]
    fn puffs_count_at_the_mass_per_actuation() {
        assert_eq!(
            daily("inhale 2 puffs every 4 hours as needed", "90 mcg/actuation"),
            Some((1080.0, Unit::Mcg))
        );
    }

    #[test]
    fn sprays_in_each_nostril_count_twice() {
        assert_eq!(
            daily("2 sprays in each nostril twice daily", "50 mcg/spray"),
            Some((400.0, Unit::Mcg))
        );
        assert_eq!(
            daily("use 1 spray per nostril once daily", "50 mcg/actuation"),
            Some((100.0, Unit::Mcg))
        );
        assert_eq!(
            daily(
                "1 spray in one nostril q2h prn migraine, max 2 sprays/day",
                "20 mg/spray"
            ),
            Some((40.0, Unit::Mg)),
            "a stated daily maximum is already the total"
        );
        assert_eq!(
            daily("2 sprays nasally daily", "50 mcg/actuation"),
            Some((100.0, Unit::Mcg)),
            "no side given: one place"
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
            daily("take 5 mL twice daily", "250 mg"),
            None,
            "a liquid without its concentration"
        );
        assert_eq!(
            daily("take 1 tablet daily", "250 mg/5 mL"),
            None,
            "tablets of a liquid's strength"
        );
        let combination = parse_strength("200-40 mg/5 mL").map(|p| p.strength);
        assert!(combination.is_some_and(|s| s.is_combination() && s.per().is_some()));
        assert_eq!(
            daily("take 10 mL twice daily", "200-40 mg/5 mL"),
            None,
            "a combination liquid"
        );
        assert_eq!(daily("take 1 tablet daily", ""), None, "no strength");
        assert_eq!(daily("inhale 2 puffs bid", "90 mcg"), None);
    }
}
