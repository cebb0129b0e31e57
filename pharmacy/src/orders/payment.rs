//! Taking payment. Online gateways plug in behind `PaymentProvider`; the
//! pharmacy's own till (cash or card at pickup) is the built-in provider.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
}

impl PaymentMethod {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "cash" => Some(PaymentMethod::Cash),
            "card" => Some(PaymentMethod::Card),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: String,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("payment refused by {provider}: {reason}")]
pub struct PaymentError {
    pub provider: &'static str,
    pub reason: String,
}

pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;
    fn capture(
        &self,
        order_id: i64,
        amount_cents: i64,
        method: PaymentMethod,
    ) -> Result<Receipt, PaymentError>;
    fn refund(
        &self,
        order_id: i64,
        amount_cents: i64,
        original: &str,
    ) -> Result<Receipt, PaymentError>;
}

/// Payment taken at the counter; the reference ties the till slip to the order.
pub struct InStore;

impl PaymentProvider for InStore {
    fn name(&self) -> &'static str {
        "in_store"
    }

    fn capture(
        &self,
        order_id: i64,
        amount_cents: i64,
        method: PaymentMethod,
    ) -> Result<Receipt, PaymentError> {
        if amount_cents < 0 {
            return Err(PaymentError {
                provider: self.name(),
                reason: "negative amount".into(),
            });
        }
        Ok(Receipt {
            reference: format!("TILL-{}-{order_id}", method.as_str().to_uppercase()),
        })
    }

    fn refund(
        &self,
        order_id: i64,
        _amount_cents: i64,
        original: &str,
    ) -> Result<Receipt, PaymentError> {
        Ok(Receipt {
            reference: format!("REFUND-{order_id}-{original}"),
        })
    }
}
