//! Syntetos–Boylan demand classes from the average inter-demand interval (ADI)
//! and the squared coefficient of variation of non-zero sizes (CV²).

use serde::{Deserialize, Serialize};

/// ADI cut-off between regular and intermittent occurrence.
pub const ADI_CUTOFF: f64 = 1.32;
/// CV² cut-off between stable and variable demand sizes.
pub const CV2_CUTOFF: f64 = 0.49;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandClass {
    Smooth,
    Erratic,
    Intermittent,
    Lumpy,
    /// No demand at all in the history.
    Inactive,
}

impl DemandClass {
    pub const ALL: [DemandClass; 5] = [
        DemandClass::Smooth,
        DemandClass::Erratic,
        DemandClass::Intermittent,
        DemandClass::Lumpy,
        DemandClass::Inactive,
    ];

    /// Intermittent-demand methods (Croston family, aggregation) fit these classes.
    pub fn is_intermittent(self) -> bool {
        matches!(self, DemandClass::Intermittent | DemandClass::Lumpy)
    }

    pub fn name(self) -> &'static str {
        match self {
            DemandClass::Smooth => "smooth",
            DemandClass::Erratic => "erratic",
            DemandClass::Intermittent => "intermittent",
            DemandClass::Lumpy => "lumpy",
            DemandClass::Inactive => "inactive",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub class: DemandClass,
    /// Periods per non-zero demand, counted from the first non-zero period.
    pub adi: f64,
    /// Sample CV² of the non-zero sizes (0 with fewer than two of them).
    pub cv2: f64,
}

/// Classifies a demand history (leading zeros before the first demand are ignored).
pub fn classify(y: &[f64]) -> Classification {
    let first = y.iter().position(|&v| v > 0.0);
    let Some(first) = first else {
        return Classification {
            class: DemandClass::Inactive,
            adi: f64::INFINITY,
            cv2: 0.0,
        };
    };
    let active = &y[first..];
    let sizes: Vec<f64> = active.iter().copied().filter(|&v| v > 0.0).collect();
    let adi = active.len() as f64 / sizes.len() as f64;
    let cv2 = size_cv2(&sizes);
    let class = match (adi < ADI_CUTOFF, cv2 < CV2_CUTOFF) {
        (true, true) => DemandClass::Smooth,
        (true, false) => DemandClass::Erratic,
        (false, true) => DemandClass::Intermittent,
        (false, false) => DemandClass::Lumpy,
    };
    Classification { class, adi, cv2 }
}

fn size_cv2(sizes: &[f64]) -> f64 {
    if sizes.len() < 2 {
        return 0.0;
    }
    let n = sizes.len() as f64;
    let mean = sizes.iter().sum::<f64>() / n;
    let var = sizes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0);
    var / (mean * mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_offs_place_series_in_the_four_quadrants() {
        assert_eq!(
            classify(&[5.0, 6.0, 5.0, 4.0, 5.0]).class,
            DemandClass::Smooth
        );
        assert_eq!(
            classify(&[1.0, 20.0, 2.0, 30.0, 1.0]).class,
            DemandClass::Erratic
        );
        assert_eq!(
            classify(&[0.0, 2.0, 0.0, 0.0, 2.0, 0.0, 3.0]).class,
            DemandClass::Intermittent
        );
        assert_eq!(
            classify(&[0.0, 1.0, 0.0, 0.0, 40.0, 0.0, 2.0]).class,
            DemandClass::Lumpy
        );
        assert_eq!(classify(&[0.0, 0.0]).class, DemandClass::Inactive);
    }

    #[test]
    fn adi_counts_from_first_demand_and_cv2_is_sample_based() {
        let c = classify(&[0.0, 0.0, 2.0, 0.0, 4.0, 0.0]);
        assert!((c.adi - 2.0).abs() < 1e-12);
        // sizes 2, 4: mean 3, sample var 2 → CV² = 2/9
        assert!((c.cv2 - 2.0 / 9.0).abs() < 1e-12);
    }
}
