//! Line and order totals. Money is integer cents; tax is charged per line at
//! the product's rate in basis points and rounded half up to the cent.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineTotal {
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
}

/// Bounds (price ≤ 10⁸ cents, quantity ≤ 10⁶, rate ≤ 10⁴ bp) keep every
/// product below 10¹⁸, so the arithmetic cannot overflow i64.
pub fn line_total(unit_price_cents: i64, quantity: i64, tax_rate_bp: i64) -> LineTotal {
    let subtotal_cents = unit_price_cents * quantity;
    let tax_cents = (subtotal_cents * tax_rate_bp + 5_000) / 10_000;
    LineTotal {
        subtotal_cents,
        tax_cents,
        total_cents: subtotal_cents + tax_cents,
    }
}

pub fn order_total(lines: &[LineTotal]) -> LineTotal {
    lines.iter().fold(
        LineTotal {
            subtotal_cents: 0,
            tax_cents: 0,
            total_cents: 0,
        },
        |acc, l| LineTotal {
            subtotal_cents: acc.subtotal_cents + l.subtotal_cents,
            tax_cents: acc.tax_cents + l.tax_cents,
            total_cents: acc.total_cents + l.total_cents,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_tax_half_up_to_the_cent() {
        // 8.25% of 1.99 = 0.164175 → 0.16; of 2.00 = 0.165 → 0.17.
        assert_eq!(line_total(199, 1, 825).tax_cents, 16);
        assert_eq!(line_total(200, 1, 825).tax_cents, 17);
        assert_eq!(
            line_total(1234, 3, 0),
            LineTotal {
                subtotal_cents: 3702,
                tax_cents: 0,
                total_cents: 3702
            }
        );
    }

    proptest! {
        #[test]
        fn totals_add_up_and_tax_is_within_half_a_cent(
            lines in proptest::collection::vec((0i64..=100_000_000, 1i64..=1_000_000, 0i64..=10_000), 0..20)
        ) {
            let totals: Vec<LineTotal> = lines.iter().map(|&(p, q, r)| line_total(p, q, r)).collect();
            for (t, &(p, q, r)) in totals.iter().zip(&lines) {
                prop_assert_eq!(t.subtotal_cents, p * q);
                prop_assert_eq!(t.total_cents, t.subtotal_cents + t.tax_cents);
                // |tax − exact| ≤ ½ cent, checked in units of 1/10000 cent.
                prop_assert!((t.tax_cents * 10_000 - p * q * r).abs() <= 5_000);
                prop_assert!(t.tax_cents >= 0 && t.tax_cents <= t.subtotal_cents);
            }
            let sum = order_total(&totals);
            prop_assert_eq!(sum.total_cents, sum.subtotal_cents + sum.tax_cents);
            prop_assert_eq!(sum.subtotal_cents, totals.iter().map(|t| t.subtotal_cents).sum::<i64>());
        }
    }
}
