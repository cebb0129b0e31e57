//! Prescriptions, their items, and the guarded state machine
//! received → extracted → needs_review → verified | rejected →
//! partially_dispensed → dispensed, with cancelled reachable until dispensed.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use std::fmt;
use time::Date;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::status::{Stateful, guarded_update};
use crate::text::Quantity;
use crate::{Store, clock, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RxStatus {
    Received,
    Extracted,
    NeedsReview,
    Verified,
    Rejected,
    PartiallyDispensed,
    Dispensed,
    Cancelled,
}

impl RxStatus {
    pub const ALL: [RxStatus; 8] = [
        RxStatus::Received,
        RxStatus::Extracted,
        RxStatus::NeedsReview,
        RxStatus::Verified,
        RxStatus::Rejected,
        RxStatus::PartiallyDispensed,
        RxStatus::Dispensed,
        RxStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RxStatus::Received => "received",
            RxStatus::Extracted => "extracted",
            RxStatus::NeedsReview => "needs_review",
            RxStatus::Verified => "verified",
            RxStatus::Rejected => "rejected",
            RxStatus::PartiallyDispensed => "partially_dispensed",
            RxStatus::Dispensed => "dispensed",
            RxStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> StoreResult<Self> {
        RxStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                StoreError::invalid("prescription status", format!("{raw:?} is not a status"))
            })
    }

    /// The transitions a prescription may make. Extraction may fail outright
    /// (received → needs_review), and a partial fill may be followed by more.
    pub fn can_become(self, to: RxStatus) -> bool {
        use RxStatus::*;
        matches!(
            (self, to),
            (Received, Extracted | NeedsReview | Cancelled)
                | (Extracted, NeedsReview | Cancelled)
                | (NeedsReview, Verified | Rejected | Cancelled)
                | (Verified, PartiallyDispensed | Dispensed | Cancelled)
                | (
                    PartiallyDispensed,
                    PartiallyDispensed | Dispensed | Cancelled
                )
        )
    }

    /// Whether items of a prescription in this state may be sold or filled.
    pub fn is_fillable(self) -> bool {
        matches!(self, RxStatus::Verified | RxStatus::PartiallyDispensed)
    }
}

impl fmt::Display for RxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Refills authorised beyond the first fill; 99 is the most any label states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refills(i64);

impl Refills {
    pub fn new(n: i64) -> StoreResult<Self> {
        if (0..=99).contains(&n) {
            Ok(Refills(n))
        } else {
            Err(StoreError::invalid(
                "refills",
                format!("{n} is not between 0 and 99"),
            ))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[derive(Debug, Clone)]
pub struct NewItem {
    pub drug: String,
    pub drug_id: Option<String>,
    pub strength: Option<String>,
    pub form: Option<String>,
    pub route: Option<String>,
    pub sig: String,
    pub quantity: Quantity,
    pub refills: Refills,
    pub product_id: Option<i64>,
}

impl NewItem {
    pub fn parse(drug: &str, sig: &str, quantity: i64, refills: i64) -> StoreResult<Self> {
        Ok(NewItem {
            drug: text::required("drug", drug, 200)?,
            drug_id: None,
            strength: None,
            form: None,
            route: None,
            sig: text::required("sig", sig, 1000)?,
            quantity: Quantity::new(quantity)?,
            refills: Refills::new(refills)?,
            product_id: None,
        })
    }

    pub fn with_details(
        mut self,
        strength: Option<&str>,
        form: Option<&str>,
        route: Option<&str>,
    ) -> StoreResult<Self> {
        self.strength = text::optional("strength", strength, 100)?;
        self.form = text::optional("form", form, 100)?;
        self.route = text::optional("route", route, 100)?;
        Ok(self)
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewPrescription {
    pub patient_id: Option<i64>,
    pub prescriber_id: Option<i64>,
    pub image_ref: Option<String>,
    pub written_on: Option<Date>,
    pub items: Vec<NewItem>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub prescription_id: i64,
    pub product_id: Option<i64>,
    pub drug: String,
    pub drug_id: Option<String>,
    pub strength: Option<String>,
    pub form: Option<String>,
    pub route: Option<String>,
    pub sig: String,
    pub quantity: i64,
    pub refills_authorized: i64,
    pub fills_used: i64,
}

impl Item {
    pub fn fills_left(&self) -> i64 {
        self.refills_authorized + 1 - self.fills_used
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Prescription {
    pub id: i64,
    pub patient_id: Option<i64>,
    pub prescriber_id: Option<i64>,
    pub status: RxStatus,
    pub image_ref: Option<String>,
    pub written_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub items: Vec<Item>,
}

impl Store {
    /// Records a new prescription in `received`.
    pub async fn create_prescription(
        &self,
        new: &NewPrescription,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        if let Some(patient_id) = new.patient_id {
            crate::patients::ensure_patient(&mut tx, patient_id).await?;
        }
        let now = clock::now();
        let id: i64 = sqlx::query(
            "INSERT INTO prescriptions (patient_id, prescriber_id, status, image_ref, written_on, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(new.patient_id)
        .bind(new.prescriber_id)
        .bind(RxStatus::Received.as_str())
        .bind(&new.image_ref)
        .bind(new.written_on.map(clock::format_date))
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for item in &new.items {
            insert_item(&mut tx, id, item).await?;
        }
        let details = json!({ "items": new.items.len(), "patient_id": new.patient_id });
        audit::append(
            &mut tx,
            Event::new(actor, "prescription.create", "prescription", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a prescription to `to` if the state machine allows it. The
    /// `WHERE status = old` guard makes a concurrent change lose cleanly.
    pub async fn transition_prescription(
        &self,
        id: i64,
        to: RxStatus,
        reason: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<()> {
        let reason = text::optional("reason", reason, 1000)?;
        let mut tx = self.begin().await?;
        let from = status_of(&mut tx, id).await?;
        set_status(&mut tx, id, from, to).await?;
        let details = json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason });
        audit::append(
            &mut tx,
            Event::new(actor, "prescription.transition", "prescription", id).with(details),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The prescription an item belongs to.
    pub async fn prescription_of_item(&self, item_id: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query("SELECT prescription_id FROM prescription_items WHERE id = $1")
                .bind(item_id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound {
                    entity: "prescription item",
                    id: item_id,
                })?
                .try_get("prescription_id")?,
        )
    }

    pub async fn prescription(&self, id: i64, actor: &Actor) -> StoreResult<Prescription> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT id, patient_id, prescriber_id, status, image_ref, written_on, created_at, updated_at FROM prescriptions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound { entity: "prescription", id })?;
        let items = items_of(&mut tx, id).await?;
        let rx = Prescription {
            id,
            patient_id: row.try_get("patient_id")?,
            prescriber_id: row.try_get("prescriber_id")?,
            status: RxStatus::parse(&row.try_get::<String, _>("status")?)?,
            image_ref: row.try_get("image_ref")?,
            written_on: row.try_get("written_on")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            items,
        };
        audit::append(
            &mut tx,
            Event::new(actor, "prescription.read", "prescription", id),
        )
        .await?;
        tx.commit().await?;
        Ok(rx)
    }
}

pub(crate) async fn insert_item(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rx_id: i64,
    item: &NewItem,
) -> StoreResult<i64> {
    Ok(sqlx::query(
        "INSERT INTO prescription_items (prescription_id, product_id, drug, drug_id, strength, form, route, sig, quantity, refills_authorized) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(rx_id)
    .bind(item.product_id)
    .bind(&item.drug)
    .bind(&item.drug_id)
    .bind(&item.strength)
    .bind(&item.form)
    .bind(&item.route)
    .bind(&item.sig)
    .bind(item.quantity.get())
    .bind(item.refills.get())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?)
}

pub(crate) async fn items_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rx_id: i64,
) -> StoreResult<Vec<Item>> {
    Ok(sqlx::query_as(
        "SELECT id, prescription_id, product_id, drug, drug_id, strength, form, route, sig, quantity, refills_authorized, fills_used \
         FROM prescription_items WHERE prescription_id = $1 ORDER BY id",
    )
    .bind(rx_id)
    .fetch_all(&mut **tx)
    .await?)
}

pub(crate) async fn item(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    item_id: i64,
) -> StoreResult<Item> {
    sqlx::query_as(
        "SELECT id, prescription_id, product_id, drug, drug_id, strength, form, route, sig, quantity, refills_authorized, fills_used \
         FROM prescription_items WHERE id = $1",
    )
    .bind(item_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound { entity: "prescription item", id: item_id })
}

pub(crate) async fn status_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
) -> StoreResult<RxStatus> {
    let status: String = sqlx::query("SELECT status FROM prescriptions WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound {
            entity: "prescription",
            id,
        })?
        .try_get("status")?;
    RxStatus::parse(&status)
}

pub(crate) async fn set_status(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    from: RxStatus,
    to: RxStatus,
) -> StoreResult<()> {
    if !from.can_become(to) {
        return Err(StoreError::IllegalTransition { from, to });
    }
    guarded_update(tx, Stateful::Prescription, id, from.as_str(), to.as_str()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states_go_nowhere() {
        for terminal in [RxStatus::Rejected, RxStatus::Dispensed, RxStatus::Cancelled] {
            for to in RxStatus::ALL {
                assert!(
                    !terminal.can_become(to),
                    "{terminal} -> {to} must be refused"
                );
            }
        }
    }

    #[test]
    fn review_cannot_be_skipped() {
        assert!(!RxStatus::Received.can_become(RxStatus::Verified));
        assert!(!RxStatus::Extracted.can_become(RxStatus::Verified));
        assert!(!RxStatus::NeedsReview.can_become(RxStatus::Dispensed));
        assert!(RxStatus::NeedsReview.can_become(RxStatus::Verified));
    }

    #[test]
    fn status_names_round_trip() {
        for s in RxStatus::ALL {
            assert_eq!(RxStatus::parse(s.as_str()).ok(), Some(s));
        }
        assert!(RxStatus::parse("approved").is_err());
    }
}
