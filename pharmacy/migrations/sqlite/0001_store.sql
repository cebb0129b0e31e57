-- rxflow store schema, SQLite flavour. Keep in step with ../postgres/0001_store.sql:
-- same tables, columns, constraints and indexes; only the id and type syntax differ.
-- Times are RFC 3339 UTC text; dates are YYYY-MM-DD text; money is integer cents;
-- flags are 0/1 integers (the Any driver decodes them identically on both backends).

CREATE TABLE patients (
    id          INTEGER PRIMARY KEY,
    first_name  TEXT NOT NULL CHECK (length(first_name) > 0),
    last_name   TEXT NOT NULL CHECK (length(last_name) > 0),
    dob         TEXT NOT NULL,
    sex         TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone       TEXT,
    email       TEXT,
    address     TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE patient_allergies (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    allergen    TEXT NOT NULL CHECK (length(allergen) > 0),
    kind        TEXT NOT NULL CHECK (kind IN ('substance', 'class')),
    reaction    TEXT,
    severity    TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'unknown')),
    recorded_at TEXT NOT NULL
);
CREATE INDEX patient_allergies_patient ON patient_allergies(patient_id);

CREATE TABLE patient_conditions (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    code        TEXT,
    description TEXT NOT NULL CHECK (length(description) > 0),
    onset       TEXT
);
CREATE INDEX patient_conditions_patient ON patient_conditions(patient_id);

CREATE TABLE patient_medications (
    id          INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patients(id),
    drug        TEXT NOT NULL CHECK (length(drug) > 0),
    strength    TEXT,
    sig         TEXT,
    started_on  TEXT,
    stopped_on  TEXT,
    active      INTEGER NOT NULL CHECK (active IN (0, 1))
);
CREATE INDEX patient_medications_patient ON patient_medications(patient_id);

CREATE TABLE prescribers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) > 0),
    npi         TEXT NOT NULL UNIQUE CHECK (length(npi) = 10),
    dea         TEXT UNIQUE CHECK (dea IS NULL OR length(dea) = 9),
    created_at  TEXT NOT NULL
);

CREATE TABLE suppliers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    contact     TEXT
);

CREATE TABLE products (
    id            INTEGER PRIMARY KEY,
    ndc           TEXT NOT NULL UNIQUE CHECK (length(ndc) = 11),
    name          TEXT NOT NULL CHECK (length(name) > 0),
    generic_name  TEXT NOT NULL,
    strength      TEXT NOT NULL,
    form          TEXT NOT NULL,
    pack_size     INTEGER NOT NULL CHECK (pack_size > 0),
    rx_only       INTEGER NOT NULL CHECK (rx_only IN (0, 1)),
    dea_schedule  INTEGER CHECK (dea_schedule BETWEEN 2 AND 5),
    price_cents   INTEGER NOT NULL CHECK (price_cents >= 0),
    tax_rate_bp   INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 10000),
    supplier_id   INTEGER REFERENCES suppliers(id),
    -- Bumped as the first write of every stock transaction: it serialises
    -- writers per product on PostgreSQL and takes the write lock up front on SQLite.
    stock_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE locations (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);

CREATE TABLE lots (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    location_id INTEGER NOT NULL REFERENCES locations(id),
    lot_number  TEXT NOT NULL CHECK (length(lot_number) > 0),
    expiry      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (product_id, location_id, lot_number)
);
CREATE INDEX lots_product_expiry ON lots(product_id, expiry);

CREATE TABLE prescriptions (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER REFERENCES patients(id),
    prescriber_id INTEGER REFERENCES prescribers(id),
    status        TEXT NOT NULL CHECK (status IN ('received', 'extracted', 'needs_review', 'verified',
                    'rejected', 'partially_dispensed', 'dispensed', 'cancelled')),
    image_ref     TEXT,
    written_on    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX prescriptions_status ON prescriptions(status, created_at);
CREATE INDEX prescriptions_patient ON prescriptions(patient_id);

CREATE TABLE prescription_items (
    id                  INTEGER PRIMARY KEY,
    prescription_id     INTEGER NOT NULL REFERENCES prescriptions(id),
    product_id          INTEGER REFERENCES products(id),
    drug                TEXT NOT NULL CHECK (length(drug) > 0),
    drug_id             TEXT,
    strength            TEXT,
    form                TEXT,
    route               TEXT,
    sig                 TEXT NOT NULL,
    quantity            INTEGER NOT NULL CHECK (quantity > 0),
    refills_authorized  INTEGER NOT NULL CHECK (refills_authorized BETWEEN 0 AND 99),
    fills_used          INTEGER NOT NULL DEFAULT 0 CHECK (fills_used >= 0),
    CHECK (fills_used <= refills_authorized + 1)
);
CREATE INDEX prescription_items_rx ON prescription_items(prescription_id);

CREATE TABLE reservations (
    id                   INTEGER PRIMARY KEY,
    product_id           INTEGER NOT NULL REFERENCES products(id),
    quantity             INTEGER NOT NULL CHECK (quantity > 0),
    status               TEXT NOT NULL CHECK (status IN ('active', 'released', 'consumed')),
    created_at           TEXT NOT NULL
);
CREATE INDEX reservations_product ON reservations(product_id, status);

-- The movement ledger. Each kind moves on-hand and reserved quantities in a fixed
-- direction; the CHECKs make a wrong sign impossible to write.
CREATE TABLE stock_movements (
    id              INTEGER PRIMARY KEY,
    lot_id          INTEGER NOT NULL REFERENCES lots(id),
    kind            TEXT NOT NULL CHECK (kind IN ('receive', 'reserve', 'release', 'dispense',
                      'adjust', 'return', 'expire')),
    on_hand_delta   INTEGER NOT NULL,
    reserved_delta  INTEGER NOT NULL,
    reservation_id  INTEGER REFERENCES reservations(id),
    reason          TEXT,
    actor           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    CHECK (
        (kind = 'receive'  AND on_hand_delta > 0 AND reserved_delta = 0) OR
        (kind = 'reserve'  AND on_hand_delta = 0 AND reserved_delta > 0) OR
        (kind = 'release'  AND on_hand_delta = 0 AND reserved_delta < 0) OR
        (kind = 'dispense' AND on_hand_delta < 0 AND reserved_delta <= 0) OR
        (kind = 'adjust'   AND on_hand_delta <> 0 AND reserved_delta = 0 AND reason IS NOT NULL) OR
        (kind = 'return'   AND on_hand_delta > 0 AND reserved_delta = 0) OR
        (kind = 'expire'   AND on_hand_delta < 0 AND reserved_delta = 0)
    )
);
CREATE INDEX stock_movements_lot ON stock_movements(lot_id);
CREATE INDEX stock_movements_reservation ON stock_movements(reservation_id);

CREATE TABLE dispenses (
    id                    INTEGER PRIMARY KEY,
    prescription_item_id  INTEGER NOT NULL REFERENCES prescription_items(id),
    product_id            INTEGER NOT NULL REFERENCES products(id),
    quantity              INTEGER NOT NULL CHECK (quantity > 0),
    fill_number           INTEGER NOT NULL CHECK (fill_number >= 1),
    dispensed_by          TEXT NOT NULL,
    dispensed_at          TEXT NOT NULL
);
CREATE INDEX dispenses_product_time ON dispenses(product_id, dispensed_at);

CREATE TABLE dispense_lots (
    dispense_id  INTEGER NOT NULL REFERENCES dispenses(id),
    lot_id       INTEGER NOT NULL REFERENCES lots(id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (dispense_id, lot_id)
);

CREATE TABLE cart_items (
    id                    INTEGER PRIMARY KEY,
    patient_id            INTEGER NOT NULL REFERENCES patients(id),
    product_id            INTEGER NOT NULL REFERENCES products(id),
    quantity              INTEGER NOT NULL CHECK (quantity > 0),
    prescription_item_id  INTEGER REFERENCES prescription_items(id),
    added_at              TEXT NOT NULL
);
CREATE INDEX cart_items_patient ON cart_items(patient_id);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patients(id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'processing', 'shipped',
                      'delivered', 'cancelled', 'returned', 'refunded')),
    subtotal_cents  INTEGER NOT NULL CHECK (subtotal_cents >= 0),
    tax_cents       INTEGER NOT NULL CHECK (tax_cents >= 0),
    total_cents     INTEGER NOT NULL CHECK (total_cents = subtotal_cents + tax_cents),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX orders_patient ON orders(patient_id, created_at);

CREATE TABLE order_lines (
    id                    INTEGER PRIMARY KEY,
    order_id              INTEGER NOT NULL REFERENCES orders(id),
    product_id            INTEGER NOT NULL REFERENCES products(id),
    prescription_item_id  INTEGER REFERENCES prescription_items(id),
    reservation_id        INTEGER NOT NULL REFERENCES reservations(id),
    quantity              INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents      INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    tax_cents             INTEGER NOT NULL CHECK (tax_cents >= 0),
    line_total_cents      INTEGER NOT NULL CHECK (line_total_cents >= 0)
);
CREATE INDEX order_lines_order ON order_lines(order_id);

CREATE TABLE payments (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES orders(id),
    provider      TEXT NOT NULL,
    method        TEXT NOT NULL,
    amount_cents  INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('captured', 'refunded')),
    reference     TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX payments_order ON payments(order_id);

CREATE TABLE shipments (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders(id),
    carrier     TEXT NOT NULL,
    tracking    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('ready', 'in_transit', 'delivered')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX shipments_order ON shipments(order_id);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    number          INTEGER NOT NULL UNIQUE,
    order_id        INTEGER NOT NULL UNIQUE REFERENCES orders(id),
    subtotal_cents  INTEGER NOT NULL,
    tax_cents       INTEGER NOT NULL,
    total_cents     INTEGER NOT NULL,
    issued_at       TEXT NOT NULL
);

-- Gapless business numbering (invoice numbers); the row lock on UPDATE serialises takers.
CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('invoice', 0);

-- Append-only, hash-chained audit log. audit_head holds the chain's tip; updating it
-- is what serialises appenders (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    details     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
