-- Small cells: a line of a sensitive item in a village with only a few such lines may be
-- publicised at township level (its department chose so when publicising the roster). Such a
-- line stays for the bank's feedback and the citizen's self-check, but the public sees it only
-- in the township's counts: not on village pages, in search, bulk files or the log's lines.
ALTER TABLE publicity_entries ADD COLUMN shown_as TEXT NOT NULL DEFAULT 'line' CHECK (shown_as IN ('line', 'township'));
