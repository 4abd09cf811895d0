-- Many counties on one portal: regions from the province down, and what a county owns keyed by
-- its county (departments, staff, catalogues with their items and forecasts, holidays). An
-- installation that held one county keeps every row: each goes to that county.

-- Province → city → county → township → village (→ group).
ALTER TABLE regions DROP CONSTRAINT regions_level_check;
ALTER TABLE regions ADD CONSTRAINT regions_level_check
    CHECK (level IN ('province', 'city', 'county', 'township', 'village', 'group'));
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
ALTER TABLE departments ADD COLUMN region_id BIGINT REFERENCES regions (id);
UPDATE departments SET region_id = (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1);
ALTER TABLE departments ALTER COLUMN region_id SET NOT NULL;
ALTER TABLE departments DROP CONSTRAINT departments_code_key;
ALTER TABLE departments ADD CONSTRAINT departments_region_id_code_key UNIQUE (region_id, code);
CREATE INDEX departments_region ON departments (region_id);

-- The area a staff user works in: their department's region, or for finance, supervisors and
-- admins the county, city or province they oversee.
ALTER TABLE staff_users ADD COLUMN region_id BIGINT REFERENCES regions (id);
UPDATE staff_users SET region_id = COALESCE(
    (SELECT d.region_id FROM departments d WHERE d.id = staff_users.department_id),
    (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1));

-- One published catalogue per county and year.
ALTER TABLE subsidy_items DROP CONSTRAINT subsidy_items_year_fkey;
ALTER TABLE subsidy_items DROP CONSTRAINT subsidy_items_year_code_key;
ALTER TABLE catalogue_years ADD COLUMN county_id BIGINT REFERENCES regions (id);
UPDATE catalogue_years SET county_id = (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1);
ALTER TABLE catalogue_years ALTER COLUMN county_id SET NOT NULL;
ALTER TABLE catalogue_years DROP CONSTRAINT catalogue_years_pkey;
ALTER TABLE catalogue_years ADD PRIMARY KEY (county_id, year);

-- An item of a county's catalogue: from the province's or city's list (source_region_id names
-- it; same code and standard in every county that adopts it) or the county's own (NULL).
ALTER TABLE subsidy_items ADD COLUMN county_id BIGINT REFERENCES regions (id);
ALTER TABLE subsidy_items ADD COLUMN source_region_id BIGINT REFERENCES regions (id);
UPDATE subsidy_items SET county_id = (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1);
ALTER TABLE subsidy_items ALTER COLUMN county_id SET NOT NULL;
ALTER TABLE subsidy_items ADD CONSTRAINT subsidy_items_county_id_year_code_key UNIQUE (county_id, year, code);
ALTER TABLE subsidy_items ADD CONSTRAINT subsidy_items_county_id_year_fkey
    FOREIGN KEY (county_id, year) REFERENCES catalogue_years (county_id, year);

-- A county's yearly forecast per item.
ALTER TABLE forecasts ADD COLUMN county_id BIGINT REFERENCES regions (id);
UPDATE forecasts SET county_id = (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1);
ALTER TABLE forecasts ALTER COLUMN county_id SET NOT NULL;
ALTER TABLE forecasts DROP CONSTRAINT forecasts_pkey;
ALTER TABLE forecasts ADD PRIMARY KEY (county_id, year, item_code, revision);

-- A region's holiday calendar: a county's days, else its city's, else its province's.
ALTER TABLE holidays ADD COLUMN region_id BIGINT REFERENCES regions (id);
UPDATE holidays SET region_id = (SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1);
ALTER TABLE holidays ALTER COLUMN region_id SET NOT NULL;
ALTER TABLE holidays DROP CONSTRAINT holidays_pkey;
ALTER TABLE holidays ADD PRIMARY KEY (region_id, day);
