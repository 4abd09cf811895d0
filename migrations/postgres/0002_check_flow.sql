-- The self-check flow: a pending check is found by the token in the visitor's cookie (stored
-- hashed) and names the beneficiary it would unlock (none when the ID and phone did not match).
ALTER TABLE verification_codes ADD COLUMN token_hash TEXT;
ALTER TABLE verification_codes ADD COLUMN beneficiary_id BIGINT REFERENCES beneficiaries (id);
CREATE INDEX verification_codes_token ON verification_codes (token_hash);
CREATE INDEX verification_codes_id_hash ON verification_codes (id_hash, created_at);
