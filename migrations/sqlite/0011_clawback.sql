-- Clawback (追回): money paid that had to be recovered (the person was not entitled, had died, was
-- paid twice). The bank's answer stays (the line was paid); the payment line gains when and why it
-- was recovered, and its published line a status of its own, 'clawed_back'. SQLite cannot change a
-- CHECK constraint in place, so publicity_entries is rebuilt (nothing refers to it).
ALTER TABLE payments ADD COLUMN clawed_back_on TEXT;
ALTER TABLE payments ADD COLUMN clawback_reason TEXT;

CREATE TABLE publicity_entries_new (
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
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'reissued', 'clawed_back')),
    published_on TEXT NOT NULL,
    shown_as TEXT NOT NULL DEFAULT 'line' CHECK (shown_as IN ('line', 'township'))
);
INSERT INTO publicity_entries_new (id, roster_id, payment_id, beneficiary_id, stage, name_masked, id_masked,
    recipient_name_masked, village_id, item_id, period, amount_fen, status, published_on, shown_as)
SELECT id, roster_id, payment_id, beneficiary_id, stage, name_masked, id_masked, recipient_name_masked,
    village_id, item_id, period, amount_fen, status, published_on, shown_as FROM publicity_entries;
DROP TABLE publicity_entries;
ALTER TABLE publicity_entries_new RENAME TO publicity_entries;
CREATE INDEX publicity_roster ON publicity_entries (roster_id);
CREATE INDEX publicity_village ON publicity_entries (village_id, item_id, period);
CREATE INDEX publicity_payment ON publicity_entries (payment_id);
CREATE INDEX publicity_beneficiary ON publicity_entries (beneficiary_id);
