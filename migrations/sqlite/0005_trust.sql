-- Trust: what a roster carries reaches a person's record only after review, code limits that
-- hold under concurrency, and the paying banks as clerks write them.

-- The account each line is paid into, as on the roster its reviewers saw (encrypted). Lines not
-- yet paid take the account their recipient has on file now; paid lines keep none (their bank
-- file was made long ago).
ALTER TABLE payments ADD COLUMN account_enc BLOB;
UPDATE payments SET account_enc = (SELECT b.account_enc FROM beneficiaries b WHERE b.id = payments.recipient_id) WHERE status = 'pending';

-- A change a roster carries to a person's phone or account on file, held until the roster has
-- passed finance review (then applied_at is set), shown to its reviewers until then. A line of a
-- roster is its (roster_id, beneficiary_id).
CREATE TABLE beneficiary_changes (
    id INTEGER PRIMARY KEY,
    roster_id INTEGER NOT NULL REFERENCES rosters (id),
    beneficiary_id INTEGER NOT NULL REFERENCES beneficiaries (id),
    field TEXT NOT NULL CHECK (field IN ('phone', 'account')),
    old_last4 TEXT,
    new_last4 TEXT NOT NULL,
    new_enc BLOB NOT NULL,
    new_hash TEXT NOT NULL,
    bank_id INTEGER REFERENCES banks (id),
    created_at TEXT NOT NULL,
    applied_at TEXT
);
CREATE INDEX beneficiary_changes_roster ON beneficiary_changes (roster_id);

-- Code limits: whether a code was really sent (the per-phone and per-ID limits count those), the
-- request it answered (phone with ID number or tracking number: limited on its own, so a stranger
-- trying other phones cannot lock a person out) and the address it came from (IPv6 by its /64).
ALTER TABLE verification_codes ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;
ALTER TABLE verification_codes ADD COLUMN pair_hash TEXT;
ALTER TABLE verification_codes ADD COLUMN addr_hash TEXT;
CREATE INDEX verification_codes_pair ON verification_codes (pair_hash, created_at);
CREATE INDEX verification_codes_addr ON verification_codes (addr_hash, created_at);

-- The names clerks give a paying bank (邮储银行, 农商行 …), comma-separated, and whether its card
-- numbers carry a Luhn check digit.
ALTER TABLE banks ADD COLUMN aliases TEXT NOT NULL DEFAULT '';
ALTER TABLE banks ADD COLUMN luhn INTEGER NOT NULL DEFAULT 0;
