//! Replays an inventory policy over actual demand: periodic review, lead time,
//! first-expiry-first-out picking, lost sales, lots that expire.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{Result, require};
use crate::pipeline::{ForecastConfig, forecast_batch};
use crate::policy::{LmisInput, Lot, ReorderInput, ServiceTarget, openlmis_reference, suggest};
use crate::series::DemandSeries;

/// The replenishment rule replayed at each review.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Policy {
    /// Order up to `order_up_to` whenever the position is below it.
    OrderUpTo { order_up_to: f64 },
    /// OpenLMIS: order up to the maximum stock (AMC × months of stock).
    MaxStock { max_stock: f64 },
}

impl Policy {
    fn target(&self) -> f64 {
        match *self {
            Policy::OrderUpTo { order_up_to } => order_up_to,
            Policy::MaxStock { max_stock } => max_stock,
        }
    }
}

/// Operating constraints of the replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationSetup {
    pub initial_lots: Vec<Lot>,
    pub lead_time: usize,
    pub review_period: usize,
    pub pack_size: f64,
    pub min_order: f64,
    pub shelf_life: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SimulationReport {
    /// Units served / units demanded.
    pub fill_rate: f64,
    /// Periods with unmet demand.
    pub stockout_periods: usize,
    pub units_expired: f64,
    /// Mean end-of-period stock.
    pub average_stock: f64,
    pub units_ordered: f64,
    pub orders: usize,
    pub units_demanded: f64,
}

/// Stock held in lots, each usable until (before) an absolute period.
struct Stock {
    lots: Vec<(f64, usize)>,
}

impl Stock {
    fn total(&self) -> f64 {
        self.lots.iter().map(|l| l.0).sum()
    }

    fn receive(&mut self, qty: f64, expires_at: usize) {
        self.lots.push((qty, expires_at));
        self.lots.sort_by_key(|l| l.1);
    }

    /// Removes lots that expire at `t`; returns the units lost.
    fn expire(&mut self, t: usize) -> f64 {
        let lost = self.lots.iter().filter(|l| l.1 <= t).map(|l| l.0).sum();
        self.lots.retain(|l| l.1 > t);
        lost
    }

    /// Serves demand from the earliest-expiring lots; returns units served.
    fn serve(&mut self, demand: f64) -> f64 {
        let mut left = demand;
        for lot in &mut self.lots {
            let take = lot.0.min(left);
            lot.0 -= take;
            left -= take;
        }
        self.lots.retain(|l| l.0 > 1e-12);
        demand - left
    }
}

/// Replays `policy` over `demand`, one period at a time.
pub fn simulate(
    policy: &Policy,
    demand: &[f64],
    setup: &SimulationSetup,
) -> Result<SimulationReport> {
    require(
        setup.review_period >= 1,
        "review_period",
        "must be at least one period",
    )?;
    require(
        setup.pack_size > 0.0 && setup.pack_size.is_finite(),
        "pack_size",
        "must be positive",
    )?;
    require(
        demand.iter().all(|d| d.is_finite() && *d >= 0.0),
        "demand",
        "must be non-negative numbers",
    )?;
    let life = setup.shelf_life.unwrap_or(usize::MAX / 4);
    let mut stock = Stock { lots: Vec::new() };
    for lot in &setup.initial_lots {
        stock.receive(lot.qty, lot.expires_in);
    }
    let mut pipeline: Vec<(usize, f64)> = Vec::new();
    let mut r = SimulationReport::default();
    let mut stock_sum = 0.0;
    for (t, &d) in demand.iter().enumerate() {
        for (_, qty) in pipeline.iter().filter(|(at, _)| *at == t) {
            stock.receive(*qty, t.saturating_add(life));
        }
        pipeline.retain(|(at, _)| *at != t);
        r.units_expired += stock.expire(t);
        if t % setup.review_period == 0 {
            let position = stock.total() + pipeline.iter().map(|p| p.1).sum::<f64>();
            let qty = order_quantity(policy.target() - position, setup);
            if qty > 0.0 {
                pipeline.push((t + setup.lead_time, qty));
                r.units_ordered += qty;
                r.orders += 1;
            }
            // A zero lead time delivers before the day's demand.
            for (_, q) in pipeline.iter().filter(|(at, _)| *at == t) {
                stock.receive(*q, t.saturating_add(life));
            }
            pipeline.retain(|(at, _)| *at != t);
        }
        let served = stock.serve(d);
        r.units_demanded += d;
        if served + 1e-9 < d {
            r.stockout_periods += 1;
        }
        r.fill_rate += served;
        stock_sum += stock.total();
    }
    r.fill_rate = if r.units_demanded > 0.0 {
        r.fill_rate / r.units_demanded
    } else {
        1.0
    };
    r.average_stock = stock_sum / demand.len().max(1) as f64;
    Ok(r)
}

fn order_quantity(gap: f64, setup: &SimulationSetup) -> f64 {
    if gap <= 0.0 {
        return 0.0;
    }
    let packs = (gap / setup.pack_size - 1e-9).ceil();
    (packs * setup.pack_size).max(setup.min_order)
}

/// Settings for comparing rxflow's policy with the OpenLMIS rule on a test period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyComparisonSetup {
    pub horizon: usize,
    pub season: usize,
    pub lead_time: usize,
    pub review_period: usize,
    pub service: ServiceTarget,
    pub pack_size: f64,
    pub shelf_life: Option<usize>,
    pub lmis: LmisInput,
}

/// Totals over all series for both policies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyComparison {
    pub rxflow: SimulationReport,
    pub openlmis: SimulationReport,
    pub n_series: usize,
}

/// Forecasts each training series, sets both policies from the training data and
/// replays them over the test demand. Each series starts with the OpenLMIS maximum
/// stock on hand, so neither policy starts with an advantage.
pub fn compare_policies(
    train: &[DemandSeries],
    test: &[DemandSeries],
    setup: &PolicyComparisonSetup,
) -> Result<PolicyComparison> {
    let cfg = ForecastConfig::new(
        setup.horizon,
        setup.season,
        crate::pipeline::ModelChoice::Auto,
    )?;
    let forecasts = forecast_batch(train, &cfg)?;
    let tests: HashMap<&str, &DemandSeries> = test.iter().map(|s| (s.id(), s)).collect();
    let mut rx = Vec::new();
    let mut lm = Vec::new();
    for (series, fc) in train.iter().zip(&forecasts) {
        let Some(actual) = tests.get(series.id()) else {
            continue;
        };
        let lmis = openlmis_reference(series, setup.season, 0.0, 0.0, &setup.lmis)?;
        let start = vec![Lot {
            qty: lmis.max_stock.ceil(),
            expires_in: setup.shelf_life.unwrap_or(usize::MAX / 4),
        }];
        let input = ReorderInput {
            on_hand: lmis.max_stock.ceil(),
            on_order: 0.0,
            lots: start.clone(),
            lead_time: setup.lead_time,
            review_period: setup.review_period,
            service: setup.service,
            pack_size: setup.pack_size,
            min_order: 0.0,
            shelf_life: setup.shelf_life,
        };
        let plan = suggest(fc, &input)?;
        let sim = SimulationSetup {
            initial_lots: start,
            lead_time: setup.lead_time,
            review_period: setup.review_period,
            pack_size: setup.pack_size,
            min_order: 0.0,
            shelf_life: setup.shelf_life,
        };
        rx.push(simulate(
            &Policy::OrderUpTo {
                order_up_to: plan.order_up_to,
            },
            actual.sales(),
            &sim,
        )?);
        lm.push(simulate(
            &Policy::MaxStock {
                max_stock: lmis.max_stock,
            },
            actual.sales(),
            &sim,
        )?);
    }
    Ok(PolicyComparison {
        n_series: rx.len(),
        rxflow: total(&rx),
        openlmis: total(&lm),
    })
}

/// Sums reports; the fill rate is demand-weighted, average stock summed over series.
fn total(reports: &[SimulationReport]) -> SimulationReport {
    let mut t = SimulationReport::default();
    let mut served = 0.0;
    for r in reports {
        served += r.fill_rate * r.units_demanded;
        t.units_demanded += r.units_demanded;
        t.stockout_periods += r.stockout_periods;
        t.units_expired += r.units_expired;
        t.average_stock += r.average_stock;
        t.units_ordered += r.units_ordered;
        t.orders += r.orders;
    }
    t.fill_rate = if t.units_demanded > 0.0 {
        served / t.units_demanded
    } else {
        1.0
    };
    t
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn setup(lots: Vec<Lot>, lead: usize, life: Option<usize>) -> SimulationSetup {
        SimulationSetup {
            initial_lots: lots,
            lead_time: lead,
            review_period: 1,
            pack_size: 1.0,
            min_order: 0.0,
            shelf_life: life,
        }
    }

    #[test]
    fn lost_sales_and_fill_rate_by_hand() {
        // 5 on hand, no reorders (target 0), demand 2 a day for 4 days → serves 5 of 8.
        let s = setup(
            vec![Lot {
                qty: 5.0,
                expires_in: 100,
            }],
            1,
            None,
        );
        let r = simulate(&Policy::OrderUpTo { order_up_to: 0.0 }, &[2.0; 4], &s).unwrap();
        assert!((r.fill_rate - 5.0 / 8.0).abs() < 1e-12);
        assert_eq!(r.stockout_periods, 2);
        assert!((r.average_stock - (3.0 + 1.0) / 4.0).abs() < 1e-12);
    }

    #[test]
    fn lots_expire_and_orders_arrive_after_lead_time() {
        let s = setup(
            vec![Lot {
                qty: 10.0,
                expires_in: 2,
            }],
            2,
            Some(50),
        );
        let r = simulate(&Policy::OrderUpTo { order_up_to: 6.0 }, &[1.0; 6], &s).unwrap();
        assert!((r.units_expired - 8.0).abs() < 1e-12, "{r:?}");
        assert!(r.orders >= 1);
        assert!(r.fill_rate > 0.6);
    }
}
