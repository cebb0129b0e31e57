//! Which ingredient of a combination a written amount belongs to. "5/325 mg"
//! names its amounts in the label's order, which the prescription's drug
//! name need not follow; the drug database's products of the same
//! ingredients say which one comes in which proportion.

use crate::kb::Kb;
use crate::model::{IngredientId, Product};
use crate::regimen::{Dose, DoseUnit};

/// Two proportions agree within this relative difference (labels round).
const TOLERANCE: f64 = 0.02;

impl Kb {
    /// Pairs each dose, in the strength's written order, with its
    /// ingredient. `None` when no listed product of exactly these
    /// ingredients has its strengths in the doses' proportion.
    pub fn split_combination(
        &self,
        ingredients: &[IngredientId],
        doses: &[Dose],
    ) -> Option<Vec<(IngredientId, Dose)>> {
        if ingredients.len() < 2 || ingredients.len() != doses.len() {
            return None;
        }
        let written: Vec<f64> = doses
            .iter()
            .map(|d| d.unit.convert(d.daily(), DoseUnit::Mg))
            .collect::<Option<_>>()?;
        let mut wanted = ingredients.to_vec();
        wanted.sort_unstable();
        let owners = self
            .products()
            .iter()
            .filter(|p| p.listed)
            .filter_map(|p| strengths_of(p, &wanted))
            .find_map(|label| owners_in_proportion(&written, &label))?;
        Some(owners.into_iter().zip(doses.iter().copied()).collect())
    }
}

/// The product's strength of each ingredient in mg per its common
/// denominator ("5 mg/1; 325 mg/1"), when it holds exactly `wanted`.
fn strengths_of(product: &Product, wanted: &[IngredientId]) -> Option<Vec<(IngredientId, f64)>> {
    if product.ingredients.len() != wanted.len() {
        return None;
    }
    let mut ids: Vec<IngredientId> = product.ingredients.iter().map(|i| i.ingredient).collect();
    ids.sort_unstable();
    if ids != wanted {
        return None;
    }
    let denominator = |unit: &str| unit.split_once('/').map(|(_, per)| per.trim().to_string());
    let first = denominator(&product.ingredients.first()?.unit);
    product
        .ingredients
        .iter()
        .map(|i| {
            let (mass, _) = i.unit.split_once('/')?;
            let unit: DoseUnit = mass.parse().ok()?;
            let amount: f64 = i.strength.trim().parse().ok()?;
            let same_denominator = denominator(&i.unit) == first;
            same_denominator.then_some((i.ingredient, unit.convert(amount, DoseUnit::Mg)?))
        })
        .collect()
}

/// The ingredient of each written amount, when the amounts are the label's
/// strengths scaled by one factor; the largest goes with the largest.
fn owners_in_proportion(
    written: &[f64],
    label: &[(IngredientId, f64)],
) -> Option<Vec<IngredientId>> {
    let mut by_size: Vec<usize> = (0..written.len()).collect();
    by_size.sort_by(|&a, &b| written[a].total_cmp(&written[b]));
    let mut label = label.to_vec();
    label.sort_by(|a, b| a.1.total_cmp(&b.1));
    let scale = written[by_size[0]] / label[0].1;
    let proportional = by_size
        .iter()
        .zip(&label)
        .all(|(&w, (_, l))| (written[w] - scale * l).abs() <= TOLERANCE * written[w]);
    if !(scale.is_finite() && scale > 0.0 && proportional) {
        return None;
    }
    let mut owners = vec![label[0].0; written.len()];
    for (&w, (ingredient, _)) in by_size.iter().zip(&label) {
        owners[w] = *ingredient;
    }
    Some(owners)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYDROCODONE: IngredientId = IngredientId(1);
    const ACETAMINOPHEN: IngredientId = IngredientId(2);

    #[test]
    fn the_larger_amount_goes_with_the_larger_strength() {
        let label = [(ACETAMINOPHEN, 325.0), (HYDROCODONE, 5.0)];
        assert_eq!(
            owners_in_proportion(&[60.0, 3900.0], &label),
            Some(vec![HYDROCODONE, ACETAMINOPHEN])
        );
        assert_eq!(
            owners_in_proportion(&[3900.0, 60.0], &label),
            Some(vec![ACETAMINOPHEN, HYDROCODONE])
        );
    }

    #[test]
    fn other_proportions_are_not_this_product() {
        let label = [(ACETAMINOPHEN, 325.0), (HYDROCODONE, 5.0)];
        assert_eq!(owners_in_proportion(&[7.5, 325.0], &label), None);
        assert_eq!(owners_in_proportion(&[0.0, 325.0], &label), None);
    }

    proptest::proptest! {
        /// Whatever order the amounts are written in and however many units
        /// a dose takes, each amount finds the ingredient it scales.
        #[test]
        fn scaled_amounts_find_their_ingredients(
            strengths in proptest::collection::btree_set(1u32..2000, 2..5),
            scale in 0.1f64..40.0,
            rotate in 0usize..4,
        ) {
            let label: Vec<(IngredientId, f64)> = strengths
                .iter()
                .enumerate()
                .map(|(i, s)| (IngredientId(i as u32), f64::from(*s)))
                .collect();
            let mut written: Vec<(IngredientId, f64)> =
                label.iter().map(|(id, s)| (*id, s * scale)).collect();
            let turn = rotate % written.len();
            written.rotate_left(turn);
            let amounts: Vec<f64> = written.iter().map(|w| w.1).collect();
            let owners: Vec<IngredientId> = written.iter().map(|w| w.0).collect();
            proptest::prop_assert_eq!(owners_in_proportion(&amounts, &label), Some(owners));
        }
    }
}
