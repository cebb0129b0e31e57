//! IMAPA: ADIDA at every aggregation level from 1 to the mean inter-demand
//! interval, averaged. Averaging over levels hedges against picking the wrong one.

use super::adida::{self, AdidaParams};

pub fn fit(y: &[f64]) -> Vec<AdidaParams> {
    let top = adida::aggregation_level(y);
    (1..=top).map(|k| adida::fit_level(y, k)).collect()
}

pub fn forecast(y: &[f64], levels: &[AdidaParams]) -> f64 {
    if levels.is_empty() {
        return 0.0;
    }
    levels.iter().map(|p| adida::forecast(y, *p)).sum::<f64>() / levels.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imapa_is_the_mean_over_levels() {
        let y = [0.0, 3.0, 0.0, 0.0, 3.0, 0.0, 3.0, 0.0];
        let levels = vec![
            AdidaParams {
                level: 1,
                alpha: 0.1,
            },
            AdidaParams {
                level: 2,
                alpha: 0.1,
            },
        ];
        let by_hand = (adida::forecast(&y, levels[0]) + adida::forecast(&y, levels[1])) / 2.0;
        assert!((forecast(&y, &levels) - by_hand).abs() < 1e-12);
        assert_eq!(fit(&y).len(), adida::aggregation_level(&y));
    }
}
