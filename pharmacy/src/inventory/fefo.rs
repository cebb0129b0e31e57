//! First-expiry-first-out allocation: which lots to take a quantity from.

use serde::Serialize;
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotAvailability {
    pub lot_id: i64,
    pub expiry: Date,
    pub available: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub lot_id: i64,
    pub quantity: i64,
}

/// Takes `qty` from the lots that expire first, skipping lots that expire
/// before `use_from` (a lot is usable through its expiry date). Returns
/// `Err(usable)` with the usable total when there is not enough.
pub fn allocate(
    lots: &[LotAvailability],
    qty: i64,
    use_from: Date,
) -> Result<Vec<Allocation>, i64> {
    let mut usable: Vec<&LotAvailability> = lots
        .iter()
        .filter(|l| l.expiry >= use_from && l.available > 0)
        .collect();
    usable.sort_by_key(|l| (l.expiry, l.lot_id));
    let total: i64 = usable.iter().map(|l| l.available).sum();
    if qty <= 0 || total < qty {
        return Err(total);
    }
    let mut left = qty;
    let mut picks = Vec::new();
    for lot in usable {
        if left == 0 {
            break;
        }
        let take = left.min(lot.available);
        picks.push(Allocation {
            lot_id: lot.lot_id,
            quantity: take,
        });
        left -= take;
    }
    Ok(picks)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 06 - 01);

    fn lots() -> impl Strategy<Value = Vec<LotAvailability>> {
        proptest::collection::vec((-60i64..400, 0i64..50), 0..12).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (days, available))| LotAvailability {
                    lot_id: i as i64 + 1,
                    expiry: TODAY + Duration::days(days),
                    available,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn picks_earliest_unexpired_lots_first_and_never_expired(lots in lots(), qty in 1i64..200) {
            let usable: i64 = lots.iter().filter(|l| l.expiry >= TODAY).map(|l| l.available).sum();
            match allocate(&lots, qty, TODAY) {
                Err(total) => prop_assert!(total < qty && total == usable),
                Ok(picks) => {
                    prop_assert_eq!(picks.iter().map(|p| p.quantity).sum::<i64>(), qty);
                    let by_id = |id| lots.iter().find(|l| l.lot_id == id).unwrap();
                    for p in &picks {
                        let lot = by_id(p.lot_id);
                        prop_assert!(lot.expiry >= TODAY, "allocated an expired lot");
                        prop_assert!(p.quantity > 0 && p.quantity <= lot.available);
                    }
                    // Every lot that expires strictly before the last lot used must be used up.
                    let last = picks.iter().map(|p| by_id(p.lot_id).expiry).max().unwrap();
                    for lot in lots.iter().filter(|l| l.expiry >= TODAY && l.expiry < last && l.available > 0) {
                        let taken = picks.iter().find(|p| p.lot_id == lot.lot_id).map_or(0, |p| p.quantity);
                        prop_assert_eq!(taken, lot.available, "skipped an earlier-expiring lot");
                    }
                }
            }
        }
    }

    #[test]
    fn a_lot_is_usable_on_its_expiry_date_but_not_after() {
        let lots = [
            LotAvailability {
                lot_id: 1,
                expiry: TODAY - Duration::days(1),
                available: 100,
            },
            LotAvailability {
                lot_id: 2,
                expiry: TODAY,
                available: 5,
            },
            LotAvailability {
                lot_id: 3,
                expiry: TODAY + Duration::days(30),
                available: 5,
            },
        ];
        assert_eq!(
            allocate(&lots, 7, TODAY).unwrap(),
            vec![
                Allocation {
                    lot_id: 2,
                    quantity: 5
                },
                Allocation {
                    lot_id: 3,
                    quantity: 2
                }
            ]
        );
        assert_eq!(allocate(&lots, 11, TODAY), Err(10));
    }
}
