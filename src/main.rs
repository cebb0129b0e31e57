//! `rxflow`: the command line. Each subcommand parses its arguments and calls
//! into a crate; nothing here holds business logic.

mod cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "rxflow",
    version,
    about = "Prescription intake and clinical decision service for pharmacies"
)]
struct Cli {
    /// TOML configuration file (keys as the RXFLOW_* variables, lower case).
    #[arg(long, global = true, env = "RXFLOW_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (migrates the database first).
    Serve,
    /// Apply database migrations.
    Migrate,
    /// Demo data.
    Demo {
        #[command(subcommand)]
        command: cmd::store::DemoCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: cmd::store::AuditCommand,
    },
    /// The drug knowledge base: build, search, check.
    Kb(cmd::kb::KbArgs),
    /// Read a prescription image; train the intake tagger.
    Intake(Box<cmd::intake::IntakeArgs>),
    /// Demand forecasts and reorder suggestions from a demand CSV.
    Forecast(Box<cmd::forecast::ForecastArgs>),
    /// Measure a component against an evaluation set.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Forecast accuracy and cost per model against a train/test split.
    Forecast(cmd::forecast::EvalForecastArgs),
    /// Interaction detection against labelled drug pairs.
    Ddi(cmd::eval_ddi::EvalDdiArgs),
    /// Prescription reading against a directory of labelled images.
    Intake(cmd::intake::EvalIntakeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run(cli)));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rxflow: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = rxflow_api::Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => cmd::serve::run(config).await.map(|()| ExitCode::SUCCESS),
        Command::Migrate => cmd::store::migrate(&config)
            .await
            .map(|()| ExitCode::SUCCESS),
        Command::Demo { command } => cmd::store::demo(&config, command)
            .await
            .map(|()| ExitCode::SUCCESS),
        Command::Audit { command } => cmd::store::audit(&config, command).await,
        Command::Kb(args) => cmd::kb::run(args).map(|()| ExitCode::SUCCESS),
        Command::Eval {
            command: EvalCommand::Ddi(args),
        } => cmd::eval_ddi::run(args).map(|()| ExitCode::SUCCESS),
        Command::Intake(args) => cmd::intake::run(*args).map(|()| ExitCode::SUCCESS),
        Command::Eval {
            command: EvalCommand::Intake(args),
        } => cmd::intake::run_eval(args).map(|()| ExitCode::SUCCESS),
        Command::Forecast(args) => cmd::forecast::run(*args).map(|()| ExitCode::SUCCESS),
        Command::Eval {
            command: EvalCommand::Forecast(args),
        } => cmd::forecast::run_eval(args).map(|()| ExitCode::SUCCESS),
    }
}
