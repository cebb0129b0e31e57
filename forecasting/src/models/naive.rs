//! Benchmarks every forecaster must beat: last value, last season, recent mean.

/// Repeats the last observation.
pub fn naive(y: &[f64], h: usize) -> Vec<f64> {
    vec![y.last().copied().unwrap_or(0.0); h]
}

/// Repeats the last whole season (falls back to naive on shorter histories).
pub fn seasonal_naive(y: &[f64], season: usize, h: usize) -> Vec<f64> {
    if season < 2 || y.len() < season {
        return naive(y, h);
    }
    let last = &y[y.len() - season..];
    (0..h).map(|k| last[k % season]).collect()
}

/// Mean of the last `window` observations.
pub fn window_average(y: &[f64], window: usize, h: usize) -> Vec<f64> {
    let w = window.clamp(1, y.len().max(1));
    let tail = &y[y.len().saturating_sub(w)..];
    let mean = if tail.is_empty() {
        0.0
    } else {
        tail.iter().sum::<f64>() / tail.len() as f64
    };
    vec![mean; h]
}

/// Window (a whole number of seasons where there is a season) with the smallest
/// one-step squared error over the part of the history every candidate can score.
pub fn choose_window(y: &[f64], season: usize) -> usize {
    let unit = season.max(4);
    let candidates: Vec<usize> = [1, 2, 4, 8]
        .iter()
        .map(|k| k * unit)
        .filter(|w| *w < y.len())
        .collect();
    let Some(&widest) = candidates.last() else {
        return y.len().max(1);
    };
    let mut prefix = Vec::with_capacity(y.len() + 1);
    prefix.push(0.0);
    for v in y {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + v);
    }
    let sse = |w: usize| -> f64 {
        (widest..y.len())
            .map(|t| {
                let mean = (prefix[t] - prefix[t - w]) / w as f64;
                (y[t] - mean).powi(2)
            })
            .sum()
    };
    candidates
        .into_iter()
        .map(|w| (w, sse(w)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(unit, |(w, _)| w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmarks_by_hand() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(naive(&y, 2), vec![5.0, 5.0]);
        assert_eq!(seasonal_naive(&y, 2, 3), vec![4.0, 5.0, 4.0]);
        assert_eq!(window_average(&y, 2, 1), vec![4.5]);
        assert_eq!(window_average(&[], 3, 1), vec![0.0]);
    }

    #[test]
    fn window_choice_prefers_short_windows_after_a_level_shift() {
        let mut y = vec![0.0; 60];
        y.extend(vec![10.0; 60]);
        assert_eq!(choose_window(&y, 7), 7);
        let noisy: Vec<f64> = (0..200u64).map(|i| ((i * 7919 + 13) % 17) as f64).collect();
        assert!(choose_window(&noisy, 1) >= 8);
    }
}
