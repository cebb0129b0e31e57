//! The product catalogue (by NDC), suppliers and stock locations.

use rxflow_clinical::codes::Ndc;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::window::Window;
use crate::{Store, text};

/// A DEA controlled-substance schedule that a pharmacy can stock (C-II to C-V).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Schedule(i64);

impl Schedule {
    pub fn new(n: i64) -> StoreResult<Self> {
        if (2..=5).contains(&n) {
            Ok(Schedule(n))
        } else {
            Err(StoreError::invalid(
                "dea_schedule",
                format!("{n} is not a stockable schedule (2–5)"),
            ))
        }
    }

    /// Accepts "2", "CII", "C-II" and the like.
    pub fn parse(raw: &str) -> StoreResult<Self> {
        let t = raw.trim().to_ascii_uppercase().replace('-', "");
        let t = t.strip_prefix('C').unwrap_or(&t);
        let n = match t {
            "2" | "II" => 2,
            "3" | "III" => 3,
            "4" | "IV" => 4,
            "5" | "V" => 5,
            _ => {
                return Err(StoreError::invalid(
                    "dea_schedule",
                    format!("{raw:?} is not C-II to C-V"),
                ));
            }
        };
        Schedule::new(n)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub ndc: Ndc,
    pub name: String,
    pub generic_name: String,
    pub strength: String,
    pub form: String,
    pub pack_size: i64,
    pub rx_only: bool,
    pub dea_schedule: Option<Schedule>,
    pub price_cents: i64,
    pub tax_rate_bp: i64,
    pub supplier_id: Option<i64>,
}

/// The fields of a product as text, as they arrive from a CSV or a form.
pub struct ProductFields<'a> {
    pub ndc: &'a str,
    pub name: &'a str,
    pub generic_name: &'a str,
    pub strength: &'a str,
    pub form: &'a str,
    pub pack_size: i64,
    pub rx_only: bool,
    pub dea_schedule: Option<&'a str>,
    pub price_cents: i64,
    pub tax_rate_bp: i64,
}

impl NewProduct {
    pub fn parse(f: ProductFields<'_>) -> StoreResult<Self> {
        if !(1..=100_000).contains(&f.pack_size) {
            return Err(StoreError::invalid(
                "pack_size",
                format!("{} is not between 1 and 100000", f.pack_size),
            ));
        }
        if !(0..=100_000_000).contains(&f.price_cents) {
            return Err(StoreError::invalid(
                "price_cents",
                "must be between 0 and 100000000",
            ));
        }
        if !(0..=10_000).contains(&f.tax_rate_bp) {
            return Err(StoreError::invalid(
                "tax_rate_bp",
                "must be between 0 and 10000 basis points",
            ));
        }
        let dea_schedule = f
            .dea_schedule
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Schedule::parse)
            .transpose()?;
        if dea_schedule.is_some() && !f.rx_only {
            return Err(StoreError::invalid(
                "rx_only",
                "a controlled substance must be prescription-only",
            ));
        }
        Ok(NewProduct {
            ndc: Ndc::parse(f.ndc).map_err(|e| StoreError::invalid("ndc", e.to_string()))?,
            name: text::required("name", f.name, 300)?,
            generic_name: text::required("generic_name", f.generic_name, 300)?.to_lowercase(),
            strength: text::required("strength", f.strength, 100)?,
            form: text::required("form", f.form, 100)?.to_lowercase(),
            pack_size: f.pack_size,
            rx_only: f.rx_only,
            dea_schedule,
            price_cents: f.price_cents,
            tax_rate_bp: f.tax_rate_bp,
            supplier_id: None,
        })
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub ndc: String,
    pub name: String,
    pub generic_name: String,
    pub strength: String,
    pub form: String,
    pub pack_size: i64,
    pub rx_only: i64,
    pub dea_schedule: Option<i64>,
    pub price_cents: i64,
    pub tax_rate_bp: i64,
    pub supplier_id: Option<i64>,
}

impl Product {
    pub fn is_rx_only(&self) -> bool {
        self.rx_only != 0
    }
}

const PRODUCT_COLUMNS: &str = "id, ndc, name, generic_name, strength, form, pack_size, rx_only, dea_schedule, price_cents, tax_rate_bp, supplier_id";

impl Store {
    pub async fn create_supplier(
        &self,
        name: &str,
        contact: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let name = text::required("supplier name", name, 200)?;
        let contact = text::optional("contact", contact, 300)?;
        let mut tx = self.begin().await?;
        let id: i64 =
            sqlx::query("INSERT INTO suppliers (name, contact) VALUES ($1, $2) RETURNING id")
                .bind(&name)
                .bind(&contact)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
        audit::append(
            &mut tx,
            Event::new(actor, "supplier.create", "supplier", id).with(json!({ "name": name })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn create_product(&self, new: &NewProduct, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let taken = sqlx::query("SELECT id FROM products WHERE ndc = $1")
            .bind(new.ndc.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "a product with NDC {} already exists",
                new.ndc
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO products (ndc, name, generic_name, strength, form, pack_size, rx_only, dea_schedule, price_cents, tax_rate_bp, supplier_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(new.ndc.as_str())
        .bind(&new.name)
        .bind(&new.generic_name)
        .bind(&new.strength)
        .bind(&new.form)
        .bind(new.pack_size)
        .bind(i64::from(new.rx_only))
        .bind(new.dea_schedule.map(Schedule::get))
        .bind(new.price_cents)
        .bind(new.tax_rate_bp)
        .bind(new.supplier_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let details = json!({ "ndc": new.ndc.as_str(), "name": new.name });
        audit::append(
            &mut tx,
            Event::new(actor, "product.create", "product", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn product(&self, id: i64) -> StoreResult<Product> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1"
        ));
        sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "product",
                id,
            })
    }

    pub async fn product_by_ndc(&self, ndc: &Ndc) -> StoreResult<Option<Product>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE ndc = $1"
        ));
        Ok(sqlx::query_as(sql)
            .bind(ndc.as_str())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Products whose name or generic name contains `search` (case-insensitive), by name.
    pub async fn list_products(
        &self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Product>> {
        let pattern = format!("%{}%", search.unwrap_or("").trim().to_lowercase());
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PRODUCT_COLUMNS} FROM products WHERE LOWER(name) LIKE $1 OR generic_name LIKE $2 ORDER BY name, id {}",
            Window::new(limit, offset)
        ));
        Ok(sqlx::query_as(sql)
            .bind(&pattern)
            .bind(&pattern)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The id of a location, creating it on first use.
    pub async fn location_id(&self, name: &str) -> StoreResult<i64> {
        let name = text::required("location", name, 100)?;
        if let Some(row) = sqlx::query("SELECT id FROM locations WHERE name = $1")
            .bind(&name)
            .fetch_optional(&self.pool)
            .await?
        {
            return Ok(row.try_get("id")?);
        }
        let inserted = sqlx::query(
            "INSERT INTO locations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(&name)
        .fetch_optional(&self.pool)
        .await?;
        match inserted {
            Some(row) => Ok(row.try_get("id")?),
            None => Ok(sqlx::query("SELECT id FROM locations WHERE name = $1")
                .bind(&name)
                .fetch_one(&self.pool)
                .await?
                .try_get("id")?),
        }
    }
}
