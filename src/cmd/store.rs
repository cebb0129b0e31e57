//! Store maintenance: migrations, demo data, audit verification.

use anyhow::Context;
use clap::Subcommand;
use rxflow_api::Config;
use rxflow_pharmacy::audit::Verdict;
use rxflow_pharmacy::demo::HistoryOptions;
use rxflow_pharmacy::users::{NewUser, Role};
use rxflow_pharmacy::{Actor, Store};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Fill an empty database with a small pharmacy and its history.
    Seed {
        /// Days of dispensing history to simulate.
        #[arg(long, default_value_t = HistoryOptions::default().days, value_parser = clap::value_parser!(i64).range(1..=3650))]
        days: i64,
        /// Seed of the history simulation; the same seed gives the same history.
        #[arg(long, default_value_t = HistoryOptions::default().seed)]
        seed: u64,
        /// Succeed quietly when the database already has data.
        #[arg(long)]
        if_empty: bool,
        /// A prescription photo the demo customer sends; `rxflow serve`'s
        /// workers read it, so the pharmacist's queue has work. Repeatable.
        #[arg(long = "photo", value_name = "FILE")]
        photos: Vec<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; exits non-zero at the first broken row.
    Verify {
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Opens the configured store, creating the SQLite file's folder if needed.
pub async fn open(config: &Config) -> anyhow::Result<Store> {
    let sqlite_file = config
        .database_url
        .strip_prefix("sqlite://")
        .and_then(|rest| rest.split('?').next());
    if let Some(dir) = sqlite_file
        .and_then(|path| std::path::Path::new(path).parent())
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Store::open(&config.database_url, config.max_connections)
        .await
        .with_context(|| format!("opening {}", redact(&config.database_url)))
}

/// Hides a password in a database URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

pub async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = open(config).await?;
    store.migrate().await.context("migrating")?;
    println!("migrated {}", redact(&config.database_url));
    Ok(())
}

pub async fn demo(config: &Config, command: DemoCommand) -> anyhow::Result<()> {
    let DemoCommand::Seed {
        days,
        seed,
        if_empty,
        photos,
    } = command;
    let store = open(config).await?;
    store.migrate().await.context("migrating")?;
    if if_empty && !store.is_empty().await? {
        println!("database already has data; demo seed skipped");
        return Ok(());
    }
    let report = store
        .seed_demo(&HistoryOptions { days, seed })
        .await
        .context("seeding demo data")?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    demo_accounts(&store).await?;
    send_photos(config, &store, &photos).await
}

/// The demo customer's uploads, queued for intake as the upload page
/// queues them.
async fn send_photos(
    config: &Config,
    store: &Store,
    photos: &[std::path::PathBuf],
) -> anyhow::Result<()> {
    let actor = Actor::parse(DEMO_CUSTOMER)?;
    for photo in photos {
        let bytes = std::fs::read(photo).with_context(|| format!("reading {}", photo.display()))?;
        let (rx, _) =
            rxflow_api::uploads::receive(store, config.uploads_dir(), DEMO_PATIENT, bytes, &actor)
                .await
                .with_context(|| format!("queueing {}", photo.display()))?;
        println!("queued {} as prescription {rx}", photo.display());
    }
    Ok(())
}

/// Sign-ins for trying the demo, one per role. The passwords are in the
/// README; a real pharmacy creates its own accounts.
pub const DEMO_ACCOUNTS: [(&str, &str, Role); 5] = [
    ("admin", "Avery Admin", Role::Admin),
    ("pharmacist", "Pat Quinn, PharmD", Role::Pharmacist),
    ("technician", "Toni Reyes, CPhT", Role::Technician),
    ("inventory", "Ivan Stock", Role::InventoryManager),
    (DEMO_CUSTOMER, "Margaret Holloway", Role::Customer),
];

const DEMO_CUSTOMER: &str = "margaret";

/// The demo customer's patient record: the demo's first patient, on
/// warfarin and allergic to sulfonamides.
const DEMO_PATIENT: i64 = 1;

pub fn demo_password(username: &str) -> String {
    format!("{username}-demo-2026")
}

async fn demo_accounts(store: &Store) -> anyhow::Result<()> {
    let actor = Actor::system("seed");
    for (username, name, role) in DEMO_ACCOUNTS {
        let hash = rxflow_api::auth::password::hash(demo_password(username))
            .await
            .map_err(|e| anyhow::anyhow!("hashing a demo password: {e}"))?;
        let new = NewUser::parse(username, name, role, hash)?;
        if role == Role::Customer {
            store.link_customer(&new, DEMO_PATIENT, &actor).await?;
        } else {
            store.create_staff(&new, &actor).await?;
        }
    }
    println!("demo sign-ins: {}", DEMO_ACCOUNTS.map(|a| a.0).join(", "));
    Ok(())
}

pub async fn audit(config: &Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify { json } = command;
    let store = open(config).await?;
    let verdict = store
        .verify_audit()
        .await
        .context("reading the audit log")?;
    if json {
        println!("{}", serde_json::to_string(&verdict)?);
    } else {
        match &verdict {
            Verdict::Ok { rows, head } => println!("OK: {rows} rows, head {head}"),
            Verdict::Broken { seq, reason } => println!("BROKEN at row {seq}: {reason}"),
        }
    }
    Ok(match verdict {
        Verdict::Ok { .. } => ExitCode::SUCCESS,
        Verdict::Broken { .. } => ExitCode::from(3),
    })
}
