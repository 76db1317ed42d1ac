-- 004: reference data for the dashboard's filters (filled from warehouse/data by migrations.py).
CREATE TABLE postcode_regions (
    area   VARCHAR PRIMARY KEY,
    region VARCHAR NOT NULL
);
