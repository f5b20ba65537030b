-- expand: adds the catalog and the locations' pricing settings; nothing an older Till uses
-- changes.
--
-- The catalog is per location: each store has its own tax rates (a state's or a country's),
-- and so its own products, prices and quick-key categories. A chain rolls one catalog out by
-- importing the same CSV into each location. Every invariant stays per location (see the
-- README's design for distributing by location_id).

-- How a location prices: whether shelf prices include tax (EU, UK, AU) or not (US, CA); the
-- cash rounding increment in minor units (5 for CHF 0.05 or Canada's nickel, 1 for none); the
-- discount (parts per million of the price) above which a manager's PIN is needed.
ALTER TABLE locations
    ADD COLUMN prices_include_tax   boolean NOT NULL DEFAULT false,
    ADD COLUMN cash_rounding_minor  integer NOT NULL DEFAULT 1 CHECK (cash_rounding_minor BETWEEN 1 AND 100000),
    ADD COLUMN discount_limit_ppm   integer NOT NULL DEFAULT 100000 CHECK (discount_limit_ppm BETWEEN 0 AND 1000000);

-- A tax rate, exactly: parts per million (8.875 % is 88750).
CREATE TABLE tax_rates (
    id          uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES locations (id),
    code        text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{0,15}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    rate_ppm    integer NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    CONSTRAINT tax_rates_code_per_location UNIQUE (location_id, code),
    CONSTRAINT tax_rates_id_location UNIQUE (id, location_id)
);

-- Quick-key groups, in the order and colour the sale screen shows them.
CREATE TABLE categories (
    id          uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES locations (id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
    position    integer NOT NULL CHECK (position BETWEEN 0 AND 9999),
    colour      text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
    CONSTRAINT categories_name_per_location UNIQUE (location_id, name),
    CONSTRAINT categories_id_location UNIQUE (id, location_id)
);

-- A product's tax rate and category belong to its own location (composite foreign keys).
CREATE TABLE products (
    id          uuid PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES locations (id),
    sku         text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    price_minor bigint NOT NULL CHECK (price_minor BETWEEN 0 AND 1000000000000),
    tax_rate_id uuid NOT NULL,
    category_id uuid,
    active      boolean NOT NULL DEFAULT true,
    CONSTRAINT products_sku_per_location UNIQUE (location_id, sku),
    CONSTRAINT products_id_location UNIQUE (id, location_id),
    CONSTRAINT products_tax_rate_location FOREIGN KEY (tax_rate_id, location_id) REFERENCES tax_rates (id, location_id),
    CONSTRAINT products_category_location FOREIGN KEY (category_id, location_id) REFERENCES categories (id, location_id)
);
CREATE INDEX products_by_name ON products (location_id, lower(name));

-- One or more barcodes a product scans as; a barcode names one product per location.
CREATE TABLE product_barcodes (
    barcode     text NOT NULL CHECK (barcode ~ '^[A-Za-z0-9-]{1,48}$'),
    location_id uuid NOT NULL,
    product_id  uuid NOT NULL,
    CONSTRAINT product_barcodes_pkey PRIMARY KEY (location_id, barcode),
    CONSTRAINT product_barcodes_product_location FOREIGN KEY (product_id, location_id) REFERENCES products (id, location_id)
        ON DELETE CASCADE
);
CREATE INDEX product_barcodes_by_product ON product_barcodes (product_id);
