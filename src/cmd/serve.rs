use anyhow::Context;
use rxflow_api::{AppState, Config};
use std::sync::Arc;

pub async fn run(config: Config) -> anyhow::Result<()> {
    rxflow_api::telemetry::init(config.log_format);
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let store = super::store::open(&config).await?;
    store.migrate().await.context("migrating")?;
    let services = rxflow_api::load_services(&config)
        .await
        .context("loading the knowledge base and models")?;
    let state = AppState {
        store: store.clone(),
        services: Arc::new(services),
    };
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let address = listener.local_addr()?;
    rxflow_api::jobs::start(state.clone(), config.workers).await;
    rxflow_api::forecasts::start_nightly(state.clone());
    tracing::info!(%address, database = %super::store::redact(&config.database_url), workers = config.workers, "rxflow serving");
    // A line on stdout lets scripts and tests learn the port when bind is :0.
    println!("listening on http://{address}");
    rxflow_api::serve(listener, state)
        .await
        .context("serving")?;
    store.close().await;
    Ok(())
}
