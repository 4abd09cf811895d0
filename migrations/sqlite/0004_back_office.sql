-- Back office: files uploaded by department staff, kept (encrypted) between the preview and the import: a
-- roster file (purpose 'roster') or a bank's feedback file for a roster (purpose 'feedback').
CREATE TABLE roster_uploads (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('roster', 'feedback')),
    staff_id INTEGER NOT NULL REFERENCES staff_users (id),
    item_code TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    roster_id INTEGER REFERENCES rosters (id),
    file_name TEXT NOT NULL,
    file_enc BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The yearly forecast of payouts per item (应发数), with its June, September and December revisions.
CREATE TABLE forecasts (
    year INTEGER NOT NULL,
    item_code TEXT NOT NULL,
    revision TEXT NOT NULL CHECK (revision IN ('initial', 'june', 'september', 'december')),
    amount_fen INTEGER NOT NULL,
    people INTEGER NOT NULL DEFAULT 0,
    staff_id INTEGER REFERENCES staff_users (id),
    at TEXT NOT NULL,
    PRIMARY KEY (year, item_code, revision)
);
