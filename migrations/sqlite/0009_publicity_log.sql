-- The publicity log: every publication of a roster (its publicity, its payout publicity, each
-- correction of a published line) as an append-only entry holding exactly what the public saw,
-- in the canonical form the README describes. The entries are the leaves of a Merkle tree
-- (RFC 9162): leaf_index counts from 0 in the order they were appended.
CREATE TABLE publicity_log (
    leaf_index INTEGER PRIMARY KEY,
    roster_id INTEGER NOT NULL REFERENCES rosters (id),
    kind TEXT NOT NULL CHECK (kind IN ('publicity', 'payout_publicity', 'correction', 'clawback', 'withdrawal')),
    reason TEXT NOT NULL DEFAULT '',
    entry TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX publicity_log_roster ON publicity_log (roster_id);

-- How many entries the log holds. Appending updates this one row first, so that appends from
-- several nodes take their turns.
CREATE TABLE publicity_log_size (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO publicity_log_size (id, size) VALUES (1, 0);

-- Signed tree heads: the tree's size and root at a time, signed (Ed25519) by the portal's log
-- key; one on every publication and at least one a day.
CREATE TABLE publicity_log_heads (
    id INTEGER PRIMARY KEY,
    tree_size INTEGER NOT NULL,
    root_hash TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE INDEX publicity_log_heads_size ON publicity_log_heads (tree_size);
