-- Clawback (追回): money paid that had to be recovered (the person was not entitled, had died, was
-- paid twice). The bank's answer stays (the line was paid); the payment line gains when and why it
-- was recovered, and its published line a status of its own, 'clawed_back'.
ALTER TABLE payments ADD COLUMN clawed_back_on TEXT;
ALTER TABLE payments ADD COLUMN clawback_reason TEXT;
ALTER TABLE publicity_entries DROP CONSTRAINT publicity_entries_status_check;
ALTER TABLE publicity_entries ADD CONSTRAINT publicity_entries_status_check
    CHECK (status IN ('pending', 'paid', 'failed', 'reissued', 'clawed_back'));
