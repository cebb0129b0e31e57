//! The demo product catalogue, `data/demo/products.csv`.

use serde::Deserialize;
use std::collections::HashMap;

use crate::Store;
use crate::audit::Actor;
use crate::error::{StoreError, StoreResult};
use crate::products::{NewProduct, ProductFields};

const PRODUCTS_CSV: &str = include_str!("../../../data/demo/products.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandProfile {
    Chronic,
    Acute,
    Otc,
    SeasonalWinter,
    SeasonalSpring,
    Rare,
}

#[derive(Debug, Deserialize)]
struct Row {
    ndc: String,
    name: String,
    generic_name: String,
    strength: String,
    form: String,
    pack_size: i64,
    rx_only: i64,
    dea_schedule: String,
    price_cents: i64,
    tax_rate_bp: i64,
    supplier: String,
    demand_profile: DemandProfile,
    mean_daily_units: f64,
}

/// A seeded product and how it sells.
#[derive(Debug, Clone)]
pub struct DemoProduct {
    pub id: i64,
    pub generic_name: String,
    pub strength: String,
    pub pack_size: i64,
    pub profile: DemandProfile,
    pub mean_daily_units: f64,
}

fn rows() -> StoreResult<Vec<Row>> {
    csv::Reader::from_reader(PRODUCTS_CSV.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::invalid("data/demo/products.csv", e.to_string()))
}

pub async fn load(store: &Store, actor: &Actor) -> StoreResult<Vec<DemoProduct>> {
    let mut suppliers: HashMap<String, i64> = HashMap::new();
    let mut products = Vec::new();
    for row in rows()? {
        let supplier_id = match suppliers.get(&row.supplier) {
            Some(id) => *id,
            None => {
                let id = store.create_supplier(&row.supplier, None, actor).await?;
                suppliers.insert(row.supplier.clone(), id);
                id
            }
        };
        let mut new = NewProduct::parse(ProductFields {
            ndc: &row.ndc,
            name: &row.name,
            generic_name: &row.generic_name,
            strength: &row.strength,
            form: &row.form,
            pack_size: row.pack_size,
            rx_only: row.rx_only != 0,
            dea_schedule: Some(&row.dea_schedule),
            price_cents: row.price_cents,
            tax_rate_bp: row.tax_rate_bp,
        })?;
        new.supplier_id = Some(supplier_id);
        let id = store.create_product(&new, actor).await?;
        products.push(DemoProduct {
            id,
            generic_name: new.generic_name,
            strength: new.strength,
            pack_size: row.pack_size,
            profile: row.demand_profile,
            mean_daily_units: row.mean_daily_units.max(0.0),
        });
    }
    Ok(products)
}
