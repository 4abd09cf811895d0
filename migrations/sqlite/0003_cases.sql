-- Cases in full: the states and events of the whole case flow, who filed about what and where,
-- and drafts waiting for the filer's SMS code. No release ever wrote a case or a session before
-- this migration, so the first versions of these tables are replaced rather than altered.
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE sessions;

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    tracking_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('inquiry', 'complaint', 'disclosure')),
    -- Where it came from: the public form, or 未收到 on a line the bank reports paid.
    origin TEXT NOT NULL CHECK (origin IN ('form', 'not_received')),
    item_id INTEGER REFERENCES subsidy_items (id),
    payment_id INTEGER REFERENCES payments (id),
    township_id INTEGER REFERENCES regions (id),
    village_id INTEGER REFERENCES regions (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'info_requested', 'answered', 'closed')),
    description TEXT NOT NULL,
    filer_name TEXT NOT NULL,
    filer_phone_enc BLOB NOT NULL,
    filer_phone_hash TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0,
    filed_at TEXT NOT NULL,
    -- Working-day clock: deadline_on is the last day to answer (China local dates).
    filed_on TEXT NOT NULL,
    deadline_on TEXT NOT NULL,
    extended INTEGER NOT NULL DEFAULT 0,
    reopened INTEGER NOT NULL DEFAULT 0,
    escalated INTEGER NOT NULL DEFAULT 0,
    reply TEXT,
    answered_on TEXT,
    -- On time by the deadline that applied when it was answered (the latest answer counts).
    answered_on_time INTEGER,
    closed_at TEXT
);
CREATE INDEX cases_department ON cases (department_id, status);
CREATE INDEX cases_deadline ON cases (status, deadline_on);
CREATE INDEX cases_item ON cases (item_id);
CREATE INDEX cases_phone ON cases (filer_phone_hash);
-- 未收到 on a paid line files one complaint, however often it is said.
CREATE UNIQUE INDEX cases_not_received ON cases (payment_id) WHERE origin = 'not_received';

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('filed', 'accepted', 'info_requested', 'supplemented', 'transferred',
                                       'extended', 'replied', 'reopened', 'escalated', 'closed')),
    from_department_id INTEGER REFERENCES departments (id),
    to_department_id INTEGER REFERENCES departments (id),
    staff_id INTEGER REFERENCES staff_users (id),
    -- Public words of the step (transfer reason, extension reason, reply); never personal data.
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id);

-- A filed form waiting for its SMS code (the form, encrypted; found by the visitor's token).
CREATE TABLE case_drafts (
    token_hash TEXT PRIMARY KEY,
    form_enc BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Citizen, case-tracking and staff sessions (stored so that any app node can serve any request).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'case', 'staff')),
    beneficiary_id INTEGER REFERENCES beneficiaries (id),
    case_id INTEGER REFERENCES cases (id),
    staff_id INTEGER REFERENCES staff_users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- A code sent to track a case names the case it would open.
ALTER TABLE verification_codes ADD COLUMN case_id INTEGER REFERENCES cases (id);

-- Staff accounts an admin has switched off cannot sign in.
ALTER TABLE staff_users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

-- Messages for a provider are queued in the transaction that causes them and delivered after
-- it commits (template parameters kept for the provider's template API until delivered; errors
-- kept for staff).
ALTER TABLE sms_outbox ADD COLUMN params TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sms_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN error TEXT;
-- A node delivering a message holds it until then, so no two nodes send it twice.
ALTER TABLE sms_outbox ADD COLUMN claimed_until TEXT;
CREATE INDEX sms_outbox_status ON sms_outbox (status, id);
