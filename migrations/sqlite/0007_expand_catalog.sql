-- expand: the catalog and the locations' pricing settings (SQLite dialect of
-- migrations/postgres/0007_expand_catalog.sql, which says why it is per location).

ALTER TABLE locations ADD COLUMN prices_include_tax INTEGER NOT NULL DEFAULT 0 CHECK (prices_include_tax IN (0, 1));
ALTER TABLE locations ADD COLUMN cash_rounding_minor INTEGER NOT NULL DEFAULT 1 CHECK (cash_rounding_minor BETWEEN 1 AND 100000);
ALTER TABLE locations ADD COLUMN discount_limit_ppm INTEGER NOT NULL DEFAULT 100000 CHECK (discount_limit_ppm BETWEEN 0 AND 1000000);

CREATE TABLE tax_rates (
    id          BLOB PRIMARY KEY NOT NULL,
    location_id BLOB NOT NULL REFERENCES locations (id),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 16 AND code GLOB '[A-Z]*' AND code NOT GLOB '*[^A-Z0-9_]*'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    rate_ppm    INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    CONSTRAINT tax_rates_code_per_location UNIQUE (location_id, code),
    CONSTRAINT tax_rates_id_location UNIQUE (id, location_id)
) STRICT;

CREATE TABLE categories (
    id          BLOB PRIMARY KEY NOT NULL,
    location_id BLOB NOT NULL REFERENCES locations (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    position    INTEGER NOT NULL CHECK (position BETWEEN 0 AND 9999),
    colour      TEXT NOT NULL CHECK (length(colour) = 7 AND colour GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
    CONSTRAINT categories_name_per_location UNIQUE (location_id, name),
    CONSTRAINT categories_id_location UNIQUE (id, location_id)
) STRICT;

CREATE TABLE products (
    id          BLOB PRIMARY KEY NOT NULL,
    location_id BLOB NOT NULL REFERENCES locations (id),
    sku         TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 32 AND sku NOT GLOB '*[^A-Za-z0-9._-]*' AND sku GLOB '[A-Za-z0-9]*'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    price_minor INTEGER NOT NULL CHECK (price_minor BETWEEN 0 AND 1000000000000),
    tax_rate_id BLOB NOT NULL,
    category_id BLOB,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    CONSTRAINT products_sku_per_location UNIQUE (location_id, sku),
    CONSTRAINT products_id_location UNIQUE (id, location_id),
    CONSTRAINT products_tax_rate_location FOREIGN KEY (tax_rate_id, location_id) REFERENCES tax_rates (id, location_id),
    CONSTRAINT products_category_location FOREIGN KEY (category_id, location_id) REFERENCES categories (id, location_id)
) STRICT;
CREATE INDEX products_by_name ON products (location_id, lower(name));

CREATE TABLE product_barcodes (
    barcode     TEXT NOT NULL CHECK (length(barcode) BETWEEN 1 AND 48 AND barcode NOT GLOB '*[^A-Za-z0-9-]*'),
    location_id BLOB NOT NULL,
    product_id  BLOB NOT NULL,
    CONSTRAINT product_barcodes_pkey PRIMARY KEY (location_id, barcode),
    CONSTRAINT product_barcodes_product_location FOREIGN KEY (product_id, location_id) REFERENCES products (id, location_id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX product_barcodes_by_product ON product_barcodes (product_id);
