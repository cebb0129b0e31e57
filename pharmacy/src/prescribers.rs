//! Prescribers, identified by NPI and, for controlled substances, DEA number.

use rxflow_clinical::codes::{Dea, Npi};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::{Store, clock, text};

#[derive(Debug, Clone)]
pub struct NewPrescriber {
    pub name: String,
    pub npi: Npi,
    pub dea: Option<Dea>,
}

impl NewPrescriber {
    pub fn parse(name: &str, npi: &str, dea: Option<&str>) -> StoreResult<Self> {
        let invalid =
            |field, e: rxflow_clinical::codes::CodeError| StoreError::invalid(field, e.to_string());
        Ok(NewPrescriber {
            name: text::required("prescriber name", name, 200)?,
            npi: Npi::parse(npi).map_err(|e| invalid("npi", e))?,
            dea: dea
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(Dea::parse)
                .transpose()
                .map_err(|e| invalid("dea", e))?,
        })
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Prescriber {
    pub id: i64,
    pub name: String,
    pub npi: String,
    pub dea: Option<String>,
}

impl Store {
    pub async fn create_prescriber(&self, new: &NewPrescriber, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let taken = sqlx::query("SELECT id FROM prescribers WHERE npi = $1")
            .bind(new.npi.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "a prescriber with NPI {} already exists",
                new.npi
            )));
        }
        let id: i64 = sqlx::query("INSERT INTO prescribers (name, npi, dea, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&new.name)
            .bind(new.npi.as_str())
            .bind(new.dea.as_ref().map(|d| d.as_str().to_string()))
            .bind(clock::now())
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let event = Event::new(actor, "prescriber.create", "prescriber", id)
            .with(json!({ "npi": new.npi.as_str() }));
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The prescriber with this NPI, recorded first if new (a prescription
    /// from a prescriber the pharmacy has not seen before).
    pub async fn prescriber_for(&self, new: &NewPrescriber, actor: &Actor) -> StoreResult<i64> {
        let known = sqlx::query("SELECT id FROM prescribers WHERE npi = $1")
            .bind(new.npi.as_str())
            .fetch_optional(&self.pool)
            .await?;
        match known {
            Some(row) => Ok(row.try_get("id")?),
            None => self.create_prescriber(new, actor).await,
        }
    }

    pub async fn prescriber(&self, id: i64) -> StoreResult<Prescriber> {
        sqlx::query_as("SELECT id, name, npi, dea FROM prescribers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                entity: "prescriber",
                id,
            })
    }
}
