//! The real knowledge base for the interop tests: the repository's
//! `data/cache/kb/CURRENT`, or the snapshot root named by `RXFLOW_KB_DIR`
//! (a worktree whose `data/cache` was never fetched points it at another
//! checkout's). Tests fail loudly without one: `make test` fetches and
//! builds it first.

#![allow(clippy::expect_used)]

use rxflow_clinical::{Kb, default_root};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    let repo = default_root(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../data"));
    if repo.join("CURRENT").exists() {
        return repo;
    }
    std::env::var_os("RXFLOW_KB_DIR")
        .map(PathBuf::from)
        .expect("no knowledge base: build data/cache/kb (make test does) or set RXFLOW_KB_DIR")
}

pub(crate) fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| Kb::open_current(&root()).expect("the knowledge base snapshot opens"))
}
