//! Reorder policy: a periodic-review order-up-to (R, S) policy with a continuous
//! review trigger s, sized from the forecast distribution, rounded to packs and
//! capped by what can be used before it expires. Plus the OpenLMIS-style
//! reference rule (average monthly consumption × months of stock).

use serde::{Deserialize, Serialize};

use crate::error::{Result, require};
use crate::pipeline::SeriesForecast;
use crate::quantiles::{Predictive, normal_cdf};
use crate::series::{DemandSeries, Frequency};

/// A lot on hand. It can be used in periods `0..expires_in` from now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lot {
    pub qty: f64,
    pub expires_in: usize,
}

/// What the pharmacy wants to achieve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "target")]
pub enum ServiceTarget {
    /// Probability of no stock-out in a replenishment cycle.
    CycleServiceLevel(f64),
    /// Share of demand served from stock.
    FillRate(f64),
}

/// Stock position and constraints of one product. Periods are the forecast's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReorderInput {
    /// Units on hand, including those in `lots`; units not in a lot never expire.
    pub on_hand: f64,
    /// Units ordered and not yet received (they arrive within the lead time).
    pub on_order: f64,
    pub lots: Vec<Lot>,
    pub lead_time: usize,
    pub review_period: usize,
    pub service: ServiceTarget,
    pub pack_size: f64,
    pub min_order: f64,
    /// Periods a newly received unit stays usable, if it expires at all.
    pub shelf_life: Option<usize>,
}

impl ReorderInput {
    fn validate(&self) -> Result<()> {
        let finite_nonneg = |v: f64| v.is_finite() && v >= 0.0;
        require(
            finite_nonneg(self.on_hand),
            "on_hand",
            "must be a non-negative number",
        )?;
        require(
            finite_nonneg(self.on_order),
            "on_order",
            "must be a non-negative number",
        )?;
        require(
            self.lots.iter().all(|l| finite_nonneg(l.qty)),
            "lots",
            "lot quantities must be non-negative",
        )?;
        require(
            self.lots.iter().map(|l| l.qty).sum::<f64>() <= self.on_hand + 1e-9,
            "lots",
            "lots hold more than is on hand",
        )?;
        require(
            self.pack_size.is_finite() && self.pack_size > 0.0,
            "pack_size",
            "must be positive",
        )?;
        require(
            finite_nonneg(self.min_order),
            "min_order",
            "must be a non-negative number",
        )?;
        require(
            self.review_period >= 1,
            "review_period",
            "must be at least one period",
        )?;
        require(
            self.shelf_life != Some(0),
            "shelf_life",
            "must be at least one period",
        )?;
        let target = match self.service {
            ServiceTarget::CycleServiceLevel(p) | ServiceTarget::FillRate(p) => p,
        };
        require(
            target > 0.0 && target < 1.0,
            "service",
            "target must lie strictly between 0 and 1",
        )
    }
}

/// A reorder suggestion with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReorderSuggestion {
    /// Mean demand over the lead time.
    pub lead_time_demand: f64,
    /// Mean demand over lead time + review period (the protection interval).
    pub protection_demand: f64,
    /// Demand quantile over the protection interval at the service level.
    pub protection_quantile: f64,
    pub safety_stock: f64,
    /// Continuous-review trigger: lead-time demand quantile.
    pub reorder_point: f64,
    pub order_up_to: f64,
    /// Usable on hand + on order.
    pub inventory_position: f64,
    /// Units on hand expected to expire before they can be used (FEFO, mean demand).
    pub expiring_units: f64,
    pub expiring_lots: usize,
    /// Most that can be used before a new lot expires (packs), if it expires.
    pub expiry_cap: Option<f64>,
    /// Order quantity before the expiry cap and minimum order.
    pub uncapped_qty: f64,
    pub suggested_qty: f64,
    /// Cycle service level used (the fill-rate target is converted to one).
    pub service_level: f64,
    pub expected_fill_rate: f64,
    pub reason: String,
}

/// Distribution of the total demand over `periods` from `from` (the last period's
/// distribution repeats past the horizon), summing independent periods.
fn total_demand(forecast: &SeriesForecast, from: usize, periods: usize) -> Predictive {
    let known = forecast.predictive.len();
    let inside = &forecast.predictive[from.min(known)..(from.saturating_add(periods)).min(known)];
    let beyond = periods - inside.len();
    let last = forecast
        .predictive
        .last()
        .copied()
        .unwrap_or(Predictive::Normal { mean: 0.0, sd: 0.0 });
    let mean = inside.iter().map(Predictive::mean).sum::<f64>() + beyond as f64 * last.mean();
    let var =
        inside.iter().map(Predictive::variance).sum::<f64>() + beyond as f64 * last.variance();
    let is_count = |p: &Predictive| matches!(p, Predictive::NegBin { .. });
    let counts = periods > 0 && inside.iter().all(is_count) && (beyond == 0 || is_count(&last));
    if counts && mean > 0.0 {
        let excess = var - mean;
        let size = if excess > 1e-12 {
            (mean * mean / excess).max(1e-3)
        } else {
            1e6
        };
        Predictive::NegBin { mean, size }
    } else {
        Predictive::Normal {
            mean,
            sd: var.max(0.0).sqrt(),
        }
    }
}

/// E[(D − s)⁺]: expected units short when `s` is available.
fn expected_shortage(d: &Predictive, s: f64) -> f64 {
    match *d {
        Predictive::Normal { mean, sd } if sd <= 0.0 => (mean - s).max(0.0),
        Predictive::Normal { mean, sd } => {
            let z = (s - mean) / sd;
            let pdf = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
            sd * (pdf - z * (1.0 - normal_cdf(z)))
        }
        Predictive::NegBin { mean, .. } => {
            // E[min(D, s)] = Σ_{k < s} P(D > k); P(D > k) = 1 − P(D < k + 1).
            let whole = s.max(0.0).floor();
            let mut used = 0.0;
            let mut k = 0.0;
            while k < whole {
                used += 1.0 - d.pit(k + 1.0);
                k += 1.0;
            }
            used += (s.max(0.0) - whole) * (1.0 - d.pit(whole + 1.0));
            (mean - used).max(0.0)
        }
    }
}

/// Expected units of each lot left unused at expiry, first-expiry-first-out
/// under the mean demand path; returns (units, lots affected).
fn expiring_stock(forecast: &SeriesForecast, lots: &[Lot]) -> (f64, usize) {
    let mut sorted = lots.to_vec();
    sorted.sort_by_key(|l| l.expires_in);
    let mut used_before = 0.0;
    let mut units = 0.0;
    let mut count = 0;
    for lot in sorted {
        let demand_until = total_demand(forecast, 0, lot.expires_in).mean();
        let used = lot.qty.min((demand_until - used_before).max(0.0));
        used_before += used;
        if lot.qty - used > 1e-9 {
            units += lot.qty - used;
            count += 1;
        }
    }
    (units, count)
}

fn round_up(qty: f64, pack: f64) -> f64 {
    (qty / pack - 1e-9).ceil().max(0.0) * pack
}

fn round_down(qty: f64, pack: f64) -> f64 {
    (qty / pack + 1e-9).floor().max(0.0) * pack
}

/// Lowest cycle service level whose order-up-to level reaches the fill-rate target.
fn level_for_fill_rate(
    forecast: &SeriesForecast,
    protection: &Predictive,
    cycle_demand: f64,
    target: f64,
) -> f64 {
    let fill = |p: f64| {
        let s = protection.quantile(forecast.level_map.level(p));
        if cycle_demand <= 0.0 {
            1.0
        } else {
            1.0 - expected_shortage(protection, s) / cycle_demand
        }
    };
    let (mut lo, mut hi) = (0.5, 0.9999);
    if fill(lo) >= target {
        return lo;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if fill(mid) >= target {
            hi = mid
        } else {
            lo = mid
        }
    }
    hi
}

fn unit_word(freq: Frequency) -> &'static str {
    match freq {
        Frequency::Daily => "days",
        Frequency::Weekly => "weeks",
        Frequency::Monthly => "months",
    }
}

/// Turns a forecast into a reorder suggestion.
pub fn suggest(forecast: &SeriesForecast, input: &ReorderInput) -> Result<ReorderSuggestion> {
    input.validate()?;
    let (lead, review) = (input.lead_time, input.review_period);
    let protection = total_demand(forecast, 0, lead + review);
    let cycle_demand = total_demand(forecast, lead, review).mean();
    let service_level = match input.service {
        ServiceTarget::CycleServiceLevel(p) => p,
        ServiceTarget::FillRate(f) => level_for_fill_rate(forecast, &protection, cycle_demand, f),
    };
    let level = forecast.level_map.level(service_level);
    let order_up_to = protection.quantile(level);
    let reorder_point = total_demand(forecast, 0, lead).quantile(level);
    let (expiring_units, expiring_lots) = expiring_stock(forecast, &input.lots);
    let inventory_position = input.on_hand - expiring_units + input.on_order;
    let uncapped_qty = round_up((order_up_to - inventory_position).max(0.0), input.pack_size);
    let expiry_cap = input
        .shelf_life
        .map(|life| expiry_cap(forecast, input, inventory_position, life));
    let suggested_qty = constrain(uncapped_qty, expiry_cap, input);
    let after = inventory_position + suggested_qty;
    let expected_fill_rate = if cycle_demand > 0.0 {
        (1.0 - expected_shortage(&protection, after) / cycle_demand).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let mut s = ReorderSuggestion {
        lead_time_demand: total_demand(forecast, 0, lead).mean(),
        protection_demand: protection.mean(),
        protection_quantile: order_up_to,
        safety_stock: order_up_to - protection.mean(),
        reorder_point,
        order_up_to,
        inventory_position,
        expiring_units,
        expiring_lots,
        expiry_cap,
        uncapped_qty,
        suggested_qty,
        service_level,
        expected_fill_rate,
        reason: String::new(),
    };
    s.reason = explain(&s, input, forecast.frequency);
    Ok(s)
}

/// Units a new lot arriving after the lead time can serve before it expires:
/// demand over its shelf life minus the older stock still left to use first.
fn expiry_cap(forecast: &SeriesForecast, input: &ReorderInput, position: f64, life: usize) -> f64 {
    let lead = input.lead_time;
    let older_left = (position - total_demand(forecast, 0, lead).mean()).max(0.0);
    let usable = total_demand(forecast, lead, life).mean() - older_left;
    round_down(usable.max(0.0), input.pack_size)
}

/// Applies the expiry cap and the minimum order. An order that cannot reach the
/// minimum without expiring stock is not placed.
fn constrain(uncapped: f64, cap: Option<f64>, input: &ReorderInput) -> f64 {
    if uncapped <= 0.0 {
        return 0.0;
    }
    let minimum = round_up(input.min_order, input.pack_size);
    let wanted = uncapped.max(minimum);
    let qty = cap.map_or(wanted, |c| wanted.min(c));
    if qty < minimum || qty <= 0.0 {
        0.0
    } else {
        qty
    }
}

fn explain(s: &ReorderSuggestion, input: &ReorderInput, freq: Frequency) -> String {
    let unit = unit_word(freq);
    let mut parts = vec![format!(
        "covers {} {unit} lead time + {} {unit} review at {:.0}% service (order-up-to {:.0}, safety stock {:.0})",
        input.lead_time,
        input.review_period,
        100.0 * s.service_level,
        s.order_up_to,
        s.safety_stock
    )];
    if s.expiring_lots > 0 {
        parts.push(format!(
            "{} lots expire before use ({:.0} units not counted)",
            s.expiring_lots, s.expiring_units
        ));
    }
    if s.suggested_qty < s.uncapped_qty {
        match s.expiry_cap {
            Some(cap) if cap < s.uncapped_qty => {
                parts.push(format!(
                    "capped at {cap:.0} units usable before expiry (wanted {:.0})",
                    s.uncapped_qty
                ));
            }
            _ => {}
        }
        if s.suggested_qty == 0.0 {
            parts.push(format!(
                "minimum order {:.0} would expire unused: not ordering",
                input.min_order
            ));
        }
    }
    if s.uncapped_qty == 0.0 {
        parts.push(format!(
            "stock position {:.0} already covers it",
            s.inventory_position
        ));
    }
    parts.join("; ")
}

/// Parameters of the OpenLMIS-style rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LmisInput {
    /// Months of history averaged into the AMC.
    pub amc_months: usize,
    /// Target maximum stock in months of AMC.
    pub months_of_stock: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmisSuggestion {
    /// Average monthly consumption (censoring-corrected).
    pub amc: f64,
    pub max_stock: f64,
    pub suggested_qty: f64,
    pub reason: String,
}

/// Reference rule: order up to AMC × months of stock.
pub fn openlmis_reference(
    series: &DemandSeries,
    season: usize,
    on_hand: f64,
    on_order: f64,
    p: &LmisInput,
) -> Result<LmisSuggestion> {
    require(p.amc_months >= 1, "amc_months", "must be at least 1")?;
    require(
        p.months_of_stock.is_finite() && p.months_of_stock > 0.0,
        "months_of_stock",
        "must be positive",
    )?;
    let demand = crate::censor::corrected_demand(series, season);
    let per_month = series.frequency().periods_per_month();
    let periods =
        ((p.amc_months as f64 * per_month).round() as usize).clamp(1, demand.len().max(1));
    let tail = &demand[demand.len().saturating_sub(periods)..];
    let amc = tail.iter().sum::<f64>() / (tail.len() as f64 / per_month);
    let max_stock = amc * p.months_of_stock;
    let suggested_qty = (max_stock - on_hand - on_order).max(0.0).ceil();
    Ok(LmisSuggestion {
        amc,
        max_stock,
        suggested_qty,
        reason: format!(
            "AMC {amc:.1} over {} months × {} months of stock = max {max_stock:.0}; stock {:.0}",
            p.amc_months,
            p.months_of_stock,
            on_hand + on_order
        ),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::classify::{Classification, DemandClass};
    use crate::quantiles::LevelMap;

    pub(crate) fn flat_forecast(mean: f64, sd: f64, h: usize) -> SeriesForecast {
        SeriesForecast {
            series_id: "x".into(),
            frequency: Frequency::Daily,
            classification: Classification {
                class: DemandClass::Smooth,
                adi: 1.0,
                cv2: 0.1,
            },
            model: "test".into(),
            first_date: None,
            mean: vec![mean; h],
            quantiles: vec![],
            predictive: vec![Predictive::Normal { mean, sd }; h],
            level_map: LevelMap::identity(),
            backtest_rmsse: None,
            backtest_bias: None,
        }
    }

    fn input() -> ReorderInput {
        ReorderInput {
            on_hand: 20.0,
            on_order: 0.0,
            lots: vec![],
            lead_time: 7,
            review_period: 7,
            service: ServiceTarget::CycleServiceLevel(0.95),
            pack_size: 10.0,
            min_order: 0.0,
            shelf_life: None,
        }
    }

    #[test]
    fn order_up_to_matches_normal_arithmetic() {
        let fc = flat_forecast(10.0, 2.0, 28);
        let s = suggest(&fc, &input()).unwrap();
        // 14 days: mean 140, sd 2·√14; z(0.95) = 1.6449
        let expect = 140.0 + 1.644_853_6 * 2.0 * 14f64.sqrt();
        assert!((s.order_up_to - expect).abs() < 1e-3, "{}", s.order_up_to);
        assert!((s.safety_stock - (expect - 140.0)).abs() < 1e-3);
        assert_eq!(
            s.suggested_qty, 140.0,
            "{expect} - 20 rounded up to packs of 10"
        );
        assert!(s.reason.contains("covers 7 days lead time"), "{}", s.reason);
    }

    #[test]
    fn expiring_lots_are_not_counted_and_cap_binds() {
        let fc = flat_forecast(1.0, 0.5, 28);
        let mut i = input();
        i.on_hand = 30.0;
        i.lots = vec![
            Lot {
                qty: 10.0,
                expires_in: 2,
            },
            Lot {
                qty: 10.0,
                expires_in: 30,
            },
        ];
        i.shelf_life = Some(10);
        i.pack_size = 1.0;
        let s = suggest(&fc, &i).unwrap();
        assert!(
            (s.expiring_units - 8.0).abs() < 1e-9,
            "2 of the first lot are used: {}",
            s.expiring_units
        );
        assert_eq!(s.expiring_lots, 1);
        assert!(s.suggested_qty <= s.expiry_cap.unwrap());
        assert!(s.reason.contains("1 lots expire"), "{}", s.reason);
    }

    #[test]
    fn fill_rate_target_needs_less_than_the_same_cycle_level() {
        let fc = flat_forecast(5.0, 3.0, 28);
        let mut i = input();
        i.service = ServiceTarget::FillRate(0.95);
        let s = suggest(&fc, &i).unwrap();
        assert!(s.service_level < 0.95, "{}", s.service_level);
        assert!(s.expected_fill_rate >= 0.95 - 1e-6);
    }

    #[test]
    fn invalid_inputs_are_rejected() {
        let fc = flat_forecast(5.0, 3.0, 28);
        let mut i = input();
        i.pack_size = 0.0;
        assert!(suggest(&fc, &i).is_err());
        let mut i = input();
        i.service = ServiceTarget::CycleServiceLevel(1.0);
        assert!(suggest(&fc, &i).is_err());
    }

    #[test]
    fn negbin_shortage_matches_direct_sum() {
        let d = Predictive::NegBin {
            mean: 3.0,
            size: 2.0,
        };
        // direct: Σ_k (k − 4)⁺ P(k) by differencing the PIT.
        let direct: f64 = (5..400)
            .map(|k| f64::from(k - 4) * (d.pit(f64::from(k) + 1.0) - d.pit(f64::from(k))))
            .sum();
        assert!((expected_shortage(&d, 4.0) - direct).abs() < 1e-6);
    }
}
