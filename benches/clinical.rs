//! Clinical knowledge-base speed: check a 20-drug profile, exact and fuzzy
//! search, snapshot load (and, with RXFLOW_BENCH_BUILD=1, the full build).
//! Needs a built snapshot: `rxflow kb build` (data/cache/kb/CURRENT).

use criterion::{Criterion, criterion_group, criterion_main};
use rxflow_clinical::{
    ItemStatus, Kb, PatientProfile, Regimen, SourcePaths, build_snapshot, default_root,
};
use std::hint::black_box;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn open() -> Option<Kb> {
    match Kb::open_current(&default_root(&data_dir())) {
        Ok(kb) => Some(kb),
        Err(e) => {
            eprintln!("skipping clinical benches: {e} (run `rxflow kb build`)");
            None
        }
    }
}

const PROFILE: [&str; 20] = [
    "warfarin",
    "amiodarone",
    "simvastatin",
    "clarithromycin",
    "lisinopril",
    "spironolactone",
    "metformin",
    "fluoxetine",
    "tramadol",
    "omeprazole",
    "clopidogrel",
    "digoxin",
    "furosemide",
    "levothyroxine",
    "amlodipine",
    "metoprolol",
    "sertraline",
    "aspirin",
    "gabapentin",
    "atorvastatin",
];

/// Partial or misspelt multi-word names: the word-by-word path.
const PARTIAL: [&str; 6] = [
    "oxybate",
    "amlodipin besylat",
    "metoprolol tartrat",
    "sulfamethoxazol trimethoprim",
    "amoxicilin clavulanat",
    "levothyroxin sodium 50 mcg",
];

const TYPOS: [&str; 10] = [
    "amoxicilin",
    "lisinoprl",
    "metformn",
    "atorvastatn 20 mg",
    "hydroxyzin",
    "levothyroxin",
    "gabapentn",
    "omeprazol",
    "sertralin",
    "warfarn",
];

fn benches(c: &mut Criterion) {
    let Some(kb) = open() else { return };
    let items = PROFILE
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            kb.item(
                d,
                if i < 3 {
                    ItemStatus::New
                } else {
                    ItemStatus::Active
                },
            )
            .ok()
        })
        .collect();
    let profile_3_new = Regimen::new(items);
    let all_new = Regimen::new(
        PROFILE
            .iter()
            .filter_map(|d| kb.item(d, ItemStatus::New).ok())
            .collect(),
    );
    let patient = PatientProfile {
        age_years: Some(82.0),
        allergies: vec!["penicillin".into()],
        ..Default::default()
    };

    c.bench_function("check_20_drugs_3_new", |b| {
        b.iter(|| kb.check(black_box(&profile_3_new), &patient))
    });
    c.bench_function("check_20_drugs_all_pairs", |b| {
        b.iter(|| kb.check(black_box(&all_new), &patient))
    });
    c.bench_function("search_exact", |b| {
        b.iter(|| kb.search(black_box("lisinopril")))
    });
    let mut i = 0;
    c.bench_function("search_fuzzy", |b| {
        b.iter(|| {
            i = (i + 1) % TYPOS.len();
            kb.search(black_box(TYPOS[i]))
        })
    });
    let mut j = 0;
    c.bench_function("search_words", |b| {
        b.iter(|| {
            j = (j + 1) % PARTIAL.len();
            kb.search(black_box(PARTIAL[j]))
        })
    });
    let dir = kb.dir().to_path_buf();
    let mut g = c.benchmark_group("snapshot");
    g.sample_size(10);
    g.bench_function("load", |b| b.iter(|| Kb::open(black_box(&dir))));
    if std::env::var_os("RXFLOW_BENCH_BUILD").is_some() {
        let out = std::env::temp_dir().join("rxflow-kb-bench");
        g.bench_function("build", |b| {
            b.iter(|| build_snapshot(&SourcePaths::under(data_dir()), &out))
        });
    }
    g.finish();
}

criterion_group!(clinical, benches);
criterion_main!(clinical);
