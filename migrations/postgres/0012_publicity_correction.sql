-- Correction (更正) of a published line before it is paid: its amount, or who receives it (代领).
-- The line keeps when it was last corrected and the public words of it, which the person reads
-- in their self-check; every correction is also an entry of the publicity log.
ALTER TABLE payments ADD COLUMN corrected_on TEXT;
ALTER TABLE payments ADD COLUMN correction_note TEXT;
