-- The service (issue #6): users and sessions, the intake job table, what the
-- machine read and found for each prescription, pharmacists' decisions with
-- their electronic signatures, and CDS Hooks override telemetry.
-- Keep in step with ../postgres/0004_service.sql.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 64),
    display_name    TEXT NOT NULL CHECK (length(display_name) > 0),
    role            TEXT NOT NULL CHECK (role IN ('customer', 'pharmacist', 'technician',
                      'inventory_manager', 'admin')),
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    -- A customer is one patient; staff are nobody's patient here.
    patient_id      INTEGER UNIQUE REFERENCES patients(id),
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins   INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    CHECK ((role = 'customer') = (patient_id IS NOT NULL))
);

-- Only the SHA-256 of a session token is kept: a database leak gives no live session.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE intake_jobs (
    id               INTEGER PRIMARY KEY,
    prescription_id  INTEGER NOT NULL UNIQUE REFERENCES prescriptions(id),
    image_sha256     TEXT NOT NULL CHECK (length(image_sha256) = 64),
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    stage            TEXT NOT NULL CHECK (stage IN ('queued', 'ocr', 'nlp', 'checks', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts > 0),
    locked_by        TEXT,
    heartbeat_at     TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX intake_jobs_status ON intake_jobs(status, created_at);

-- The machine's reading (the review sheet, JSON) and the current findings (JSON),
-- replaced as a pharmacist corrects fields.
CREATE TABLE prescription_reviews (
    prescription_id  INTEGER PRIMARY KEY REFERENCES prescriptions(id),
    sheet            TEXT NOT NULL,
    findings         TEXT NOT NULL,
    flagged          INTEGER NOT NULL CHECK (flagged IN (0, 1)),
    -- Highest finding severity rank (0 none … 4 contraindicated), for queue order.
    risk             INTEGER NOT NULL CHECK (risk BETWEEN 0 AND 4),
    kb_snapshot      TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX prescription_reviews_queue ON prescription_reviews(flagged, risk);

-- An approval or rejection. The signature binds signer, time and meaning to the
-- SHA-256 of the record as decided (sheet, findings, overrides, confirmations).
CREATE TABLE prescription_decisions (
    id               INTEGER PRIMARY KEY,
    prescription_id  INTEGER NOT NULL UNIQUE REFERENCES prescriptions(id),
    decision         TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason           TEXT,
    overrides        TEXT NOT NULL,
    confirmations    TEXT NOT NULL,
    signer_id        INTEGER NOT NULL REFERENCES users(id),
    signer_name      TEXT NOT NULL,
    meaning          TEXT NOT NULL,
    signed_at        TEXT NOT NULL,
    record_sha256    TEXT NOT NULL CHECK (length(record_sha256) = 64)
);

CREATE TABLE cds_cards (
    uuid       TEXT PRIMARY KEY,
    rule_key   TEXT NOT NULL,
    indicator  TEXT NOT NULL CHECK (indicator IN ('info', 'warning', 'critical')),
    issued_at  TEXT NOT NULL
);
CREATE INDEX cds_cards_rule ON cds_cards(rule_key);

CREATE TABLE cds_feedback (
    id              INTEGER PRIMARY KEY,
    card_uuid       TEXT NOT NULL REFERENCES cds_cards(uuid),
    outcome         TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
    override_code   TEXT,
    user_comment    TEXT,
    outcome_at      TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX cds_feedback_card ON cds_feedback(card_uuid);
