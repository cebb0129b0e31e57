//! Unit tests of search and checks on the inline fixture (see `fixture`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::Kb;
use crate::finding::FindingKind;
use crate::fixture;
use crate::regimen::{Dose, DoseUnit, ItemStatus, PatientProfile, Regimen, RegimenItem};
use crate::search::MatchKind;
use crate::severity::Severity;

fn top(kb: &Kb, q: &str) -> Vec<String> {
    let r = kb.search(q).unwrap();
    let c = r
        .candidates
        .first()
        .unwrap_or_else(|| panic!("no candidate for {q:?}"));
    c.ingredients.iter().map(|i| i.name.clone()).collect()
}

fn check(kb: &Kb, drugs: &[&str], profile: &PatientProfile) -> Vec<crate::Finding> {
    let items = drugs
        .iter()
        .map(|d| kb.item(d, ItemStatus::New).unwrap())
        .collect();
    kb.check(&Regimen::new(items), profile)
}

#[test]
fn finds_by_every_kind_of_name() {
    let (_d, kb) = fixture::kb();
    assert_eq!(top(&kb, "warfarin"), ["warfarin"]);
    assert_eq!(top(&kb, "WARFARIN SODIUM"), ["warfarin"]);
    assert_eq!(top(&kb, "Coumadin"), ["warfarin"]);
    assert_eq!(top(&kb, "paracetamol"), ["acetaminophen"]);
    assert_eq!(top(&kb, "APAP"), ["acetaminophen"]);
    assert_eq!(top(&kb, "warfarine"), ["warfarin"]);
    let mut bactrim = top(&kb, "Bactrim DS");
    bactrim.sort();
    assert_eq!(bactrim, ["sulfamethoxazole", "trimethoprim"]);
}

#[test]
fn finds_ndc_in_any_layout() {
    let (_d, kb) = fixture::kb();
    for q in [
        "0056-0169-70",
        "00056-0169-70",
        "00056016970",
        "0056016970",
        "0056-0169",
    ] {
        let r = kb.search(q).unwrap();
        let c = r
            .candidates
            .first()
            .unwrap_or_else(|| panic!("no product for {q}"));
        assert_eq!(c.match_kind, MatchKind::Ndc, "{q}");
        assert_eq!(c.ingredients[0].name, "warfarin", "{q}");
    }
    assert!(kb.search("99999-9999-99").unwrap().candidates.is_empty());
}

#[test]
fn ocr_confusions_and_typos_rank_the_right_drug_first() {
    let (_d, kb) = fixture::kb();
    assert_eq!(top(&kb, "arnoxici11in"), ["amoxicillin"]);
    assert_eq!(top(&kb, "5imvastatin"), ["simvastatin"]);
    assert_eq!(top(&kb, "fluconazol"), ["fluconazole"]);
    let r = kb.search("amoxicilin 500 mg caps").unwrap();
    let c = &r.candidates[0];
    assert_eq!(c.ingredients[0].name, "amoxicillin");
    assert_eq!(c.strength_confirmed, Some(true));
    assert_eq!(c.products[0].product_ndc, "0093-3109");
    let r = kb.search("amoxicillin 875 mg caps").unwrap();
    assert_eq!(r.candidates[0].strength_confirmed, Some(false));
}

#[test]
fn reports_look_alikes() {
    let (_d, kb) = fixture::kb();
    let r = kb.search("hydroxyzine").unwrap();
    assert_eq!(r.candidates[0].look_alikes, ["hydralazine"]);
    assert!(r.candidates[0].confidence < r.candidates[0].score);
}

#[test]
fn bad_queries_are_errors_not_panics() {
    let (_d, kb) = fixture::kb();
    for q in [
        "",
        "   ",
        "\u{7}warfarin",
        "war\nfarin",
        &"x".repeat(10 * 1024),
        "500 mg",
        "---",
    ] {
        assert!(kb.search(q).is_err(), "{q:?} should be refused");
    }
    assert!(kb.search("zzzzzzzzzz").unwrap().candidates.is_empty());
    assert!(kb.resolve("zzzzzzzzzz").is_err());
    assert!(
        kb.resolve(" zzzzzzzzzz").is_err(),
        "a remembered miss stays a miss"
    );
    let first = kb.resolve("Coumadin").unwrap();
    assert_eq!(
        kb.resolve("Coumadin ").unwrap(),
        first,
        "and a remembered hit the same hit"
    );
}

#[test]
fn interaction_english_text_and_us_rules_combine() {
    let (_d, kb) = fixture::kb();
    let f = check(
        &kb,
        &["warfarin", "fluconazole"],
        &PatientProfile::default(),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FindingKind::Interaction);
    assert_eq!(f[0].severity, Severity::Major);
    assert_eq!(f[0].sources.len(), 2);
    assert_eq!(&*f[0].snapshot_id, "kb-fixture");
}

#[test]
fn us_override_replaces_ansm_grading() {
    let (_d, kb) = fixture::kb();
    let f = check(&kb, &["warfarin", "aspirin"], &PatientProfile::default());
    let i = f
        .iter()
        .find(|f| f.kind == FindingKind::Interaction)
        .unwrap();
    assert_eq!(i.severity, Severity::Major);
    assert!(
        i.sources
            .iter()
            .any(|s| s.severity == Severity::Contraindicated && s.source == "ansm")
    );
    assert!(f.iter().any(|f| f.kind == FindingKind::DuplicateTherapy));
}

#[test]
fn conditional_levels_are_limited_to_the_members_they_name() {
    let (_d, kb) = fixture::kb();
    let sev = |a: &str, b: &str| check(&kb, &[a, b], &PatientProfile::default())[0].severity;
    assert_eq!(
        sev("carbamazepine", "voriconazole"),
        Severity::Contraindicated
    );
    assert_eq!(sev("phenytoin", "voriconazole"), Severity::Major);
    // Aspirin is named by every level: the rule stays conditional.
    let f = check(&kb, &["aspirin", "Coumadin"], &PatientProfile::default());
    let ansm = f
        .iter()
        .find(|f| f.kind == FindingKind::Interaction)
        .unwrap();
    assert!(
        ansm.sources
            .iter()
            .any(|s| s.severity == Severity::Contraindicated)
    );
}

#[test]
fn french_only_rules_are_flagged() {
    let (_d, kb) = fixture::kb();
    let f = check(
        &kb,
        &["simvastatin", "clarithromycin"],
        &PatientProfile::default(),
    );
    assert_eq!(f[0].severity, Severity::Contraindicated);
    assert_eq!(f[0].lang, crate::model::Lang::Fr);
    assert_eq!(&*f[0].mechanism, "Risque majoré de rhabdomyolyse.");
}

#[test]
fn allergy_dose_controlled_and_duplicate_ingredient() {
    let (_d, kb) = fixture::kb();
    let profile = PatientProfile {
        allergies: vec!["PCN".into()],
        ..Default::default()
    };
    let f = check(&kb, &["amoxicillin"], &profile);
    assert_eq!(
        (f[0].kind, f[0].severity),
        (FindingKind::Allergy, Severity::Contraindicated)
    );

    let f = check(&kb, &["Roxicodone"], &PatientProfile::default());
    assert_eq!(f[0].kind, FindingKind::ControlledSubstance);
    assert!(f[0].summary.contains("CII"));

    let apap = kb
        .item("acetaminophen", ItemStatus::New)
        .unwrap()
        .with_dose(Dose::new(1000.0, DoseUnit::Mg, 6.0).unwrap());
    let tylenol = kb
        .item("Tylenol", ItemStatus::Active)
        .unwrap()
        .with_dose(Dose::new(1.0, DoseUnit::G, 1.0).unwrap());
    let f = kb.check(
        &Regimen::new(vec![apap, tylenol]),
        &PatientProfile::default(),
    );
    let kinds: Vec<_> = f.iter().map(|f| (f.kind, f.severity)).collect();
    assert!(
        kinds.contains(&(FindingKind::DoseAboveMaximum, Severity::Major)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(FindingKind::DuplicateIngredient, Severity::Major)),
        "{kinds:?}"
    );
    let ok = kb
        .item("acetaminophen", ItemStatus::New)
        .unwrap()
        .with_dose(Dose::new(500.0, DoseUnit::Mg, 4.0).unwrap());
    assert!(
        kb.check(&Regimen::new(vec![ok]), &PatientProfile::default())
            .is_empty()
    );
}

#[test]
fn current_medications_add_to_the_dose_unless_renewed() {
    let (_d, kb) = fixture::kb();
    let apap = |status, grams_a_day: f64| {
        kb.item("acetaminophen", status)
            .unwrap()
            .with_dose(Dose::new(grams_a_day, DoseUnit::G, 1.0).unwrap())
    };
    let over = |items: Vec<RegimenItem>| {
        kb.check(&Regimen::new(items), &PatientProfile::default())
            .iter()
            .any(|f| f.kind == FindingKind::DoseAboveMaximum)
    };
    let roxicodone = || kb.item("Roxicodone", ItemStatus::New).unwrap();
    assert!(
        !over(vec![
            apap(ItemStatus::New, 3.0),
            apap(ItemStatus::Active, 3.0)
        ]),
        "a new supply of the same drug renews it: 3 g a day, not 6"
    );
    let tylenol = kb
        .item("Tylenol", ItemStatus::Active)
        .unwrap()
        .with_dose(Dose::new(3.0, DoseUnit::G, 1.0).unwrap());
    let combination = RegimenItem::new(
        "oxycodone and acetaminophen",
        [
            roxicodone().ingredients,
            apap(ItemStatus::New, 1.0).ingredients,
        ]
        .concat(),
        ItemStatus::New,
    )
    .with_ingredient_doses(vec![(
        apap(ItemStatus::New, 1.0).ingredients[0],
        Dose::new(1.3, DoseUnit::G, 1.0).unwrap(),
    )]);
    assert!(
        over(vec![combination, tylenol.clone()]),
        "the combination's 1.3 g on top of the 3 g already taken"
    );
    assert!(
        !over(vec![roxicodone(), apap(ItemStatus::Active, 6.0)]),
        "an excess the profile alone makes is not this prescription's finding"
    );
    assert!(
        over(vec![apap(ItemStatus::Active, 6.0)]),
        "a review of the profile alone reports it"
    );
}

#[test]
fn finding_json_is_stable() {
    let (_d, kb) = fixture::kb();
    let f = check(
        &kb,
        &["warfarin", "aspirin", "fluconazole"],
        &PatientProfile::default(),
    );
    insta::assert_json_snapshot!("warfarin_aspirin_fluconazole", f);
}

#[test]
fn a_damaged_snapshot_is_refused_not_loaded() {
    let (dir, kb) = fixture::kb();
    let snap = kb.dir().to_path_buf();
    drop(kb);
    std::fs::write(snap.join("tables.bin"), b"not a snapshot").unwrap();
    assert!(Kb::open(&snap).is_err());
    assert!(Kb::open(&dir.path().join("missing")).is_err());
}

#[test]
fn same_inputs_compile_to_the_same_bytes() {
    let a = postcard::to_stdvec(&fixture::tables()).unwrap();
    let b = postcard::to_stdvec(&fixture::tables()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn snapshot_id_hashes_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cache").join("x.txt");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, "one").unwrap();
    let (a, _) = crate::snapshot::compute_id(std::slice::from_ref(&p)).unwrap();
    let (b, _) = crate::snapshot::compute_id(std::slice::from_ref(&p)).unwrap();
    std::fs::write(&p, "two").unwrap();
    let (c, _) = crate::snapshot::compute_id(std::slice::from_ref(&p)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}
