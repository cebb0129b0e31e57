//! Simulated dispensing history: each product is replayed day by day with
//! demand from its profile, weekly reorders with a lead time (sometimes
//! late, which causes real stock-outs), and first-expiry-first-out picking.
//! The result is written as lots and daily ledger totals in one transaction.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use std::f64::consts::PI;
use time::{Date, Duration, Weekday};

use super::catalogue::{DemandProfile, DemoProduct};
use crate::error::StoreResult;
use crate::{Store, clock};

#[derive(Debug, Clone, Copy)]
pub struct HistoryOptions {
    pub days: i64,
    pub seed: u64,
}

impl Default for HistoryOptions {
    /// Eighteen months, the span the forecasting issue asks for.
    fn default() -> Self {
        HistoryOptions {
            days: 548,
            seed: 2026,
        }
    }
}

pub struct Loaded {
    pub lots: usize,
    pub movements: usize,
}

struct SimLot {
    lot_number: String,
    expiry: Date,
    received: Date,
    remaining: i64,
}

/// A ledger row before its lot has a database id.
struct SimMovement {
    lot: usize,
    kind: &'static str,
    on_hand_delta: i64,
    reason: Option<&'static str>,
    day: Date,
}

struct Sim {
    lots: Vec<SimLot>,
    movements: Vec<SimMovement>,
}

pub async fn simulate_and_load(
    store: &Store,
    products: &[DemoProduct],
    options: &HistoryOptions,
) -> StoreResult<Loaded> {
    let location_id = store.location_id("Main pharmacy").await?;
    let today = clock::today();
    let mut loaded = Loaded {
        lots: 0,
        movements: 0,
    };
    let mut tx = store.begin().await?;
    for product in products {
        let mut rng = StdRng::seed_from_u64(
            options.seed ^ (product.id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let sim = simulate(
            product,
            today - Duration::days(options.days.max(1)),
            today,
            &mut rng,
        );
        let lot_ids = insert_lots(&mut tx, product.id, location_id, &sim.lots).await?;
        insert_movements(&mut tx, &lot_ids, &sim.movements).await?;
        project_balances(&mut tx, product.id).await?;
        loaded.lots += sim.lots.len();
        loaded.movements += sim.movements.len();
    }
    tx.commit().await?;
    Ok(loaded)
}

fn simulate(product: &DemoProduct, start: Date, today: Date, rng: &mut StdRng) -> Sim {
    let mut sim = Sim {
        lots: Vec::new(),
        movements: Vec::new(),
    };
    let daily = product.mean_daily_units;
    let pack = product.pack_size.max(1);
    let mut pending: Option<(Date, i64)> = None;
    sim.receive(start, packs_for(daily * 30.0, pack), rng);
    let mut day = start;
    while day < today {
        if let Some((arrival, qty)) = pending.filter(|(arrival, _)| *arrival <= day) {
            sim.receive(arrival, qty, rng);
            pending = None;
        }
        sim.expire_lots(day);
        let wanted = demand(product, day, rng);
        sim.dispense(day, wanted);
        if day.weekday() == Weekday::Monday
            && pending.is_none()
            && (sim.usable(day) as f64) < daily * 21.0
        {
            let late = rng.random_bool(0.06);
            let lead = if late { rng.random_range(8..16) } else { 2 };
            pending = Some((
                day + Duration::days(lead),
                packs_for(daily * 42.0 - sim.usable(day) as f64, pack),
            ));
        }
        day += Duration::days(1);
    }
    sim.add_expiry_cases(today, pack, rng);
    sim
}

impl Sim {
    fn receive(&mut self, day: Date, qty: i64, rng: &mut StdRng) {
        let expiry = day + Duration::days(rng.random_range(330..900));
        let lot_number = format!(
            "{}{:02}{:04}",
            ["A", "B", "C", "K", "M", "P", "R", "T"][rng.random_range(0..8)],
            day.year() % 100,
            rng.random_range(0..10_000)
        );
        self.lots.push(SimLot {
            lot_number,
            expiry,
            received: day,
            remaining: qty,
        });
        self.movements.push(SimMovement {
            lot: self.lots.len() - 1,
            kind: "receive",
            on_hand_delta: qty,
            reason: None,
            day,
        });
    }

    fn usable(&self, day: Date) -> i64 {
        self.lots
            .iter()
            .filter(|l| l.expiry >= day)
            .map(|l| l.remaining)
            .sum()
    }

    fn dispense(&mut self, day: Date, mut wanted: i64) {
        let mut order: Vec<usize> = (0..self.lots.len())
            .filter(|&i| self.lots[i].expiry >= day && self.lots[i].remaining > 0)
            .collect();
        order.sort_by_key(|&i| (self.lots[i].expiry, i));
        for i in order {
            if wanted == 0 {
                break;
            }
            let take = wanted.min(self.lots[i].remaining);
            self.lots[i].remaining -= take;
            wanted -= take;
            self.movements.push(SimMovement {
                lot: i,
                kind: "dispense",
                on_hand_delta: -take,
                reason: None,
                day,
            });
        }
    }

    fn expire_lots(&mut self, day: Date) {
        for i in 0..self.lots.len() {
            if self.lots[i].expiry < day && self.lots[i].remaining > 0 {
                let qty = std::mem::take(&mut self.lots[i].remaining);
                self.movements.push(SimMovement {
                    lot: i,
                    kind: "expire",
                    on_hand_delta: -qty,
                    reason: Some("expired"),
                    day,
                });
            }
        }
    }

    /// Some products get a lot close to expiry, and a few an expired lot not
    /// yet pulled from the shelf, so that expiry alerts have work to show.
    fn add_expiry_cases(&mut self, today: Date, pack: i64, rng: &mut StdRng) {
        let roll: f64 = rng.random();
        let expires_in = if roll < 0.04 {
            -rng.random_range(1..20)
        } else if roll < 0.16 {
            rng.random_range(5..75)
        } else {
            return;
        };
        let received = today - Duration::days(rng.random_range(200..400));
        let qty = pack * rng.random_range(1..3);
        self.lots.push(SimLot {
            lot_number: format!(
                "X{:02}{:04}",
                received.year() % 100,
                rng.random_range(0..10_000)
            ),
            expiry: today + Duration::days(expires_in),
            received,
            remaining: qty,
        });
        self.movements.push(SimMovement {
            lot: self.lots.len() - 1,
            kind: "receive",
            on_hand_delta: qty,
            reason: None,
            day: received,
        });
    }
}

fn packs_for(units: f64, pack: i64) -> i64 {
    ((units.max(1.0) / pack as f64).ceil() as i64).max(1) * pack
}

/// Units wanted on `day`: a Poisson number of fills of a typical size,
/// shaped by weekday and season.
fn demand(product: &DemoProduct, day: Date, rng: &mut StdRng) -> i64 {
    let weekday = match day.weekday() {
        Weekday::Sunday => 0.0,
        Weekday::Saturday => 0.55,
        _ => 1.15,
    };
    let phase = 2.0 * PI * f64::from(day.ordinal()) / 365.25;
    let season = match product.profile {
        DemandProfile::SeasonalWinter => 1.0 + 0.85 * (phase - 2.0 * PI * 15.0 / 365.25).cos(),
        DemandProfile::SeasonalSpring => 1.0 + 0.8 * (phase - 2.0 * PI * 110.0 / 365.25).cos(),
        _ => 1.0,
    };
    let size = fill_size(product, rng);
    let rate = product.mean_daily_units * weekday * season.max(0.05) / size as f64;
    (0..poisson(rate, rng))
        .map(|_| fill_size(product, rng))
        .sum()
}

fn fill_size(product: &DemoProduct, rng: &mut StdRng) -> i64 {
    match product.profile {
        DemandProfile::Otc => product.pack_size,
        _ if product.pack_size <= 10 => 1,
        DemandProfile::Chronic => {
            if rng.random_bool(0.7) {
                30
            } else {
                90
            }
        }
        DemandProfile::Rare => 30,
        _ => [10, 14, 20, 30][rng.random_range(0..4)],
    }
}

/// Knuth's method for small rates, a rounded normal for large ones.
fn poisson(lambda: f64, rng: &mut StdRng) -> i64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let z = (-2.0 * rng.random::<f64>().max(f64::MIN_POSITIVE).ln()).sqrt()
            * (2.0 * PI * rng.random::<f64>()).cos();
        return (lambda + lambda.sqrt() * z).round().max(0.0) as i64;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0, 1.0);
    loop {
        p *= rng.random::<f64>();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

async fn insert_lots(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    product_id: i64,
    location_id: i64,
    lots: &[SimLot],
) -> StoreResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(lots.len());
    for (n, lot) in lots.iter().enumerate() {
        // The sequence suffix keeps lot numbers unique even if two draws collide.
        let id: i64 = sqlx::query("INSERT INTO lots (product_id, location_id, lot_number, expiry, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(product_id)
            .bind(location_id)
            .bind(format!("{}-{n}", lot.lot_number))
            .bind(clock::format_date(lot.expiry))
            .bind(format!("{}T09:00:00Z", clock::format_date(lot.received)))
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?;
        ids.push(id);
    }
    Ok(ids)
}

async fn insert_movements(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    lot_ids: &[i64],
    movements: &[SimMovement],
) -> StoreResult<()> {
    const BATCH: usize = 500;
    const PARAMS: usize = 5;
    for chunk in movements.chunks(BATCH) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p: Vec<String> = (1..=PARAMS)
                    .map(|c| format!("${}", r * PARAMS + c))
                    .collect();
                format!("({}, 0, 'system:demo-seed')", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO stock_movements (lot_id, kind, on_hand_delta, reason, created_at, reserved_delta, actor) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for m in chunk {
            query = query
                .bind(lot_ids[m.lot])
                .bind(m.kind)
                .bind(m.on_hand_delta)
                .bind(m.reason)
                .bind(format!("{}T17:00:00Z", clock::format_date(m.day)));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The bulk load bypasses `write_movement`, so it builds the balance
/// projection of the product's lots from their ledger in one statement.
async fn project_balances(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    product_id: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO lot_balances (lot_id, on_hand, reserved) \
         SELECT m.lot_id, SUM(m.on_hand_delta), SUM(m.reserved_delta) FROM stock_movements m JOIN lots l ON l.id = m.lot_id \
         WHERE l.product_id = $1 GROUP BY m.lot_id",
    )
    .bind(product_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
