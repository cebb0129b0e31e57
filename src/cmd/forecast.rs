//! `rxflow forecast`, `rxflow forecast simulate` and `rxflow eval forecast`:
//! thin wrappers over rxflow-forecasting.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use rxflow_forecasting::eval::{evaluate, format_table, load_dataset};
use rxflow_forecasting::policy::{
    LmisInput, ReorderInput, ReorderSuggestion, ServiceTarget, openlmis_reference, suggest,
};
use rxflow_forecasting::series::{apply_stockout_csv, read_long_csv};
use rxflow_forecasting::simulate::{PolicyComparisonSetup, compare_policies};
use rxflow_forecasting::{
    DemandSeries, ForecastConfig, Frequency, ModelChoice, SeriesForecast, forecast_batch,
};

/// `rxflow forecast`: forecasts and reorder suggestions for every series in a CSV.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ForecastArgs {
    #[command(subcommand)]
    pub command: Option<ForecastCommand>,
    /// Demand history, long format `series_id,date,qty` (daily, weekly or monthly).
    #[arg(long)]
    pub series: Option<PathBuf>,
    /// Periods to forecast.
    #[arg(long, default_value_t = 28)]
    pub horizon: usize,
    /// Seasonal period; defaults to 7 for daily, 52 for weekly, 12 for monthly data.
    #[arg(long)]
    pub season: Option<usize>,
    /// `auto` or a model name (ets, ses, croston, sba, tsb, adida, imapa, …).
    #[arg(long, default_value = "auto")]
    pub model: String,
    /// Stock-out days `series_id,date,…`; those days are imputed, not learned as zeros.
    #[arg(long)]
    pub stockouts: Option<PathBuf>,
    /// Stock position `series_id,on_hand,on_order`; series not listed have none.
    #[arg(long)]
    pub stock: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ForecastCommand {
    /// Replays rxflow's reorder policy and the OpenLMIS rule over a test period.
    Simulate(SimulateArgs),
}

/// Reorder-policy settings shared by `forecast` and `forecast simulate`.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// Lead time in periods.
    #[arg(long, default_value_t = 7)]
    pub lead_time: usize,
    /// Review period in periods.
    #[arg(long, default_value_t = 7)]
    pub review_period: usize,
    /// Target cycle service level (ignored when --fill-rate is given).
    #[arg(long, default_value_t = 0.95)]
    pub service_level: f64,
    /// Target fill rate instead of a cycle service level.
    #[arg(long)]
    pub fill_rate: Option<f64>,
    #[arg(long, default_value_t = 1.0)]
    pub pack_size: f64,
    #[arg(long, default_value_t = 0.0)]
    pub min_order: f64,
    /// Periods a received unit stays usable.
    #[arg(long)]
    pub shelf_life: Option<usize>,
    /// OpenLMIS reference: months of stock to hold.
    #[arg(long, default_value_t = 2.0)]
    pub months_of_stock: f64,
}

impl PolicyArgs {
    fn service(&self) -> ServiceTarget {
        self.fill_rate.map_or(
            ServiceTarget::CycleServiceLevel(self.service_level),
            ServiceTarget::FillRate,
        )
    }

    fn lmis(&self) -> LmisInput {
        LmisInput {
            amc_months: 3,
            months_of_stock: self.months_of_stock,
        }
    }
}

/// `rxflow forecast simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[arg(long)]
    pub train: PathBuf,
    #[arg(long)]
    pub test: PathBuf,
    #[arg(long)]
    pub horizon: usize,
    #[arg(long)]
    pub season: usize,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[arg(long)]
    pub json: bool,
}

/// `rxflow eval forecast`.
#[derive(Debug, Args)]
pub struct EvalForecastArgs {
    #[arg(long)]
    pub train: PathBuf,
    #[arg(long)]
    pub test: PathBuf,
    #[arg(long)]
    pub horizon: usize,
    #[arg(long)]
    pub season: usize,
    /// One model (`auto`, `ets`, `croston`, …); all models and `auto` when absent.
    #[arg(long)]
    pub model: Option<String>,
    /// Stock-out records for the training data; defaults to `stockouts.csv` next to --train.
    #[arg(long)]
    pub stockouts: Option<PathBuf>,
    /// Ignore stock-out records.
    #[arg(long)]
    pub no_stockouts: bool,
    /// Print one JSON object keyed by model name.
    #[arg(long)]
    pub json: bool,
}

/// Runs `rxflow forecast [simulate]`.
pub fn run(args: ForecastArgs) -> Result<()> {
    if let Some(ForecastCommand::Simulate(sim)) = args.command {
        return run_simulate(sim);
    }
    let Some(path) = args.series.as_deref() else {
        bail!("--series CSV is required (or use `rxflow forecast simulate`)");
    };
    let mut series =
        read_long_csv(path, None).with_context(|| format!("reading {}", path.display()))?;
    if let Some(so) = &args.stockouts {
        apply_stockout_csv(so, &mut series).with_context(|| format!("reading {}", so.display()))?;
    }
    let season = args.season.unwrap_or_else(|| default_season(&series));
    let cfg = ForecastConfig::new(args.horizon, season, ModelChoice::parse(&args.model)?)?;
    let forecasts = forecast_batch(&series, &cfg)?;
    let stock = match &args.stock {
        Some(p) => read_stock(p)?,
        None => HashMap::new(),
    };
    let rows = forecasts
        .into_iter()
        .zip(&series)
        .map(|(fc, s)| {
            plan(
                fc,
                s,
                season,
                stock.get(s.id()).copied().unwrap_or((0.0, 0.0)),
                &args.policy,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    if args.json {
        let doc: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::json!({ "forecast": r.forecast, "reorder": r.reorder, "openlmis_qty": r.openlmis_qty }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print_plans(&rows, args.horizon);
    }
    Ok(())
}

/// One series' forecast with both policies' suggestions.
#[derive(Debug)]
struct Plan {
    forecast: SeriesForecast,
    reorder: ReorderSuggestion,
    openlmis_qty: f64,
}

fn plan(
    forecast: SeriesForecast,
    series: &DemandSeries,
    season: usize,
    (on_hand, on_order): (f64, f64),
    p: &PolicyArgs,
) -> Result<Plan> {
    let input = ReorderInput {
        on_hand,
        on_order,
        lots: Vec::new(),
        lead_time: p.lead_time,
        review_period: p.review_period,
        service: p.service(),
        pack_size: p.pack_size,
        min_order: p.min_order,
        shelf_life: p.shelf_life,
    };
    let reorder = suggest(&forecast, &input)?;
    let openlmis_qty =
        openlmis_reference(series, season, on_hand, on_order, &p.lmis())?.suggested_qty;
    Ok(Plan {
        forecast,
        reorder,
        openlmis_qty,
    })
}

fn print_plans(rows: &[Plan], horizon: usize) {
    println!(
        "{:<14} {:<12} {:<20} {:>9} {:>9} {:>8} {:>8} {:>7}  reason",
        "series", "class", "model", "mean_sum", "q95_day1", "order_to", "suggest", "lmis"
    );
    for r in rows {
        let f = &r.forecast;
        let total: f64 = f.mean.iter().take(horizon).sum();
        let q95 = f.quantile(0.95).first().copied().unwrap_or(0.0);
        println!(
            "{:<14} {:<12} {:<20} {:>9.1} {:>9.1} {:>8.0} {:>8.0} {:>7.0}  {}",
            f.series_id,
            f.classification.class.name(),
            f.model,
            total,
            q95,
            r.reorder.order_up_to,
            r.reorder.suggested_qty,
            r.openlmis_qty,
            r.reorder.reason
        );
    }
}

fn default_season(series: &[DemandSeries]) -> usize {
    match series.first().map(DemandSeries::frequency) {
        Some(Frequency::Weekly) => 52,
        Some(Frequency::Monthly) => 12,
        _ => 7,
    }
}

/// Reads `series_id,on_hand,on_order` (header line first).
fn read_stock(path: &Path) -> Result<HashMap<String, (f64, f64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = HashMap::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let [id, on_hand, on_order] = f.as_slice() else {
            bail!(
                "{} line {}: expected series_id,on_hand,on_order",
                path.display(),
                i + 1
            );
        };
        let num = |v: &str| {
            v.parse::<f64>()
                .with_context(|| format!("{} line {}: bad number `{v}`", path.display(), i + 1))
        };
        out.insert((*id).to_string(), (num(on_hand)?, num(on_order)?));
    }
    Ok(out)
}

fn run_simulate(args: SimulateArgs) -> Result<()> {
    let data = load_dataset(
        &args.train,
        &args.test,
        sibling_stockouts(&args.train, None, false).as_deref(),
    )?;
    let setup = PolicyComparisonSetup {
        horizon: args.horizon,
        season: args.season,
        lead_time: args.policy.lead_time,
        review_period: args.policy.review_period,
        service: args.policy.service(),
        pack_size: args.policy.pack_size,
        shelf_life: args.policy.shelf_life,
        lmis: args.policy.lmis(),
    };
    let cmp = compare_policies(&data.train, &data.test, &setup)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&cmp)?);
        return Ok(());
    }
    println!(
        "{:<10} {:>9} {:>15} {:>13} {:>13} {:>8}",
        "policy", "fill_rate", "stockout_days", "units_expired", "average_stock", "orders"
    );
    for (name, r) in [("rxflow", &cmp.rxflow), ("openlmis", &cmp.openlmis)] {
        println!(
            "{:<10} {:>9.4} {:>15} {:>13.0} {:>13.1} {:>8}",
            name, r.fill_rate, r.stockout_periods, r.units_expired, r.average_stock, r.orders
        );
    }
    println!("({} series)", cmp.n_series);
    Ok(())
}

/// The explicit stock-out file, else `stockouts.csv` beside the training file.
fn sibling_stockouts(train: &Path, explicit: Option<&Path>, disabled: bool) -> Option<PathBuf> {
    if disabled {
        return None;
    }
    explicit.map(Path::to_path_buf).or_else(|| {
        let candidate = train.with_file_name("stockouts.csv");
        candidate.exists().then_some(candidate)
    })
}

/// Runs `rxflow eval forecast`.
pub fn run_eval(args: EvalForecastArgs) -> Result<()> {
    let stockouts = sibling_stockouts(&args.train, args.stockouts.as_deref(), args.no_stockouts);
    let data = load_dataset(&args.train, &args.test, stockouts.as_deref())?;
    let models = match &args.model {
        Some(name) => vec![ModelChoice::parse(name)?],
        None => ModelChoice::all(),
    };
    let reports = evaluate(&data, args.horizon, args.season, &models)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print!("{}", format_table(&reports));
    }
    Ok(())
}
