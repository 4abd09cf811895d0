-- Keyed lookup hashes are kept to their first 128 bits (32 hex characters instead of 64). An equality
-- lookup needs no more: among ten million people the chance of two sharing a hash is about 1e-25, and
-- finding a value behind a hash still means guessing the secret key. Each person row and each of its
-- hash indexes is smaller, which is most of what registering a large roster writes. The stored hashes
-- are cut to the same prefix, so every lookup, session and pending code goes on as before. The audit
-- log keeps the hashes it was written with (its chain must not change).
UPDATE beneficiaries SET id_hash = substr(id_hash, 1, 32), phone_hash = substr(phone_hash, 1, 32),
    account_hash = substr(account_hash, 1, 32);
UPDATE beneficiary_changes SET new_hash = substr(new_hash, 1, 32);
UPDATE cases SET filer_phone_hash = substr(filer_phone_hash, 1, 32);
UPDATE sms_outbox SET phone_hash = substr(phone_hash, 1, 32);
UPDATE verification_codes SET phone_hash = substr(phone_hash, 1, 32), id_hash = substr(id_hash, 1, 32),
    code_hash = substr(code_hash, 1, 32), token_hash = substr(token_hash, 1, 32),
    pair_hash = substr(pair_hash, 1, 32), addr_hash = substr(addr_hash, 1, 32);
UPDATE sessions SET token_hash = substr(token_hash, 1, 32);
UPDATE case_drafts SET token_hash = substr(token_hash, 1, 32);
UPDATE roster_uploads SET token_hash = substr(token_hash, 1, 32);

-- Most payment lines are no reissue, and a line has no paid date until the bank's feedback: these two
-- indexes now hold only the lines that have one (every query on them asks for a value, and the
-- latest-paid-date queries say `paid_on IS NOT NULL`), so writing a new roster's lines skips them.
DROP INDEX payments_reissue;
CREATE INDEX payments_reissue ON payments (reissue_of_id) WHERE reissue_of_id IS NOT NULL;
DROP INDEX payments_paid_on;
CREATE INDEX payments_paid_on ON payments (paid_on) WHERE paid_on IS NOT NULL;
