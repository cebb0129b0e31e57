//! `rxflow intake IMAGE --json` prints the ExtractedPrescription schema, and
//! `rxflow eval intake --dir DIR --json` scores a directory, through the
//! real binary, models and knowledge base.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rxflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rxflow"))
        .env("RXFLOW_DATA_DIR", root().join("data"))
        .env("RXFLOW_MODELS_DIR", root().join("models"))
        .env_remove("RXFLOW_CONFIG")
        .args(args)
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/intake")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_field(f: &Value, path: &str) {
    for key in ["text", "value", "confidence", "bbox", "alternatives"] {
        assert!(f.get(key).is_some(), "{path} lacks {key}: {f}");
    }
    assert_eq!(f["bbox"].as_array().map(Vec::len), Some(4), "{path}");
}

#[test]
fn intake_prints_every_field_of_the_schema() {
    let rx = json(&rxflow(&["intake", &fixture("rx0002_photo.jpg"), "--json"]));
    for path in [
        "patient.name",
        "patient.dob",
        "prescriber.name",
        "prescriber.npi",
        "prescriber.dea",
    ] {
        let (a, b) = path.split_once('.').unwrap();
        assert_field(&rx[a][b], path);
    }
    assert_field(&rx["written_date"], "written_date");
    let item = &rx["items"][0];
    for key in [
        "drug", "strength", "form", "route", "sig", "dispense", "refills", "ndc",
    ] {
        assert_field(&item[key], key);
    }
    assert_eq!(item["drug"]["value"]["name"], "hydrochlorothiazide");
    assert_eq!(item["dispense"]["value"]["quantity"], 120.0);
    assert_eq!(rx["written_date"]["value"], "2026-01-26");
    assert!(rx["lines"].as_array().unwrap().len() > 10);
    for key in ["decode", "ocr", "nlp", "total"] {
        assert!(rx["timing_ms"][key].as_f64().unwrap() >= 0.0, "{key}");
    }
    assert!(rx["flags"].is_array());
}

#[test]
fn eval_intake_scores_clean_and_photo_apart() {
    let dir = fixture("");
    let report = json(&rxflow(&["eval", "intake", "--dir", &dir, "--json"]));
    for kind in ["clean", "photo"] {
        let s = &report[kind];
        for key in ["page_cer", "drug_top1", "ms_p50", "ms_p95"] {
            assert!(s[key].as_f64().is_some(), "{kind}.{key}: {s}");
        }
        let by_field = s["field_accuracy"]["by_field"].as_object().unwrap();
        for f in [
            "patient", "dob", "date", "drug", "strength", "sig", "quantity", "refills",
        ] {
            assert!(by_field.contains_key(f), "{kind} lacks {f}");
        }
    }
}

#[test]
fn bad_images_and_directories_exit_non_zero_with_a_message() {
    let empty = tempfile::NamedTempFile::new().unwrap();
    let cases: [(Vec<String>, &str); 3] = [
        (
            vec!["intake".into(), empty.path().to_string_lossy().into_owned()],
            "empty",
        ),
        (
            vec!["intake".into(), "/nonexistent/rx.jpg".into()],
            "rx.jpg",
        ),
        (
            vec![
                "eval".into(),
                "intake".into(),
                "--dir".into(),
                tmp_dir().to_string_lossy().into_owned(),
            ],
            "no NAME.json",
        ),
    ];
    for (args, mention) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = rxflow(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(mention),
            "{args:?} should mention {mention:?}: {err}"
        );
    }
}

fn tmp_dir() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}
