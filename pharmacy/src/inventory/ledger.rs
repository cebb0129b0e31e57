//! The sign rules of the movement ledger, mirrored by CHECK constraints in
//! the schema, and the balance they add up to.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Receive,
    Reserve,
    Release,
    /// Dispense stock that was reserved for this fill.
    DispenseReserved,
    /// Dispense unreserved stock.
    Dispense,
    AdjustUp,
    AdjustDown,
    Return,
    Expire,
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receive => "receive",
            MovementKind::Reserve => "reserve",
            MovementKind::Release => "release",
            MovementKind::DispenseReserved | MovementKind::Dispense => "dispense",
            MovementKind::AdjustUp | MovementKind::AdjustDown => "adjust",
            MovementKind::Return => "return",
            MovementKind::Expire => "expire",
        }
    }

    /// (on-hand delta, reserved delta) for moving `qty` (> 0) units.
    pub fn deltas(self, qty: i64) -> (i64, i64) {
        match self {
            MovementKind::Receive | MovementKind::Return | MovementKind::AdjustUp => (qty, 0),
            MovementKind::Reserve => (0, qty),
            MovementKind::Release => (0, -qty),
            MovementKind::DispenseReserved => (-qty, -qty),
            MovementKind::Dispense | MovementKind::AdjustDown | MovementKind::Expire => (-qty, 0),
        }
    }

    /// Whether `qty` of this movement keeps the balance valid: nothing goes
    /// negative and reservations never exceed what is on hand.
    pub fn allowed(self, balance: Balance, qty: i64) -> bool {
        qty > 0 && balance.apply(self, qty).is_valid()
    }
}

/// On-hand and reserved units of one lot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub on_hand: i64,
    pub reserved: i64,
}

impl Balance {
    pub fn available(self) -> i64 {
        self.on_hand - self.reserved
    }

    pub fn is_valid(self) -> bool {
        self.on_hand >= 0 && self.reserved >= 0 && self.reserved <= self.on_hand
    }

    pub fn apply(self, kind: MovementKind, qty: i64) -> Balance {
        let (dh, dr) = kind.deltas(qty);
        Balance {
            on_hand: self.on_hand + dh,
            reserved: self.reserved + dr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KINDS: [MovementKind; 9] = [
        MovementKind::Receive,
        MovementKind::Reserve,
        MovementKind::Release,
        MovementKind::DispenseReserved,
        MovementKind::Dispense,
        MovementKind::AdjustUp,
        MovementKind::AdjustDown,
        MovementKind::Return,
        MovementKind::Expire,
    ];

    proptest! {
        /// Applying only allowed movements keeps every balance valid, and the
        /// balance equals the plain sum of the deltas written.
        #[test]
        fn allowed_movements_never_break_the_invariants(
            ops in proptest::collection::vec((proptest::sample::select(KINDS.to_vec()), 1i64..50), 0..200)
        ) {
            let mut balance = Balance::default();
            let (mut sum_h, mut sum_r) = (0i64, 0i64);
            for (kind, qty) in ops {
                if kind.allowed(balance, qty) {
                    balance = balance.apply(kind, qty);
                    let (dh, dr) = kind.deltas(qty);
                    sum_h += dh;
                    sum_r += dr;
                }
                prop_assert!(balance.is_valid());
                prop_assert!(balance.available() >= 0);
            }
            prop_assert_eq!(balance, Balance { on_hand: sum_h, reserved: sum_r });
        }

        #[test]
        fn every_kind_moves_stock_in_its_direction(kind in proptest::sample::select(KINDS.to_vec()), qty in 1i64..1000) {
            let (dh, dr) = kind.deltas(qty);
            prop_assert!(dh != 0 || dr != 0);
            prop_assert!(dh.abs() == qty || dh == 0);
            prop_assert!(dr.abs() == qty || dr == 0);
        }
    }

    #[test]
    fn cannot_dispense_reserved_stock_without_a_reservation() {
        let b = Balance {
            on_hand: 10,
            reserved: 10,
        };
        assert!(!MovementKind::Dispense.allowed(b, 1));
        assert!(MovementKind::DispenseReserved.allowed(b, 10));
        assert!(!MovementKind::Reserve.allowed(b, 1));
    }
}
