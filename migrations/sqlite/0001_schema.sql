-- The whole data model of the portal (see shared DOMAIN.md for the glossary).
-- Kept in step with migrations/postgres/0001_schema.sql: same tables, same columns, same names.
-- Money is integer fen; dates are ISO text 'YYYY-MM-DD'; timestamps are UTC 'YYYY-MM-DDTHH:MM:SSZ'.

-- Key/value facts about this installation (county name, demo marker, ...).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- County → township → village (→ group), with GB/T 2260-style codes.
CREATE TABLE regions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('county', 'township', 'village', 'group')),
    parent_id INTEGER REFERENCES regions (id),
    sort_order INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX regions_parent ON regions (parent_id);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    is_finance INTEGER NOT NULL DEFAULT 0
);

-- Paying banks (代发银行).
CREATE TABLE banks (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL
);

CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('department', 'finance', 'supervisor', 'admin')),
    department_id INTEGER REFERENCES departments (id),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

-- Notices and policy documents (通知公告 / 政策依据).
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('notice', 'policy')),
    title TEXT NOT NULL,
    doc_number TEXT NOT NULL DEFAULT '',
    issuer TEXT NOT NULL,
    published_on TEXT NOT NULL,
    body TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id),
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX documents_published ON documents (published_on);

-- One published catalogue (政策清单) per year.
CREATE TABLE catalogue_years (
    year INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    published_on TEXT NOT NULL,
    document_id INTEGER REFERENCES documents (id)
);

CREATE TABLE subsidy_items (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES catalogue_years (year),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES subsidy_items (id),
    level TEXT NOT NULL CHECK (level IN ('central', 'provincial', 'municipal', 'county')),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    standard TEXT NOT NULL,
    standard_fen INTEGER,
    frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'half_yearly', 'yearly', 'one_off', 'as_needed')),
    bank_id INTEGER REFERENCES banks (id),
    per_household INTEGER NOT NULL DEFAULT 0,
    aliases TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (year, code)
);
CREATE INDEX subsidy_items_parent ON subsidy_items (parent_id);
CREATE INDEX subsidy_items_department ON subsidy_items (department_id);

-- Basis documents of an item.
CREATE TABLE item_documents (
    item_id INTEGER NOT NULL REFERENCES subsidy_items (id),
    document_id INTEGER NOT NULL REFERENCES documents (id),
    PRIMARY KEY (item_id, document_id)
);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    village_id INTEGER NOT NULL REFERENCES regions (id)
);

-- Personal data: the ID number, phone and bank account are stored encrypted (AES-256-GCM) and
-- looked up by keyed hash (HMAC-SHA256); only the masked forms are ever shown in public.
CREATE TABLE beneficiaries (
    id INTEGER PRIMARY KEY,
    id_hash TEXT NOT NULL UNIQUE,
    id_enc BLOB NOT NULL,
    id_masked TEXT NOT NULL,
    name TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    ethnicity TEXT NOT NULL,
    phone_enc BLOB,
    phone_hash TEXT,
    village_id INTEGER NOT NULL REFERENCES regions (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    is_household_head INTEGER NOT NULL DEFAULT 0,
    card_status TEXT NOT NULL CHECK (card_status IN ('not_issued', 'issued', 'activated')),
    card_bank_id INTEGER REFERENCES banks (id),
    account_enc BLOB,
    account_hash TEXT,
    account_last4 TEXT,
    custodian_kind TEXT CHECK (custodian_kind IN ('custodian', 'proxy_recipient')),
    custodian_id INTEGER REFERENCES beneficiaries (id),
    is_deceased INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX beneficiaries_village ON beneficiaries (village_id);
CREATE INDEX beneficiaries_household ON beneficiaries (household_id);
CREATE INDEX beneficiaries_phone ON beneficiaries (phone_hash);
CREATE INDEX beneficiaries_account ON beneficiaries (account_hash);

-- A payment roster (统发清册): one item, one period, one township, one batch.
CREATE TABLE rosters (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES subsidy_items (id),
    period TEXT NOT NULL,
    region_id INTEGER NOT NULL REFERENCES regions (id),
    batch INTEGER NOT NULL DEFAULT 1,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'publicising', 'department_reviewed', 'finance_reviewed', 'sent_to_bank', 'bank_feedback', 'payout_publicised', 'returned')),
    line_count INTEGER NOT NULL DEFAULT 0,
    total_fen INTEGER NOT NULL DEFAULT 0,
    publicity_start TEXT,
    publicity_end TEXT,
    sent_to_bank_on TEXT,
    paid_on TEXT,
    payout_publicised_on TEXT,
    source_sha256 TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (item_id, period, region_id, batch)
);
CREATE INDEX rosters_region ON rosters (region_id);
CREATE INDEX rosters_period ON rosters (period);

-- Each step of the review flow, with who and when.
CREATE TABLE roster_events (
    id INTEGER PRIMARY KEY,
    roster_id INTEGER NOT NULL REFERENCES rosters (id),
    step TEXT NOT NULL,
    staff_id INTEGER REFERENCES staff_users (id),
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX roster_events_roster ON roster_events (roster_id);

-- One payment line (发放明细). recipient_id is whose card receives it (household head, custodian, proxy).
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    roster_id INTEGER NOT NULL REFERENCES rosters (id),
    beneficiary_id INTEGER NOT NULL REFERENCES beneficiaries (id),
    recipient_id INTEGER NOT NULL REFERENCES beneficiaries (id),
    item_id INTEGER NOT NULL REFERENCES subsidy_items (id),
    period TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    bank_id INTEGER NOT NULL REFERENCES banks (id),
    account_last4 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
    failure_reason TEXT CHECK (failure_reason IN ('account_closed', 'name_id_mismatch', 'card_not_activated', 'account_frozen', 'account_not_found', 'deceased', 'other')),
    paid_on TEXT,
    reissue_of_id INTEGER REFERENCES payments (id),
    created_at TEXT NOT NULL,
    UNIQUE (roster_id, beneficiary_id)
);
CREATE INDEX payments_beneficiary ON payments (beneficiary_id, item_id, period);
CREATE INDEX payments_recipient ON payments (recipient_id);
CREATE INDEX payments_item_period ON payments (item_id, period);
CREATE INDEX payments_reissue ON payments (reissue_of_id);
CREATE INDEX payments_paid_on ON payments (paid_on);

-- What was publicised, as the public saw it (masked), before and after payment.
CREATE TABLE publicity_entries (
    id INTEGER PRIMARY KEY,
    roster_id INTEGER NOT NULL REFERENCES rosters (id),
    payment_id INTEGER REFERENCES payments (id),
    beneficiary_id INTEGER NOT NULL REFERENCES beneficiaries (id),
    stage TEXT NOT NULL CHECK (stage IN ('before_payment', 'after_payment')),
    name_masked TEXT NOT NULL,
    id_masked TEXT NOT NULL,
    recipient_name_masked TEXT,
    village_id INTEGER NOT NULL REFERENCES regions (id),
    item_id INTEGER NOT NULL REFERENCES subsidy_items (id),
    period TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'reissued')),
    published_on TEXT NOT NULL
);
CREATE INDEX publicity_roster ON publicity_entries (roster_id);
CREATE INDEX publicity_village ON publicity_entries (village_id, item_id, period);
CREATE INDEX publicity_payment ON publicity_entries (payment_id);
CREATE INDEX publicity_beneficiary ON publicity_entries (beneficiary_id);

-- The citizen's own word on a paid line: 已收到 / 未收到.
CREATE TABLE payment_confirmations (
    id INTEGER PRIMARY KEY,
    payment_id INTEGER NOT NULL UNIQUE REFERENCES payments (id),
    beneficiary_id INTEGER NOT NULL REFERENCES beneficiaries (id),
    received INTEGER NOT NULL,
    at TEXT NOT NULL
);

-- Working-day calendar: configured holidays and adjusted working days (调休).
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);

-- Inquiries, complaints and disclosure requests.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    tracking_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('inquiry', 'complaint', 'disclosure')),
    item_id INTEGER REFERENCES subsidy_items (id),
    payment_id INTEGER REFERENCES payments (id),
    region_id INTEGER REFERENCES regions (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
    description TEXT NOT NULL,
    filer_name TEXT NOT NULL,
    filer_phone_enc BLOB,
    filer_phone_hash TEXT,
    anonymous INTEGER NOT NULL DEFAULT 0,
    filed_at TEXT NOT NULL,
    deadline_on TEXT NOT NULL,
    extended_deadline_on TEXT,
    extension_reason TEXT,
    reply TEXT,
    replied_at TEXT
);
CREATE INDEX cases_department ON cases (department_id, status);
CREATE INDEX cases_deadline ON cases (status, deadline_on);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('filed', 'transferred', 'extended', 'replied', 'escalated', 'closed')),
    from_department_id INTEGER REFERENCES departments (id),
    to_department_id INTEGER REFERENCES departments (id),
    staff_id INTEGER REFERENCES staff_users (id),
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id);

-- Per-day sequence behind readable tracking numbers.
CREATE TABLE case_sequences (
    day TEXT PRIMARY KEY,
    last_value INTEGER NOT NULL
);

-- Citizen and staff sessions (stored so that any app node can serve any request).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('citizen', 'staff')),
    beneficiary_id INTEGER REFERENCES beneficiaries (id),
    staff_id INTEGER REFERENCES staff_users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE sms_outbox (
    id INTEGER PRIMARY KEY,
    phone_enc BLOB NOT NULL,
    phone_hash TEXT NOT NULL,
    template TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX sms_outbox_phone ON sms_outbox (phone_hash, created_at);

CREATE TABLE verification_codes (
    id INTEGER PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('self_check', 'case')),
    phone_hash TEXT NOT NULL,
    id_hash TEXT,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX verification_codes_phone ON verification_codes (phone_hash, created_at);

-- Append-only, hash-chained audit log.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- What changed, for search indexes on every app node to follow.
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
    at TEXT NOT NULL
);
