-- One row per scheduled task: the last day some process claimed its run,
-- so that of several processes on one database only one runs it that day.
CREATE TABLE scheduled_runs (
    task TEXT PRIMARY KEY,
    last_day TEXT NOT NULL,
    claimed_at TEXT NOT NULL
);
