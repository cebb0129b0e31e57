//! Small derivative-free optimisers for smoothing parameters (1 to 4 of them,
//! box-bounded), written out so that fits stay allocation-light and deterministic.

/// Golden-section search for the minimum of a unimodal `f` on `[lo, hi]`.
pub fn golden_section(f: impl Fn(f64) -> f64, lo: f64, hi: f64, tol: f64) -> f64 {
    const INV_PHI: f64 = 0.618_033_988_749_894_9;
    let (mut a, mut b) = (lo, hi);
    let mut c = b - INV_PHI * (b - a);
    let mut d = a + INV_PHI * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    while b - a > tol {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - INV_PHI * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + INV_PHI * (b - a);
            fd = f(d);
        }
    }
    if fc < fd { c } else { d }
}

/// Nelder–Mead on a box: points are clamped into `[lo, hi]` so every evaluated
/// parameter vector is admissible. Clamping can flatten the simplex against a
/// bound, so the search restarts from its best point until a restart stops
/// improving (or the evaluation budget is spent). Returns the best point found.
pub fn nelder_mead(
    f: impl Fn(&[f64]) -> f64,
    start: &[f64],
    lo: &[f64],
    hi: &[f64],
    max_evals: usize,
) -> Vec<f64> {
    let mut best = start.to_vec();
    let mut best_value = f64::INFINITY;
    let mut left = max_evals;
    for _ in 0..4 {
        let (x, value, used) = nelder_mead_once(&f, &best, lo, hi, left);
        left = left.saturating_sub(used);
        let improved = value < best_value - 1e-10 * (best_value.abs().min(1e300) + 1e-12);
        if value <= best_value {
            best = x;
            best_value = value;
        }
        if !improved || left <= start.len() + 1 {
            break;
        }
    }
    best
}

fn nelder_mead_once(
    f: &impl Fn(&[f64]) -> f64,
    start: &[f64],
    lo: &[f64],
    hi: &[f64],
    max_evals: usize,
) -> (Vec<f64>, f64, usize) {
    let n = start.len();
    let clamp = |x: &mut Vec<f64>| {
        for i in 0..n {
            x[i] = x[i].clamp(lo[i], hi[i]);
        }
    };
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    let mut first = start.to_vec();
    clamp(&mut first);
    let f0 = f(&first);
    simplex.push((first.clone(), f0));
    for i in 0..n {
        let mut p = first.clone();
        let step = 0.1 * (hi[i] - lo[i]);
        p[i] = if p[i] + step <= hi[i] {
            p[i] + step
        } else {
            p[i] - step
        };
        clamp(&mut p);
        let fp = f(&p);
        simplex.push((p, fp));
    }
    let mut evals = n + 1;
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[n].1);
        if (worst - best).abs() <= 1e-10 * (best.abs() + 1e-12) {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|p| p.0[j]).sum::<f64>() / n as f64)
            .collect();
        let towards = |t: f64| -> Vec<f64> {
            let mut p: Vec<f64> = (0..n)
                .map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j]))
                .collect();
            clamp(&mut p);
            p
        };
        let reflected = towards(-1.0);
        let fr = f(&reflected);
        evals += 1;
        if fr < simplex[0].1 {
            let expanded = towards(-2.0);
            let fe = f(&expanded);
            evals += 1;
            simplex[n] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = towards(0.5);
            let fcon = f(&contracted);
            evals += 1;
            if fcon < simplex[n].1 {
                simplex[n] = (contracted, fcon);
            } else {
                let best_point = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    let mut q: Vec<f64> = (0..n)
                        .map(|j| best_point[j] + 0.5 * (p.0[j] - best_point[j]))
                        .collect();
                    clamp(&mut q);
                    p.1 = f(&q);
                    p.0 = q;
                }
                evals += n;
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, value) = simplex.swap_remove(0);
    (x, value, evals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_section_finds_parabola_minimum() {
        let x = golden_section(|x| (x - 0.3).powi(2), 0.0, 1.0, 1e-8);
        assert!((x - 0.3).abs() < 1e-6);
    }

    #[test]
    fn nelder_mead_respects_bounds_and_converges() {
        let f = |p: &[f64]| (p[0] - 0.2).powi(2) + (p[1] - 2.0).powi(2);
        let x = nelder_mead(f, &[0.5, 0.5], &[0.0, 0.0], &[1.0, 1.0], 500);
        assert!((x[0] - 0.2).abs() < 1e-4, "{x:?}");
        assert!((x[1] - 1.0).abs() < 1e-9, "bounded at 1: {x:?}");
    }
}
