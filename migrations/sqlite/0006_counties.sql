-- no-transaction
-- Many counties on one portal: regions from the province down, and what a county owns keyed by
-- its county (departments, staff, catalogues with their items and forecasts, holidays). An
-- installation that held one county keeps every row: each goes to that county.
--
-- SQLite changes a key or a CHECK only by rebuilding the table, with foreign keys off (rows of
-- other tables keep pointing at the same ids); all of it runs in one transaction of its own.
PRAGMA foreign_keys = OFF;
BEGIN;

-- Province → city → county → township → village (→ group).
CREATE TABLE regions_new (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village', 'group')),
    parent_id INTEGER REFERENCES regions (id),
    sort_order INTEGER NOT NULL DEFAULT 0
);
INSERT INTO regions_new (id, code, name, level, parent_id, sort_order)
    SELECT id, code, name, level, parent_id, sort_order FROM regions;
DROP TABLE regions;
ALTER TABLE regions_new RENAME TO regions;
CREATE INDEX regions_parent ON regions (parent_id);
CREATE INDEX regions_level ON regions (level, parent_id);
-- An installation that kept departments, catalogues or holidays without its county's region
-- gets one, named as its settings name the county, for them to belong to.
INSERT INTO regions (code, name, level, parent_id, sort_order)
    SELECT '000000', COALESCE((SELECT value FROM settings WHERE key = 'county_name'), '本县'), 'county', NULL, 0
    WHERE NOT EXISTS (SELECT 1 FROM regions WHERE level = 'county')
      AND (EXISTS (SELECT 1 FROM departments) OR EXISTS (SELECT 1 FROM catalogue_years)
           OR EXISTS (SELECT 1 FROM holidays) OR EXISTS (SELECT 1 FROM forecasts));

-- A department belongs to a county, or to the city or province for items paid at that level;
-- its code is unique within its region (县民政局 of county A is not county B's).
CREATE TABLE departments_new (
    id INTEGER PRIMARY KEY,
    region_id INTEGER NOT NULL REFERENCES regions (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    address TEXT NOT NULL,
    is_finance INTEGER NOT NULL DEFAULT 0,
    UNIQUE (region_id, code)
);
INSERT INTO departments_new (id, region_id, code, name, phone, address, is_finance)
    SELECT id, (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1), code, name, phone, address, is_finance
    FROM departments;
DROP TABLE departments;
ALTER TABLE departments_new RENAME TO departments;
CREATE INDEX departments_region ON departments (region_id);

-- The area a staff user works in: their department's region, or for finance, supervisors and
-- admins the county, city or province they oversee.
ALTER TABLE staff_users ADD COLUMN region_id INTEGER REFERENCES regions (id);
UPDATE staff_users SET region_id = COALESCE(
    (SELECT d.region_id FROM departments d WHERE d.id = staff_users.department_id),
    (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1));

-- One published catalogue per county and year.
CREATE TABLE catalogue_years_new (
    county_id INTEGER NOT NULL REFERENCES regions (id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    published_on TEXT NOT NULL,
    document_id INTEGER REFERENCES documents (id),
    PRIMARY KEY (county_id, year)
);
INSERT INTO catalogue_years_new (county_id, year, title, published_on, document_id)
    SELECT (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1), year, title, published_on, document_id
    FROM catalogue_years;
DROP TABLE catalogue_years;
ALTER TABLE catalogue_years_new RENAME TO catalogue_years;

-- An item of a county's catalogue: from the province's or city's list (source_region_id names
-- it; same code and standard in every county that adopts it) or the county's own (NULL).
CREATE TABLE subsidy_items_new (
    id INTEGER PRIMARY KEY,
    county_id INTEGER NOT NULL REFERENCES regions (id),
    year INTEGER NOT NULL,
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
    source_region_id INTEGER REFERENCES regions (id),
    UNIQUE (county_id, year, code),
    FOREIGN KEY (county_id, year) REFERENCES catalogue_years (county_id, year)
);
INSERT INTO subsidy_items_new (id, county_id, year, code, name, parent_id, level, department_id, standard, standard_fen,
                               frequency, bank_id, per_household, aliases, sort_order)
    SELECT id, (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1), year, code, name, parent_id, level,
           department_id, standard, standard_fen, frequency, bank_id, per_household, aliases, sort_order
    FROM subsidy_items;
DROP TABLE subsidy_items;
ALTER TABLE subsidy_items_new RENAME TO subsidy_items;
CREATE INDEX subsidy_items_parent ON subsidy_items (parent_id);
CREATE INDEX subsidy_items_department ON subsidy_items (department_id);

-- A county's yearly forecast per item.
CREATE TABLE forecasts_new (
    county_id INTEGER NOT NULL REFERENCES regions (id),
    year INTEGER NOT NULL,
    item_code TEXT NOT NULL,
    revision TEXT NOT NULL CHECK (revision IN ('initial', 'june', 'september', 'december')),
    amount_fen INTEGER NOT NULL,
    people INTEGER NOT NULL DEFAULT 0,
    staff_id INTEGER REFERENCES staff_users (id),
    at TEXT NOT NULL,
    PRIMARY KEY (county_id, year, item_code, revision)
);
INSERT INTO forecasts_new (county_id, year, item_code, revision, amount_fen, people, staff_id, at)
    SELECT (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1), year, item_code, revision, amount_fen,
           people, staff_id, at
    FROM forecasts;
DROP TABLE forecasts;
ALTER TABLE forecasts_new RENAME TO forecasts;

-- A region's holiday calendar: a county's days, else its city's, else its province's.
CREATE TABLE holidays_new (
    region_id INTEGER NOT NULL REFERENCES regions (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL,
    PRIMARY KEY (region_id, day)
);
INSERT INTO holidays_new (region_id, day, kind, name)
    SELECT (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1), day, kind, name FROM holidays;
DROP TABLE holidays;
ALTER TABLE holidays_new RENAME TO holidays;

COMMIT;
PRAGMA foreign_keys = ON;
