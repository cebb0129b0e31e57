//! Identifier codes printed on prescriptions and products. Each type can only
//! be built by parsing, so holding one means the checksum or layout was right.

mod dea;
mod ndc;
mod npi;

pub use dea::Dea;
pub use ndc::{Ndc, NdcLayout};
pub use npi::Npi;

/// Why a code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("NDC {0:?} is not in 4-4-2, 5-3-2, 5-4-1 or 11-digit 5-4-2 form")]
    NdcLayout(String),
    #[error("NPI {0:?} must be exactly 10 digits")]
    NpiLayout(String),
    #[error("NPI {0:?} fails its Luhn check digit")]
    NpiCheckDigit(String),
    #[error("DEA number {0:?} must be two letters followed by seven digits")]
    DeaLayout(String),
    #[error("DEA number {0:?} has an unknown registrant type letter")]
    DeaRegistrant(String),
    #[error("DEA number {0:?} fails its check digit")]
    DeaCheckDigit(String),
}
