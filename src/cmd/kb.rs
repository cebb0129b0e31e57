//! `rxflow kb build|search|check`: thin wrappers over `rxflow-clinical`.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use rxflow_clinical::{
    ItemStatus, Kb, PatientProfile, Regimen, Route, SourcePaths, build_snapshot, default_root,
    parse_dose_spec,
};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct KbArgs {
    #[command(subcommand)]
    pub command: KbCommand,
    #[command(flatten)]
    pub location: KbLocation,
}

/// Where the data and the snapshots live.
#[derive(Debug, Clone, Args)]
pub struct KbLocation {
    /// Data directory holding `cache/` (fetched sources) and `kb/` (curated files).
    #[arg(long, global = true, env = "RXFLOW_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Snapshot root (default: <data-dir>/cache/kb); `CURRENT` names the snapshot to load.
    #[arg(long, global = true, env = "RXFLOW_KB_DIR")]
    pub kb_dir: Option<PathBuf>,
}

impl KbLocation {
    pub fn root(&self) -> PathBuf {
        self.kb_dir
            .clone()
            .unwrap_or_else(|| default_root(&self.data_dir))
    }

    pub fn open(&self) -> Result<Kb> {
        let root = self.root();
        Kb::open_current(&root).with_context(|| {
            format!(
                "loading the knowledge base from {} (run `rxflow kb build`)",
                root.display()
            )
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Compile data/cache and data/kb into a new snapshot and make it current.
    Build,
    /// Find drugs and products by name, brand, synonym, NDC or "name strength form".
    Search {
        query: String,
        /// Print the full result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check new drugs (and active ones) against each other and the patient.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// New drugs, as written (names, brands or NDCs).
    #[arg(required = true)]
    pub drugs: Vec<String>,
    /// Drugs already on the active profile.
    #[arg(long = "active")]
    pub active: Vec<String>,
    /// Recorded allergies (ingredient, group or alias such as "pcn").
    #[arg(long = "allergy")]
    pub allergies: Vec<String>,
    #[arg(long)]
    pub age: Option<f64>,
    #[arg(long)]
    pub weight_kg: Option<f64>,
    #[arg(long)]
    pub renal_impairment: bool,
    #[arg(long)]
    pub hepatic_impairment: bool,
    /// Structured dose, DRUG:AMOUNT:UNIT:FREQUENCY (e.g. acetaminophen:1000:mg:q6h).
    #[arg(long = "dose")]
    pub doses: Vec<String>,
    /// Route, DRUG:ROUTE (e.g. methylene blue:iv).
    #[arg(long = "route")]
    pub routes: Vec<String>,
    /// Print findings as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: KbArgs) -> Result<()> {
    match args.command {
        KbCommand::Build => {
            let report = build_snapshot(
                &SourcePaths::under(&args.location.data_dir),
                &args.location.root(),
            )?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        KbCommand::Search { query, json } => {
            let kb = args.location.open()?;
            let start = Instant::now();
            let result = kb.search(&query)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&result)?);
            } else {
                for c in &result.candidates {
                    let ings: Vec<&str> = c.ingredients.iter().map(|i| i.name.as_str()).collect();
                    println!(
                        "{:.2}  {:<40} {:?}/{} -> {}{}",
                        c.confidence,
                        c.matched_name,
                        c.name_kind,
                        c.source,
                        ings.join(" + "),
                        if c.look_alikes.is_empty() {
                            String::new()
                        } else {
                            format!("  (look-alikes: {})", c.look_alikes.join(", "))
                        }
                    );
                    for p in &c.products {
                        println!(
                            "        {} {} {} {}",
                            p.product_ndc, p.brand, p.form, p.strength
                        );
                    }
                }
                eprintln!(
                    "{} candidates in {:?} (snapshot {})",
                    result.candidates.len(),
                    start.elapsed(),
                    kb.snapshot_id()
                );
            }
        }
        KbCommand::Check(c) => check(&args.location, c)?,
    }
    Ok(())
}

fn check(location: &KbLocation, args: CheckArgs) -> Result<()> {
    let kb = location.open()?;
    let mut items = Vec::new();
    for (names, status) in [
        (&args.drugs, ItemStatus::New),
        (&args.active, ItemStatus::Active),
    ] {
        for name in names {
            items.push(
                kb.item(name, status)
                    .with_context(|| format!("resolving {name:?}"))?,
            );
        }
    }
    for spec in &args.doses {
        let (drug, dose) = parse_dose_spec(spec)?;
        let Some(item) = items
            .iter_mut()
            .find(|i| i.label.eq_ignore_ascii_case(&drug))
        else {
            bail!("--dose names {drug:?}, which is not among the drugs");
        };
        item.dose = Some(dose);
    }
    for spec in &args.routes {
        let Some((drug, route)) = spec.rsplit_once(':') else {
            bail!("--route {spec:?} is not DRUG:ROUTE")
        };
        let route: Route = route.parse()?;
        let Some(item) = items
            .iter_mut()
            .find(|i| i.label.eq_ignore_ascii_case(drug.trim()))
        else {
            bail!("--route names {drug:?}, which is not among the drugs");
        };
        item.route = Some(route);
    }
    let profile = PatientProfile {
        age_years: args.age,
        weight_kg: args.weight_kg,
        allergies: args.allergies,
        renal_impairment: args.renal_impairment.then_some(true),
        hepatic_impairment: args.hepatic_impairment.then_some(true),
    };
    let findings = kb.check(&Regimen::new(items), &profile);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&findings)?);
        return Ok(());
    }
    if findings.is_empty() {
        println!("no findings (snapshot {})", kb.snapshot_id());
    }
    for f in &findings {
        println!("[{}] {:?}: {}", f.severity, f.kind, f.summary);
        if !f.mechanism.is_empty() {
            println!("    mechanism: {}", f.mechanism);
        }
        println!("    management: {}", f.management);
        if let Some(c) = &f.condition {
            println!("    condition: {c}");
        }
        for s in &f.sources {
            println!("    source: {} {} ({})", s.source, s.id, s.severity);
        }
    }
    Ok(())
}
