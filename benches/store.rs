//! Store throughput and HTTP latency.
//!
//! - `reserve_dispense/<backend>`: one iteration is a reservation
//!   transaction plus a dispense transaction (FEFO pick, dispense record,
//!   refill count, audit), so transactions/s = 2 / median time.
//! - `http_get_stock`: `GET /api/v1/products/{id}/stock` on a seeded store
//!   through the real router and a loopback socket; p50/p99 are printed too.
//!
//! SQLite always runs; PostgreSQL runs when `RXFLOW_TEST_PG_URL` is set,
//! e.g. `PG_DURABLE=1 tests/support/with-postgres cargo bench --bench store`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use rxflow_pharmacy::dispensing::Source;
use rxflow_pharmacy::inventory::ReceiveLot;
use rxflow_pharmacy::patients::NewPatient;
use rxflow_pharmacy::products::{NewProduct, ProductFields};
use rxflow_pharmacy::testing::{TestStore, fresh_store};
use rxflow_pharmacy::{Actor, Quantity, Store};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

fn actor() -> Actor {
    Actor::parse("bench").unwrap()
}

async fn stocked_product(store: &Store) -> i64 {
    let fields = ProductFields {
        ndc: "00093-5056-98",
        name: "Atorvastatin 10 mg",
        generic_name: "atorvastatin",
        strength: "10 mg",
        form: "tablet",
        pack_size: 90,
        rx_only: true,
        dea_schedule: None,
        price_cents: 1799,
        tax_rate_bp: 0,
    };
    let id = store
        .create_product(&NewProduct::parse(fields).unwrap(), &actor())
        .await
        .unwrap();
    for (lot, days) in [("A", 100), ("B", 400), ("C", 700)] {
        let expiry = rxflow_pharmacy::clock::format_date(
            rxflow_pharmacy::clock::today() + time::Duration::days(days),
        );
        store
            .receive_lot(
                &ReceiveLot::parse(id, lot, &expiry, "Main", 1_000_000).unwrap(),
                &actor(),
            )
            .await
            .unwrap();
    }
    id
}

/// A verified prescription item with 99 refills (100 fills).
async fn fillable_item(store: &Store, patient: i64, product: i64) -> i64 {
    rxflow_pharmacy::testing::verified_item(store, patient, product, 1, 99)
        .await
        .unwrap()
        .1
}

fn reserve_dispense(c: &mut Criterion, rt: &Runtime, backend: &str, store: &TestStore) {
    let product = rt.block_on(stocked_product(store));
    let patient = rt
        .block_on(store.create_patient(
            &NewPatient::parse("Bench", "Patient", "1960-01-01", "f").unwrap(),
            &actor(),
        ))
        .unwrap();
    let one = Quantity::new(1).unwrap();
    c.bench_function(&format!("reserve_dispense/{backend}"), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut spent = Duration::ZERO;
                let mut item = fillable_item(store, patient, product).await;
                for i in 0..iters {
                    if i > 0 && i % 100 == 0 {
                        item = fillable_item(store, patient, product).await;
                    }
                    let start = Instant::now();
                    store.reserve(product, one, &actor()).await.unwrap();
                    store
                        .dispense(item, Source::Shelf(one), &actor())
                        .await
                        .unwrap();
                    spent += start.elapsed();
                }
                spent
            })
        })
    });
}

fn store_benches(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let backend = if std::env::var("RXFLOW_TEST_PG_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    };
    let store = rt.block_on(fresh_store(16)).unwrap();
    reserve_dispense(c, &rt, backend, &store);
    http_get_stock(c, &rt, backend, &store);
}

fn http_get_stock(c: &mut Criterion, rt: &Runtime, backend: &str, store: &TestStore) {
    let (base, product) = rt.block_on(async {
        let product = store.list_products(None, 1, 0).await.unwrap()[0].id;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = rxflow_api::Config {
            data_dir: std::env::temp_dir(),
            ..rxflow_api::Config::default()
        };
        let services = rxflow_api::load_services(&config).await.unwrap();
        let state = rxflow_api::AppState {
            store: store.store.clone(),
            services: std::sync::Arc::new(services),
        };
        tokio::spawn(async move { rxflow_api::serve(listener, state).await });
        (base, product)
    });
    let token = rt.block_on(staff_token(store));
    let client = reqwest::Client::builder()
        .default_headers(
            [(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {token}").parse().unwrap(),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .unwrap();
    let url = format!("{base}/api/v1/products/{product}/stock");
    let mut samples = Vec::new();
    c.bench_function(&format!("http_get_stock/{backend}"), |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let response = client.get(&url).send().await.unwrap();
                    assert!(response.status().is_success());
                    response.bytes().await.unwrap();
                    let took = start.elapsed();
                    samples.push(took);
                    spent += took;
                }
                spent
            })
        })
    });
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    eprintln!(
        "http_get_stock/{backend} over {} requests: p50 {:?}, p99 {:?}",
        samples.len(),
        pct(0.50),
        pct(0.99)
    );
}

/// A technician's session, made directly in the store.
async fn staff_token(store: &TestStore) -> String {
    use rxflow_pharmacy::users::{NewUser, Role, SessionKind};
    let hash = rxflow_api::auth::password::hash("bench-password-1".into())
        .await
        .unwrap();
    let new = NewUser::parse("bench", "Bench Tech", Role::Technician, hash).unwrap();
    let actor = rxflow_pharmacy::Actor::system("bench");
    let id = store.create_staff(&new, &actor).await.unwrap();
    let user = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == id)
        .unwrap();
    let token = rxflow_api::auth::new_token();
    let digest = rxflow_api::auth::token_sha256(&token);
    store
        .open_session(
            &user,
            &digest,
            SessionKind::Bearer,
            time::Duration::hours(1),
        )
        .await
        .unwrap();
    token
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(8));
    targets = store_benches
}
criterion_main!(benches);
