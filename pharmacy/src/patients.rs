//! Patients and what a clinical check needs to know about them: allergies,
//! conditions and the active medication list.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use time::Date;

use crate::audit::{self, Actor, Event};
use crate::error::{StoreError, StoreResult};
use crate::{Store, clock, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

impl Sex {
    pub fn parse(raw: &str) -> StoreResult<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "f" | "female" => Ok(Sex::Female),
            "m" | "male" => Ok(Sex::Male),
            "other" | "x" => Ok(Sex::Other),
            "" | "unknown" | "u" => Ok(Sex::Unknown),
            other => Err(StoreError::invalid(
                "sex",
                format!("{other:?} is not female, male, other or unknown"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
            Sex::Unknown => "unknown",
        }
    }
}

/// A patient to register, already parsed.
#[derive(Debug, Clone)]
pub struct NewPatient {
    pub first_name: String,
    pub last_name: String,
    pub dob: Date,
    pub sex: Sex,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl NewPatient {
    pub fn parse(first: &str, last: &str, dob: &str, sex: &str) -> StoreResult<Self> {
        let dob = clock::parse_date("dob", dob)?;
        let today = clock::today();
        if dob > today || today.year() - dob.year() > 130 {
            return Err(StoreError::invalid(
                "dob",
                "must be in the past and within 130 years",
            ));
        }
        Ok(NewPatient {
            first_name: text::required("first_name", first, 100)?,
            last_name: text::required("last_name", last, 100)?,
            dob,
            sex: Sex::parse(sex)?,
            phone: None,
            email: None,
            address: None,
        })
    }

    pub fn with_contact(
        mut self,
        phone: Option<&str>,
        email: Option<&str>,
        address: Option<&str>,
    ) -> StoreResult<Self> {
        self.phone = text::optional("phone", phone, 40)?;
        self.email = text::optional("email", email, 200)?;
        self.address = text::optional("address", address, 400)?;
        Ok(self)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Patient {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub dob: String,
    pub sex: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllergenKind {
    Substance,
    Class,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReactionSeverity {
    Mild,
    Moderate,
    Severe,
    Unknown,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewAllergy {
    pub allergen: String,
    pub kind: AllergenKind,
    pub reaction: Option<String>,
    pub severity: ReactionSeverity,
}

impl NewAllergy {
    pub fn parse(
        allergen: &str,
        kind: &str,
        reaction: Option<&str>,
        severity: &str,
    ) -> StoreResult<Self> {
        let kind = match kind.trim() {
            "substance" => AllergenKind::Substance,
            "class" => AllergenKind::Class,
            other => {
                return Err(StoreError::invalid(
                    "allergy kind",
                    format!("{other:?} is not substance or class"),
                ));
            }
        };
        let severity = match severity.trim() {
            "mild" => ReactionSeverity::Mild,
            "moderate" => ReactionSeverity::Moderate,
            "severe" => ReactionSeverity::Severe,
            "" | "unknown" => ReactionSeverity::Unknown,
            other => {
                return Err(StoreError::invalid(
                    "allergy severity",
                    format!("{other:?} is not mild, moderate, severe or unknown"),
                ));
            }
        };
        Ok(NewAllergy {
            allergen: text::required("allergen", allergen, 200)?.to_lowercase(),
            kind,
            reaction: text::optional("reaction", reaction, 200)?,
            severity,
        })
    }

    fn kind_str(&self) -> &'static str {
        match self.kind {
            AllergenKind::Substance => "substance",
            AllergenKind::Class => "class",
        }
    }

    fn severity_str(&self) -> &'static str {
        match self.severity {
            ReactionSeverity::Mild => "mild",
            ReactionSeverity::Moderate => "moderate",
            ReactionSeverity::Severe => "severe",
            ReactionSeverity::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Allergy {
    pub id: i64,
    pub allergen: String,
    pub kind: String,
    pub reaction: Option<String>,
    pub severity: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Condition {
    pub id: i64,
    pub code: Option<String>,
    pub description: String,
    pub onset: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Medication {
    pub id: i64,
    pub drug: String,
    pub strength: Option<String>,
    pub sig: Option<String>,
    pub started_on: Option<String>,
}

/// Everything a clinical check needs about one patient.
#[derive(Debug, Clone, Serialize)]
pub struct PatientProfile {
    pub patient: Patient,
    pub allergies: Vec<Allergy>,
    pub conditions: Vec<Condition>,
    pub active_medications: Vec<Medication>,
}

impl Store {
    pub async fn create_patient(&self, new: &NewPatient, actor: &Actor) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = insert_patient(&mut tx, new).await?;
        let event = Event::new(actor, "patient.create", "patient", id);
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn add_allergy(
        &self,
        patient_id: i64,
        allergy: &NewAllergy,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        ensure_patient(&mut tx, patient_id).await?;
        let id = insert_allergy(&mut tx, patient_id, allergy, actor).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn add_condition(
        &self,
        patient_id: i64,
        code: Option<&str>,
        description: &str,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let code = text::optional("condition code", code, 20)?;
        let description = text::required("condition", description, 300)?;
        let mut tx = self.begin().await?;
        ensure_patient(&mut tx, patient_id).await?;
        let id: i64 = sqlx::query("INSERT INTO patient_conditions (patient_id, code, description) VALUES ($1, $2, $3) RETURNING id")
            .bind(patient_id)
            .bind(&code)
            .bind(&description)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let event = Event::new(actor, "patient.condition.add", "patient", patient_id)
            .with(json!({ "code": code, "description": description }));
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a drug to the active medication list (e.g. filled elsewhere).
    pub async fn add_medication(
        &self,
        patient_id: i64,
        drug: &str,
        strength: Option<&str>,
        sig: Option<&str>,
        actor: &Actor,
    ) -> StoreResult<i64> {
        let drug = text::required("drug", drug, 200)?.to_lowercase();
        let strength = text::optional("strength", strength, 100)?;
        let sig = text::optional("sig", sig, 500)?;
        let mut tx = self.begin().await?;
        ensure_patient(&mut tx, patient_id).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO patient_medications (patient_id, drug, strength, sig, started_on, active) VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
        )
        .bind(patient_id)
        .bind(&drug)
        .bind(&strength)
        .bind(&sig)
        .bind(clock::format_date(clock::today()))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let event = Event::new(actor, "patient.medication.add", "patient", patient_id)
            .with(json!({ "drug": drug, "strength": strength }));
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Reads a profile. Reading patient data is itself audited.
    pub async fn patient_profile(
        &self,
        patient_id: i64,
        actor: &Actor,
    ) -> StoreResult<PatientProfile> {
        let mut tx = self.begin().await?;
        let patient: Patient = sqlx::query_as("SELECT id, first_name, last_name, dob, sex, phone, email, address FROM patients WHERE id = $1")
            .bind(patient_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound { entity: "patient", id: patient_id })?;
        let allergies = sqlx::query_as("SELECT id, allergen, kind, reaction, severity FROM patient_allergies WHERE patient_id = $1 ORDER BY id")
            .bind(patient_id)
            .fetch_all(&mut *tx)
            .await?;
        let conditions = sqlx::query_as("SELECT id, code, description, onset FROM patient_conditions WHERE patient_id = $1 ORDER BY id")
            .bind(patient_id)
            .fetch_all(&mut *tx)
            .await?;
        let active_medications = sqlx::query_as(
            "SELECT id, drug, strength, sig, started_on FROM patient_medications WHERE patient_id = $1 AND active = 1 ORDER BY id",
        )
        .bind(patient_id)
        .fetch_all(&mut *tx)
        .await?;
        let event = Event::new(actor, "patient.read", "patient", patient_id);
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(PatientProfile {
            patient,
            allergies,
            conditions,
            active_medications,
        })
    }
}

/// Records an allergy and its audit event inside the caller's transaction.
pub(crate) async fn insert_allergy(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    patient_id: i64,
    allergy: &NewAllergy,
    actor: &Actor,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO patient_allergies (patient_id, allergen, kind, reaction, severity, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(patient_id)
    .bind(&allergy.allergen)
    .bind(allergy.kind_str())
    .bind(&allergy.reaction)
    .bind(allergy.severity_str())
    .bind(clock::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    let details = json!({ "allergen": allergy.allergen, "kind": allergy.kind_str(), "severity": allergy.severity_str() });
    let event = Event::new(actor, "patient.allergy.add", "patient", patient_id).with(details);
    audit::append(tx, event).await?;
    Ok(id)
}

pub(crate) async fn insert_patient(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    new: &NewPatient,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO patients (first_name, last_name, dob, sex, phone, email, address, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(clock::format_date(new.dob))
    .bind(new.sex.as_str())
    .bind(&new.phone)
    .bind(&new.email)
    .bind(&new.address)
    .bind(clock::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    Ok(id)
}

pub(crate) async fn ensure_patient(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    patient_id: i64,
) -> StoreResult<()> {
    sqlx::query("SELECT id FROM patients WHERE id = $1")
        .bind(patient_id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound {
            entity: "patient",
            id: patient_id,
        })
}
