//! `rxflow eval intake`: page CER, field accuracy, drug linking and
//! latency over a directory of `NAME.json` + `NAME_clean.png` +
//! `NAME_photo.jpg`, clean and photo scored apart.
//!
//! Only the minimal ground-truth schema is read (lines; patient, dob, date;
//! per drug name, strength, sig, disp, refills, ndc), so sets of other
//! provenance score the same way: the truth is normalised with the same
//! parsers as the output.

use crate::decode::UploadLimits;
use crate::error::{IntakeError, Result};
use crate::extract::ndc_value;
use crate::parse;
use crate::pipeline::Intake;
use crate::prescription::{ExtractedPrescription, Item};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
pub struct Truth {
    pub lines: Vec<String>,
    pub fields: TruthFields,
}

#[derive(Debug, Deserialize)]
pub struct TruthFields {
    #[serde(default)]
    pub patient: String,
    #[serde(default)]
    pub dob: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub drugs: Vec<TruthDrug>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TruthDrug {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub strength: String,
    #[serde(default)]
    pub sig: String,
    #[serde(default)]
    pub disp: String,
    #[serde(default)]
    pub refills: String,
    #[serde(default)]
    pub ndc: String,
}

/// One document of the set.
pub struct Document {
    pub name: String,
    pub truth: Truth,
    pub clean: PathBuf,
    pub photo: PathBuf,
}

/// Every `NAME.json` in `dir` with both images next to it, by name.
pub fn documents(dir: &Path) -> Result<Vec<Document>> {
    let io = |e| IntakeError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let (clean, photo) = (
            dir.join(format!("{name}_clean.png")),
            dir.join(format!("{name}_photo.jpg")),
        );
        if !clean.exists() || !photo.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| IntakeError::Io {
            path: path.clone(),
            source: e,
        })?;
        let truth: Truth = serde_json::from_str(&text)
            .map_err(|e| IntakeError::Malformed(format!("{}: {e}", path.display())))?;
        docs.push(Document {
            name: name.to_string(),
            truth,
            clean,
            photo,
        });
    }
    docs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(docs)
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldAccuracy {
    pub overall: f64,
    pub by_field: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub documents: usize,
    pub page_cer: f64,
    pub field_accuracy: FieldAccuracy,
    pub drug_top1: f64,
    pub ms_p50: f64,
    pub ms_p95: f64,
    pub cpu_ms_mean: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub clean: Score,
    pub photo: Score,
    /// Field misses, for reading the failures.
    pub misses: Vec<String>,
}

#[derive(Default)]
struct Tally {
    errors: usize,
    ref_len: usize,
    fields: BTreeMap<&'static str, (usize, usize)>,
    ms: Vec<f64>,
    cpu_ms: Vec<f64>,
}

impl Tally {
    fn field(&mut self, name: &'static str, ok: bool) {
        let e = self.fields.entry(name).or_default();
        e.0 += usize::from(ok);
        e.1 += 1;
    }

    fn score(mut self, documents: usize) -> Score {
        let by_field: BTreeMap<String, f64> = self
            .fields
            .iter()
            .map(|(k, (ok, n))| (k.to_string(), *ok as f64 / (*n).max(1) as f64))
            .collect();
        let (ok, n) = self
            .fields
            .values()
            .fold((0, 0), |(a, b), (ok, n)| (a + ok, b + n));
        let drug_top1 = by_field.get("drug").copied().unwrap_or(0.);
        self.ms.sort_by(f64::total_cmp);
        Score {
            documents,
            page_cer: self.errors as f64 / self.ref_len.max(1) as f64,
            field_accuracy: FieldAccuracy {
                overall: ok as f64 / n.max(1) as f64,
                by_field,
            },
            drug_top1,
            ms_p50: percentile(&self.ms, 0.5),
            ms_p95: percentile(&self.ms, 0.95),
            cpu_ms_mean: self.cpu_ms.iter().sum::<f64>() / self.cpu_ms.len().max(1) as f64,
        }
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `intake` over `docs`.
pub fn evaluate(intake: &Intake, docs: &[Document]) -> Result<Report> {
    let mut clean = Tally::default();
    let mut photo = Tally::default();
    let mut misses = Vec::new();
    for doc in docs {
        for (path, tally, kind) in [
            (&doc.clean, &mut clean, "clean"),
            (&doc.photo, &mut photo, "photo"),
        ] {
            let bytes = std::fs::read(path).map_err(|e| IntakeError::Io {
                path: path.clone(),
                source: e,
            })?;
            let cpu = cpu_time::ProcessTime::now();
            let rx = intake.read(&bytes, UploadLimits::default())?;
            tally.cpu_ms.push(cpu.elapsed().as_secs_f64() * 1000.);
            tally.ms.push(rx.timing_ms.total);
            let (errors, len) = page_errors(&doc.truth.lines, &rx);
            tally.errors += errors;
            tally.ref_len += len;
            score_fields(&doc.truth.fields, &rx, tally, &mut |f, want, got| {
                misses.push(format!(
                    "{} {kind} {f}: want {want:?} got {got:?}",
                    doc.name
                ));
            });
        }
    }
    Ok(Report {
        clean: clean.score(docs.len()),
        photo: photo.score(docs.len()),
        misses,
    })
}

/// Levenshtein errors between the reference lines and the output lines,
/// whitespace collapsed and signature underscores ignored, and the
/// reference length.
pub fn page_errors(reference: &[String], rx: &ExtractedPrescription) -> (usize, usize) {
    let norm = |lines: &mut dyn Iterator<Item = &str>| -> Vec<char> {
        lines
            .map(|l| {
                l.replace('_', "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            .chars()
            .collect()
    };
    let r = norm(&mut reference.iter().map(String::as_str));
    let h = norm(&mut rx.lines.iter().map(|l| l.text.as_str()));
    (levenshtein(&r, &h), r.len())
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

type Miss<'a> = dyn FnMut(&'static str, String, String) + 'a;

fn score_fields(truth: &TruthFields, rx: &ExtractedPrescription, t: &mut Tally, miss: &mut Miss) {
    let mut check = |t: &mut Tally, field: &'static str, ok: bool, want: &str, got: &str| {
        t.field(field, ok);
        if !ok {
            miss(field, want.to_string(), got.to_string());
        }
    };
    let name_ok = same_name(&truth.patient, &rx.patient.name.text);
    check(t, "patient", name_ok, &truth.patient, &rx.patient.name.text);
    let dob = parse::parse_date_with_pivot(&truth.dob, 26).map(crate::extract::iso);
    check(
        t,
        "dob",
        dob.is_some() && dob == rx.patient.dob.value,
        &truth.dob,
        &rx.patient.dob.text,
    );
    let date = parse::parse_date(&truth.date).map(crate::extract::iso);
    check(
        t,
        "date",
        date.is_some() && date == rx.written_date.value,
        &truth.date,
        &rx.written_date.text,
    );
    for (i, want) in truth.drugs.iter().enumerate() {
        let got = matching_item(&rx.items, want, i);
        let empty = Item::default();
        let got = got.unwrap_or(&empty);
        let linked = got
            .drug
            .value
            .as_ref()
            .map(|d| d.name.to_lowercase())
            .unwrap_or_default();
        let drug_ok = !linked.is_empty() && linked.contains(&want.name.to_lowercase())
            || (!linked.is_empty() && same_name(&want.name, &got.drug.text));
        check(
            t,
            "drug",
            drug_ok,
            &want.name,
            &format!("{} -> {linked}", got.drug.text),
        );
        let st = |s: &str| parse::parse_strength(s).map(|p| p.strength);
        let s_ok = st(&want.strength).is_some() && st(&want.strength) == st(&got.strength.text);
        check(t, "strength", s_ok, &want.strength, &got.strength.text);
        check(
            t,
            "sig",
            same_sig(&want.sig, &got.sig.text),
            &want.sig,
            &got.sig.text,
        );
        let q = |s: &str| parse::parse_quantity(s).map(|p| p.quantity.value());
        let q_ok = q(&want.disp).is_some()
            && q(&want.disp) == got.dispense.value.as_ref().map(|d| d.quantity);
        check(t, "quantity", q_ok, &want.disp, &got.dispense.text);
        let r = parse::parse_refills(&want.refills);
        check(
            t,
            "refills",
            r.is_some() && r == got.refills.value,
            &want.refills,
            &got.refills.text,
        );
        if !want.ndc.is_empty() {
            let n = ndc_value(&want.ndc);
            check(
                t,
                "ndc",
                n.is_some() && n == got.ndc.value,
                &want.ndc,
                &got.ndc.text,
            );
        }
    }
}

/// The item at the same position when its drug text is close to the
/// truth's name, else the first close one, else the one at that position.
/// Position comes first because names nest: "Dexmethylphenidate" contains
/// "methylphenidate".
fn matching_item<'a>(items: &'a [Item], want: &TruthDrug, i: usize) -> Option<&'a Item> {
    let key = want.name.to_lowercase();
    let close = |it: &&Item| {
        let t = it.drug.text.to_lowercase();
        !t.is_empty() && (t.contains(&key) || key.contains(&t))
    };
    items
        .get(i)
        .filter(close)
        .or_else(|| items.iter().find(close))
        .or_else(|| items.get(i))
}

/// Names compare as sets of words, so "Gomez, Rahul A." is "Rahul A. Gomez".
fn same_name(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        let mut w: Vec<String> = s
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        w.sort();
        w
    };
    !a.trim().is_empty() && words(a) == words(b)
}

/// Frequency code, dose and duration all agree.
fn same_sig(want: &str, got: &str) -> bool {
    let (Ok(w), Ok(g)) = (parse::parse_sig(want), parse::parse_sig(got)) else {
        return false;
    };
    w.frequency() == g.frequency() && w.dose == g.dose && w.duration_days == g.duration_days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(drug: &str) -> Item {
        let mut item = Item::default();
        item.drug.text = drug.to_string();
        item
    }

    fn want(name: &str) -> TruthDrug {
        TruthDrug {
            name: name.to_string(),
            ..TruthDrug::default()
        }
    }

    fn matched(items: &[Item], name: &str, i: usize) -> Option<String> {
        matching_item(items, &want(name), i).map(|it| it.drug.text.clone())
    }

    #[test]
    fn items_match_by_name_at_their_position_first() {
        let items = [item("METHYLPHENIDATE"), item("Dexmethylphenidate")];
        let got = |name, i| matched(&items, name, i);
        assert_eq!(
            got("METHYLPHENIDATE", 0).as_deref(),
            Some("METHYLPHENIDATE")
        );
        assert_eq!(
            got("Dexmethylphenidate", 1).as_deref(),
            Some("Dexmethylphenidate")
        );
        let swapped = [item("Lisinopril"), item("Metformin")];
        assert_eq!(
            matched(&swapped, "metformin", 0).as_deref(),
            Some("Metformin"),
            "out of order, the name decides"
        );
        assert_eq!(
            matched(&swapped, "aspirin", 1).as_deref(),
            Some("Metformin")
        );
        assert_eq!(matched(&swapped, "aspirin", 2), None);
    }
}
