//! Evaluates models on a train/test pair, as `rxflow eval forecast` does.
//!
//! cargo run -p rxflow-forecasting --release --example eval -- \
//!     DIR HORIZON SEASON [MODEL ...]   (DIR holds train.csv, test.csv, optional stockouts.csv)

use std::path::Path;
use std::process::ExitCode;

use rxflow_forecasting::ModelChoice;
use rxflow_forecasting::eval::{evaluate, format_table, load_dataset};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, horizon, season, rest @ ..] = args.as_slice() else {
        return Err("usage: eval DIR HORIZON SEASON [MODEL ...] [--json] [--no-stockouts]".into());
    };
    let dir = Path::new(dir);
    let json = rest.iter().any(|a| a == "--json");
    let stockouts = dir.join("stockouts.csv");
    let use_stockouts = stockouts.exists() && !rest.iter().any(|a| a == "--no-stockouts");
    let data = load_dataset(
        &dir.join("train.csv"),
        &dir.join("test.csv"),
        use_stockouts.then_some(stockouts.as_path()),
    )?;
    let names: Vec<&String> = rest.iter().filter(|a| !a.starts_with("--")).collect();
    let models = if names.is_empty() {
        ModelChoice::all()
    } else {
        names
            .iter()
            .map(|n| ModelChoice::parse(n))
            .collect::<Result<Vec<_>, _>>()?
    };
    let reports = evaluate(&data, horizon.parse()?, season.parse()?, &models)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print!("{}", format_table(&reports));
        for (name, r) in &reports {
            println!("{name}: {:?}", r.chosen);
        }
    }
    Ok(())
}
