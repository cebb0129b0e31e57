//! `rxflow eval ddi --pairs FILE [--json]`: scores the interaction checker
//! on a labelled pair set.

use super::kb::KbLocation;
use anyhow::{Context, Result};
use clap::Args;
use rxflow_clinical::eval;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct EvalDdiArgs {
    /// CSV with drug_a, drug_b, label (1/0), acceptable_severities (pipe-separated).
    #[arg(long)]
    pub pairs: PathBuf,
    /// One JSON object: resolved, sensitivity, severity_agreement, false_alert_rate, pairs.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: KbLocation,
}

pub fn run(args: EvalDdiArgs) -> Result<()> {
    let kb = args.location.open()?;
    let pairs = eval::read_pairs(&args.pairs)
        .with_context(|| format!("reading {}", args.pairs.display()))?;
    let report = eval::evaluate(&kb, &pairs);
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    for p in report.pairs.iter().filter(|p| !p.acceptable) {
        println!(
            "miss: label={} {} + {} -> {:?}",
            p.label,
            p.drug_a,
            p.drug_b,
            p.severity.map_or("none".to_string(), |s| s.to_string())
        );
    }
    println!("pairs              {}", report.pairs_total);
    println!("resolved           {:.1}%", 100.0 * report.resolved);
    println!("sensitivity        {:.1}%", 100.0 * report.sensitivity);
    println!(
        "severity_agreement {:.1}%",
        100.0 * report.severity_agreement
    );
    println!("false_alert_rate   {:.1}%", 100.0 * report.false_alert_rate);
    println!("snapshot           {}", report.snapshot_id);
    Ok(())
}
