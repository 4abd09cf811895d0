-- Files uploaded by department staff, kept (encrypted) between the preview and the import: a
-- roster file (purpose 'roster') or a bank's feedback file for a roster (purpose 'feedback').
CREATE TABLE roster_uploads (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('roster', 'feedback')),
    staff_id BIGINT NOT NULL REFERENCES staff_users (id),
    item_code TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    roster_id BIGINT REFERENCES rosters (id),
    file_name TEXT NOT NULL,
    file_enc BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
