//! A tiny, hand-written set of inputs for unit tests: a few ANSM rules (one
//! conditional, one in both orders), NDC products (a combination brand, a
//! CII opioid, confusable names), curated rules, groups and a dose limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::build::{Inputs, compile};
use crate::kb::Kb;
use crate::model::Tables;
use crate::severity::Severity;
use crate::snapshot::{self, Counts, Manifest};
use crate::sources::ansm::{
    AnsmEnglish, AnsmLevel, AnsmName, AnsmNameKind, AnsmRecord, IndexEntry,
};
use crate::sources::curated::*;
use crate::sources::ndc::{ActiveIngredient, NdcProduct};
use crate::sources::synonyms::{Canonical, Synonym};
use crate::sources::unii::{UniiName, UniiNameType};

fn rec(a: &str, b: &str, levels: &[(&str, &str)], mechanism: &str) -> AnsmRecord {
    AnsmRecord {
        main_drug: a.into(),
        plus_drug: b.into(),
        severity_levels: levels
            .iter()
            .map(|(l, i)| AnsmLevel {
                level: l.to_string(),
                info: i.to_string(),
            })
            .collect(),
        interaction_mechanism: mechanism.into(),
        description: String::new(),
    }
}

fn name(ansm: &str, kind: AnsmNameKind, en: &str, salts: &[&str]) -> AnsmName {
    AnsmName {
        ansm_name: ansm.into(),
        kind,
        english_name: en.into(),
        note: String::new(),
        us_salts: salts.iter().map(|s| s.to_string()).collect(),
    }
}

fn product(
    ndc: &str,
    brand: &str,
    generic: &str,
    form: &str,
    ings: &[(&str, &str)],
    dea: &str,
) -> NdcProduct {
    NdcProduct {
        product_id: format!("{ndc}_spl"),
        product_ndc: ndc.into(),
        product_type: "HUMAN PRESCRIPTION DRUG".into(),
        brand: brand.into(),
        brand_suffix: String::new(),
        generic: generic.into(),
        form: form.into(),
        routes: "ORAL".into(),
        marketing_category: "NDA".into(),
        ingredients: ings
            .iter()
            .map(|(s, st)| ActiveIngredient {
                substance: s.to_string(),
                strength: st.to_string(),
                unit: "mg/1".into(),
            })
            .collect(),
        pharm_classes: Vec::new(),
        dea: dea.into(),
        excluded: false,
    }
}

fn us_rule(id: &str, a: &str, b: &str, severity: Severity, overrides: bool) -> UsRule {
    UsRule {
        id: id.into(),
        a: a.into(),
        b: b.into(),
        severity,
        mechanism: format!("{a} with {b}: mechanism."),
        management: format!("{a} with {b}: management."),
        evidence: "label".into(),
        citation: format!("{id} citation"),
        condition: None,
        condition_kind: None,
        overrides_ansm: overrides,
    }
}

pub(crate) fn inputs() -> Inputs {
    use AnsmNameKind::{Class, Substance};
    let avk_fluco = [("Association DECONSEILLEE", "")];
    Inputs {
        thesaurus: vec![
            rec(
                "ANTIVITAMINES K",
                "FLUCONAZOLE",
                &avk_fluco,
                "Augmentation de l'effet de l'antivitamine K.",
            ),
            rec(
                "FLUCONAZOLE",
                "ANTIVITAMINES K",
                &avk_fluco,
                "Augmentation de l'effet de l'antivitamine K.",
            ),
            rec(
                "ACIDE ACETYLSALICYLIQUE",
                "ANTIVITAMINES K",
                &[
                    ("CONTRE-INDICATION", "avec des doses anti-inflammatoires"),
                    ("A prendre en compte", "doses antiagrégantes"),
                ],
                "Majoration du risque hémorragique.",
            ),
            rec(
                "ANTICONVULSIVANTS INDUCTEURS ENZYMATIQUES",
                "VORICONAZOLE",
                &[
                    ("CONTRE-INDICATION", ": - pour carbamazépine, phénobarbital"),
                    (
                        "Association DECONSEILLEE",
                        ": - pour phénytoïne, fosphénytoïne",
                    ),
                ],
                "Diminution importante des concentrations de voriconazole.",
            ),
            rec(
                "SIMVASTATINE",
                "CLARITHROMYCINE",
                &[("CONTRE-INDICATION", "")],
                "Risque majoré de \nrhabdomyolyse.",
            ),
        ],
        index: [
            "warfarine",
            "fluconazole",
            "acide acetylsalicylique",
            "simvastatine",
            "clarithromycine",
            "carbamazepine",
            "phénytoïne",
            "voriconazole",
        ]
        .iter()
        .map(|s| IndexEntry {
            substance: s.to_string(),
            drug_classes: match *s {
                "warfarine" => vec!["antivitamines k".into()],
                "carbamazepine" | "phénytoïne" => {
                    vec!["anticonvulsivants inducteurs enzymatiques".into()]
                }
                _ => vec![],
            },
        })
        .collect(),
        rxnorm: vec![("warfarine".into(), 11289)],
        names: vec![
            name("warfarine", Substance, "warfarin", &["WARFARIN SODIUM"]),
            name(
                "carbamazepine",
                Substance,
                "carbamazepine",
                &["CARBAMAZEPINE"],
            ),
            name("phénytoïne", Substance, "phenytoin", &["PHENYTOIN SODIUM"]),
            name("voriconazole", Substance, "voriconazole", &["VORICONAZOLE"]),
            name("fluconazole", Substance, "fluconazole", &["FLUCONAZOLE"]),
            name(
                "acide acetylsalicylique",
                Substance,
                "aspirin",
                &["ASPIRIN"],
            ),
            name("simvastatine", Substance, "simvastatin", &["SIMVASTATIN"]),
            name(
                "clarithromycine",
                Substance,
                "clarithromycin",
                &["CLARITHROMYCIN"],
            ),
            name("antivitamines k", Class, "vitamin K antagonists", &[]),
        ],
        english: vec![AnsmEnglish {
            a: "ANTIVITAMINES K".into(),
            b: "FLUCONAZOLE".into(),
            levels_fr: vec!["Association DECONSEILLEE".into()],
            mechanism_en: "Higher anticoagulant effect and bleeding risk.".into(),
            management_en: "Avoid; if needed, check INR more often.".into(),
            level_notes_en: vec![String::new()],
            management_from: "ansm".into(),
            citation: "ANSM 2020-10, ANTIVITAMINES K + FLUCONAZOLE".into(),
            json_levels_fr: None,
            source_note: None,
        }],
        products: vec![
            product(
                "0056-0169",
                "COUMADIN",
                "warfarin sodium",
                "TABLET",
                &[("WARFARIN SODIUM", "5")],
                "",
            ),
            product(
                "0049-3500",
                "Diflucan",
                "fluconazole",
                "TABLET",
                &[("FLUCONAZOLE", "150")],
                "",
            ),
            product(
                "11111-222",
                "Bactrim DS",
                "sulfamethoxazole and trimethoprim",
                "TABLET",
                &[("SULFAMETHOXAZOLE", "800"), ("TRIMETHOPRIM", "160")],
                "",
            ),
            product(
                "0093-3109",
                "Amoxicillin",
                "amoxicillin",
                "CAPSULE",
                &[("AMOXICILLIN", "500")],
                "",
            ),
            product(
                "0406-0552",
                "Roxicodone",
                "oxycodone hydrochloride",
                "TABLET",
                &[("OXYCODONE HYDROCHLORIDE", "5")],
                "CII",
            ),
            product(
                "0280-2000",
                "Bayer Aspirin",
                "aspirin",
                "TABLET",
                &[("ASPIRIN", "325")],
                "",
            ),
            product(
                "0006-0740",
                "Zocor",
                "simvastatin",
                "TABLET, FILM COATED",
                &[("SIMVASTATIN", "20")],
                "",
            ),
            product(
                "0074-3368",
                "Biaxin",
                "clarithromycin",
                "TABLET",
                &[("CLARITHROMYCIN", "500")],
                "",
            ),
            product(
                "0378-1234",
                "",
                "hydroxyzine hydrochloride",
                "TABLET",
                &[("HYDROXYZINE HYDROCHLORIDE", "25")],
                "",
            ),
            product(
                "0083-0027",
                "Tegretol",
                "carbamazepine",
                "TABLET",
                &[("CARBAMAZEPINE", "200")],
                "",
            ),
            product(
                "0071-0369",
                "Dilantin",
                "phenytoin sodium",
                "CAPSULE",
                &[("PHENYTOIN SODIUM", "100")],
                "",
            ),
            product(
                "0049-3170",
                "Vfend",
                "voriconazole",
                "TABLET",
                &[("VORICONAZOLE", "200")],
                "",
            ),
            product(
                "0378-2345",
                "",
                "hydralazine hydrochloride",
                "TABLET",
                &[("HYDRALAZINE HYDROCHLORIDE", "25")],
                "",
            ),
            product(
                "0781-0001",
                "Tylenol",
                "acetaminophen",
                "TABLET",
                &[("ACETAMINOPHEN", "500")],
                "",
            ),
        ],
        packages: vec![("0056-0169_spl".into(), "0056-0169-70".into())],
        unii: vec![
            UniiName {
                name: "PARACETAMOL".into(),
                kind: UniiNameType::Official,
                display: "ACETAMINOPHEN".into(),
            },
            UniiName {
                name: "WARFARIN".into(),
                kind: UniiNameType::Official,
                display: "WARFARIN".into(),
            },
        ],
        synonyms: vec![Synonym {
            variant: "apap".into(),
            canonical_key: "acetaminophen".into(),
            canonical: Canonical {
                name: "Acetaminophen".into(),
                drugbank_id: Some("DB00316".into()),
                mesh_id: None,
                medline_plus_id: None,
                nhs_url: None,
                wikipedia_url: None,
            },
            is_brand: false,
            needs_confirmation: false,
        }],
        curated: Curated {
            us: UsSupplement {
                class: vec![UsClass {
                    id: "azoles".into(),
                    name: "Azole antifungals".into(),
                    members: vec!["fluconazole".into()],
                    citation: "labels".into(),
                }],
                rule: vec![
                    us_rule(
                        "us-warfarin-aspirin",
                        "warfarin",
                        "aspirin",
                        Severity::Major,
                        true,
                    ),
                    us_rule(
                        "us-warfarin-azoles",
                        "warfarin",
                        "class:azoles",
                        Severity::Major,
                        false,
                    ),
                ],
            },
            duplicates: DuplicateTherapy {
                group: vec![DuplicateGroup {
                    id: "antithrombotics".into(),
                    name: "Antithrombotics".into(),
                    members: vec!["warfarin".into(), "aspirin".into()],
                    severity: Severity::Moderate,
                    rationale: "Two antithrombotics add bleeding risk.".into(),
                    citation: "test".into(),
                }],
            },
            allergies: AllergyGroups {
                group: vec![AllergyGroup {
                    id: "penicillins".into(),
                    name: "Penicillins".into(),
                    aliases: vec!["pcn".into(), "penicillin".into()],
                    members: vec!["amoxicillin".into()],
                    within_severity: Severity::Contraindicated,
                    citation: "Amoxil USPI sec. 4".into(),
                    note: None,
                }],
                cross: Vec::new(),
            },
            max_doses: vec![MaxDoseRow {
                drug: "acetaminophen".into(),
                route: "oral".into(),
                form_note: String::new(),
                max_daily_dose: 4000.0,
                unit: "mg".into(),
                per_kg: false,
                population: "adult".into(),
                condition: String::new(),
                citation: "Tylenol label".into(),
            }],
        },
    }
}

pub(crate) fn tables() -> Tables {
    compile(&inputs())
}

/// The fixture compiled and written as a snapshot with a fixed id.
pub(crate) fn kb() -> (tempfile::TempDir, Kb) {
    let dir = tempfile::tempdir().unwrap();
    let t = tables();
    let manifest = Manifest {
        snapshot_id: "kb-fixture".into(),
        build_code_version: "test".into(),
        inputs: Vec::new(),
        counts: Counts::of(&t),
    };
    let snap = snapshot::write(dir.path(), &manifest, &t).unwrap();
    let kb = Kb::open(&snap).unwrap();
    (dir, kb)
}
