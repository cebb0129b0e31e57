//! Demo prescribers and patients, `data/demo/prescribers.csv` and
//! `data/demo/patients.csv`. Each patient's chronic medicines become verified
//! prescriptions with refills, linked to the stocked product.

use serde::Deserialize;

use super::catalogue::{DemandProfile, DemoProduct};
use crate::Store;
use crate::audit::Actor;
use crate::error::{StoreError, StoreResult};
use crate::patients::{NewAllergy, NewPatient};
use crate::prescribers::NewPrescriber;
use crate::prescriptions::{NewItem, NewPrescription, RxStatus};

const PRESCRIBERS_CSV: &str = include_str!("../../../data/demo/prescribers.csv");
const PATIENTS_CSV: &str = include_str!("../../../data/demo/patients.csv");

#[derive(Deserialize)]
struct PrescriberRow {
    name: String,
    npi: String,
    dea: String,
}

#[derive(Deserialize)]
struct PatientRow {
    first_name: String,
    last_name: String,
    dob: String,
    sex: String,
    phone: String,
    email: String,
    address: String,
    allergies: String,
    conditions: String,
    chronic_meds: String,
}

fn parse_csv<T: for<'de> Deserialize<'de>>(name: &'static str, text: &str) -> StoreResult<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::invalid(name, e.to_string()))
}

pub async fn load_prescribers(store: &Store, actor: &Actor) -> StoreResult<Vec<i64>> {
    let mut ids = Vec::new();
    for row in parse_csv::<PrescriberRow>("data/demo/prescribers.csv", PRESCRIBERS_CSV)? {
        let new = NewPrescriber::parse(&row.name, &row.npi, Some(&row.dea))?;
        ids.push(store.create_prescriber(&new, actor).await?);
    }
    Ok(ids)
}

/// Returns (patients, prescriptions) created.
pub async fn load_patients(
    store: &Store,
    products: &[DemoProduct],
    prescribers: &[i64],
    actor: &Actor,
) -> StoreResult<(usize, usize)> {
    let rows = parse_csv::<PatientRow>("data/demo/patients.csv", PATIENTS_CSV)?;
    let mut prescriptions = 0;
    for (n, row) in rows.iter().enumerate() {
        let new = NewPatient::parse(&row.first_name, &row.last_name, &row.dob, &row.sex)?
            .with_contact(Some(&row.phone), Some(&row.email), Some(&row.address))?;
        let id = store.create_patient(&new, actor).await?;
        for allergy in entries(&row.allergies) {
            let parts: Vec<&str> = allergy.split(':').collect();
            let [allergen, kind, reaction, severity] = parts[..] else {
                return Err(StoreError::invalid(
                    "data/demo/patients.csv",
                    format!("allergy {allergy:?} is not allergen:kind:reaction:severity"),
                ));
            };
            store
                .add_allergy(
                    id,
                    &NewAllergy::parse(allergen, kind, Some(reaction), severity)?,
                    actor,
                )
                .await?;
        }
        for condition in entries(&row.conditions) {
            let (code, description) = condition.split_once(':').unwrap_or(("", condition));
            store
                .add_condition(id, Some(code), description, actor)
                .await?;
        }
        let prescriber = prescribers.get(n % prescribers.len().max(1)).copied();
        for med in entries(&row.chronic_meds) {
            let product = products
                .iter()
                .find(|p| {
                    p.profile == DemandProfile::Chronic
                        && format!("{} {}", p.generic_name, p.strength) == med
                })
                .ok_or_else(|| {
                    StoreError::invalid(
                        "data/demo/patients.csv",
                        format!("chronic med {med:?} matches no chronic product"),
                    )
                })?;
            store
                .add_medication(
                    id,
                    &product.generic_name,
                    Some(&product.strength),
                    Some("as directed"),
                    actor,
                )
                .await?;
            chronic_prescription(store, id, prescriber, product, actor).await?;
            prescriptions += 1;
        }
    }
    Ok((rows.len(), prescriptions))
}

fn entries(field: &str) -> impl Iterator<Item = &str> {
    field.split('|').map(str::trim).filter(|e| !e.is_empty())
}

/// A verified maintenance prescription: 30 days' supply with 11 refills.
async fn chronic_prescription(
    store: &Store,
    patient_id: i64,
    prescriber_id: Option<i64>,
    product: &DemoProduct,
    actor: &Actor,
) -> StoreResult<()> {
    let quantity = if product.pack_size <= 10 { 1 } else { 30 };
    let mut item = NewItem::parse(&product.generic_name, "take as directed", quantity, 11)?
        .with_details(Some(&product.strength), None, Some("oral"))?;
    item.product_id = Some(product.id);
    let new = NewPrescription {
        patient_id: Some(patient_id),
        prescriber_id,
        items: vec![item],
        ..NewPrescription::default()
    };
    let rx = store.create_prescription(&new, actor).await?;
    for to in [
        RxStatus::Extracted,
        RxStatus::NeedsReview,
        RxStatus::Verified,
    ] {
        store
            .transition_prescription(rx, to, Some("demo maintenance prescription"), actor)
            .await?;
    }
    Ok(())
}
