-- A citizen's self-check reads their lines (and, for a household head, the household's) with each
-- line's publicity. Through the old indexes every line cost a random page of the payments table and
-- one of the publicity table, about 450 pages for a 229-line household. These indexes hold what the
-- self-check reads, in person order, so a person's lines and their publicity sit on a few pages
-- (issue 22, BENCHMARKS.md). The free-text reasons are left out: few lines have one, and those are
-- read from the table.
DROP INDEX payments_beneficiary;
CREATE INDEX payments_beneficiary ON payments (beneficiary_id, item_id, period, recipient_id, roster_id, amount_fen,
    bank_id, account_last4, status, failure_reason, paid_on, reissue_of_id, clawed_back_on, corrected_on);
-- Lines paid to someone else's card (代领) are the only ones looked up by recipient.
DROP INDEX payments_recipient;
CREATE INDEX payments_recipient ON payments (recipient_id) WHERE recipient_id <> beneficiary_id;
DROP INDEX publicity_beneficiary;
CREATE INDEX publicity_beneficiary ON publicity_entries (beneficiary_id, payment_id, name_masked, amount_fen, status,
    published_on, shown_as);
