//! Every CLI command refuses bad input with a message and a non-zero exit,
//! and `audit verify` tells a sound chain from a tampered one.

use crate::support::rxflow;
use rxflow_pharmacy::Backend;
use rxflow_pharmacy::testing::fresh_database;
use std::process::Output;

fn run(url: &str, args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    rxflow(url, data.path()).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn bad_arguments_and_settings_exit_non_zero_with_a_message() {
    let db = fresh_database().await.unwrap();
    let cases: [(&[&str], &str, i32); 6] = [
        (&["demo", "seed", "--days", "0"], "--days", 2),
        (&["no-such-command"], "unrecognized subcommand", 2),
        (
            &["--config", "/nonexistent/rxflow.toml", "migrate"],
            "configuration",
            1,
        ),
        (
            &["forecast", "--series", "/nonexistent/series.csv"],
            "series.csv",
            1,
        ),
        (
            &[
                "eval",
                "forecast",
                "--train",
                "/nonexistent/t.csv",
                "--test",
                "/nonexistent/u.csv",
                "--horizon",
                "7",
                "--season",
                "7",
            ],
            "t.csv",
            1,
        ),
        (&["audit", "verify", "--bogus"], "--bogus", 2),
    ];
    for (args, mention, code) in cases {
        let out = run(&db.url, args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(mention),
            "{args:?} should mention {mention:?}: {}",
            stderr(&out)
        );
    }
    let out = run("mysql://localhost/x", &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("expected sqlite"), "{}", stderr(&out));
}

#[tokio::test]
async fn seeding_twice_is_refused_unless_asked_to_skip() {
    let db = fresh_database().await.unwrap();
    assert!(
        run(&db.url, &["demo", "seed", "--days", "3"])
            .status
            .success()
    );
    let again = run(&db.url, &["demo", "seed", "--days", "3"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already has products"),
        "{}",
        stderr(&again)
    );
    assert!(
        run(&db.url, &["demo", "seed", "--if-empty"])
            .status
            .success()
    );
}

#[tokio::test]
async fn audit_verify_passes_a_sound_chain_and_fails_a_tampered_one() {
    let db = fresh_database().await.unwrap();
    assert!(
        run(&db.url, &["demo", "seed", "--days", "3"])
            .status
            .success()
    );
    let ok = run(&db.url, &["audit", "verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("OK: "));

    let store = rxflow_pharmacy::Store::open(&db.url, 1).await.unwrap();
    let unguard = match store.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
    };
    sqlx::query(unguard).execute(store.pool()).await.unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 42")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;

    let broken = run(&db.url, &["audit", "verify", "--json"]);
    assert_eq!(broken.status.code(), Some(3));
    let verdict: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(
        (verdict["status"].as_str(), verdict["seq"].as_i64()),
        (Some("broken"), Some(42))
    );
}
