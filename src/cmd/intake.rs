//! `rxflow intake IMAGE [--json]`, `rxflow intake train` and
//! `rxflow eval intake --dir DIR [--json]`.

use super::kb::KbLocation;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use rand::SeedableRng;
use rxflow_intake::decode::UploadLimits;
use rxflow_intake::pipeline::{Intake, ModelPaths};
use rxflow_intake::tagger::{corpus, drugs, head, noise};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the models are.
#[derive(Debug, Clone, Args)]
pub struct ModelLocation {
    /// Directory holding `cache/` (prepared by models/prepare) and `tagger/`.
    #[arg(
        long,
        global = true,
        env = "RXFLOW_MODELS_DIR",
        default_value = "models"
    )]
    pub models_dir: PathBuf,
    /// Threads for the text recogniser.
    #[arg(long, global = true, default_value_t = 1)]
    pub threads: usize,
}

impl ModelLocation {
    fn load(&self, kb: &KbLocation) -> Result<Intake> {
        let kb = Arc::new(kb.open()?);
        Intake::load(&ModelPaths::under(&self.models_dir), kb, self.threads)
            .context("loading the intake models")
    }
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct IntakeArgs {
    #[command(subcommand)]
    pub command: Option<IntakeCommand>,
    /// A prescription photo or scan (JPEG, PNG, WebP).
    pub image: Option<PathBuf>,
    /// Print the ExtractedPrescription as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub models: ModelLocation,
    #[command(flatten)]
    pub kb: KbLocation,
}

#[derive(Debug, Subcommand)]
pub enum IntakeCommand {
    /// Train the tagger head on lines generated from the knowledge base.
    Train(TrainArgs),
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Synthetic lines to generate.
    #[arg(long, default_value_t = 12_000)]
    pub lines: usize,
    /// Seed for the corpus, the noise and the initial weights.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value_t = 12)]
    pub epochs: usize,
    /// Where to write the head (a training report goes next to it).
    #[arg(long, default_value = "models/tagger/head.safetensors")]
    pub out: PathBuf,
}

pub fn run(args: IntakeArgs) -> Result<()> {
    match args.command {
        Some(IntakeCommand::Train(t)) => train(&args.models, &args.kb, &t),
        None => {
            let Some(image) = args.image else {
                bail!("give an image to read, or `train`");
            };
            read(&args.models, &args.kb, &image, args.json)
        }
    }
}

fn read(models: &ModelLocation, kb: &KbLocation, image: &Path, json: bool) -> Result<()> {
    let intake = models.load(kb)?;
    let bytes = std::fs::read(image).with_context(|| format!("reading {}", image.display()))?;
    let rx = intake
        .read(&bytes, UploadLimits::default())
        .with_context(|| format!("reading {}", image.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rx)?);
        return Ok(());
    }
    let show = |label: &str, text: &str, conf: f32| println!("{label:<12} {text}  ({conf:.2})");
    show("patient", &rx.patient.name.text, rx.patient.name.confidence);
    show("dob", &rx.patient.dob.text, rx.patient.dob.confidence);
    show("written", &rx.written_date.text, rx.written_date.confidence);
    show(
        "prescriber",
        &rx.prescriber.name.text,
        rx.prescriber.name.confidence,
    );
    for (i, item) in rx.items.iter().enumerate() {
        let linked = item
            .drug
            .value
            .as_ref()
            .map_or("(not linked)", |d| d.name.as_str());
        println!("item {}: {} -> {linked}", i + 1, item.drug.text);
        show("  strength", &item.strength.text, item.strength.confidence);
        show("  sig", &item.sig.text, item.sig.confidence);
        show("  dispense", &item.dispense.text, item.dispense.confidence);
        show("  refills", &item.refills.text, item.refills.confidence);
    }
    for f in &rx.flags {
        println!("flag {}: {}", f.code, f.message);
    }
    println!("timing ms: {:?}", rx.timing_ms);
    Ok(())
}

fn train(models: &ModelLocation, kb: &KbLocation, args: &TrainArgs) -> Result<()> {
    let kb = kb.open()?;
    let encoder =
        rxflow_intake::encoder::Encoder::load(&ModelPaths::under(&models.models_dir).minilm)?;
    let entries = drugs::drug_entries(&kb, 3000);
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let examples: Vec<corpus::Example> = corpus::generate(&entries, args.lines, args.seed)
        .iter()
        .enumerate()
        // A third of the lines get OCR noise: the tagger must read what
        // the recogniser gets wrong.
        .map(|(i, e)| {
            if i % 3 == 0 {
                noise::augment(e, &mut rng, 0.08)
            } else {
                e.clone()
            }
        })
        .collect();
    eprintln!(
        "{} drug names, {} lines; encoding and training…",
        entries.len(),
        examples.len()
    );
    let opts = head::TrainOptions {
        epochs: args.epochs,
        seed: args.seed,
        ..Default::default()
    };
    let (trained, report) = head::train(&encoder, &examples, &opts)?;
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    trained.save(&args.out)?;
    let report_path = args.out.with_extension("json");
    std::fs::write(&report_path, serde_json::to_string_pretty(&report)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    println!("wrote {} and {}", args.out.display(), report_path.display());
    Ok(())
}

#[derive(Debug, Args)]
pub struct EvalIntakeArgs {
    /// Directory of NAME.json, NAME_clean.png, NAME_photo.jpg.
    #[arg(long)]
    pub dir: PathBuf,
    /// One JSON object with `clean` and `photo` scores.
    #[arg(long)]
    pub json: bool,
    /// Print every field miss.
    #[arg(long)]
    pub misses: bool,
    #[command(flatten)]
    pub models: ModelLocation,
    #[command(flatten)]
    pub kb: KbLocation,
}

pub fn run_eval(args: EvalIntakeArgs) -> Result<()> {
    let intake = args.models.load(&args.kb)?;
    let docs = rxflow_intake::eval::documents(&args.dir)?;
    if docs.is_empty() {
        bail!(
            "no NAME.json with NAME_clean.png and NAME_photo.jpg in {}",
            args.dir.display()
        );
    }
    let report = rxflow_intake::eval::evaluate(&intake, &docs)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    if args.misses {
        for m in &report.misses {
            println!("miss: {m}");
        }
    }
    for (kind, s) in [("clean", &report.clean), ("photo", &report.photo)] {
        println!(
            "{kind}: {} docs  page CER {:.2}%  fields {:.1}%  drug top-1 {:.1}%  p50 {:.0} ms  p95 {:.0} ms  cpu {:.0} ms/page",
            s.documents,
            100. * s.page_cer,
            100. * s.field_accuracy.overall,
            100. * s.drug_top1,
            s.ms_p50,
            s.ms_p95,
            s.cpu_ms_mean
        );
        for (f, a) in &s.field_accuracy.by_field {
            println!("    {f:<10} {:.1}%", 100. * a);
        }
    }
    Ok(())
}
