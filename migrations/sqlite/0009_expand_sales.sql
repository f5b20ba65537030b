-- expand: sales and refunds, gapless receipt numbers per register, the session's running totals
-- (SQLite dialect of migrations/postgres/0009_expand_sales.sql, which says why).

ALTER TABLE locations ADD COLUMN address TEXT NOT NULL DEFAULT '' CHECK (length(address) <= 200);

ALTER TABLE sessions ADD COLUMN sales_count INTEGER NOT NULL DEFAULT 0 CHECK (sales_count >= 0);
ALTER TABLE sessions ADD COLUMN refunds_count INTEGER NOT NULL DEFAULT 0 CHECK (refunds_count >= 0);
ALTER TABLE sessions ADD COLUMN sales_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN refunds_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN discounts_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN tax_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN rounding_total INTEGER NOT NULL DEFAULT 0;

CREATE TABLE register_counters (
    register_id  BLOB PRIMARY KEY NOT NULL REFERENCES registers (id),
    last_receipt INTEGER NOT NULL CHECK (last_receipt > 0)
) STRICT;

CREATE TABLE sales (
    id           BLOB PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
    number       TEXT NOT NULL,
    register_id  BLOB NOT NULL,
    location_id  BLOB NOT NULL,
    receipt_seq  INTEGER NOT NULL CHECK (receipt_seq > 0),
    session_id   BLOB NOT NULL REFERENCES sessions (id),
    refund_of    BLOB REFERENCES sales (id),
    user_id      BLOB NOT NULL REFERENCES users (id),
    user_name    TEXT NOT NULL,
    device       TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at           TEXT NOT NULL,
    currency     TEXT NOT NULL,
    prices_include_tax INTEGER NOT NULL CHECK (prices_include_tax IN (0, 1)),
    subtotal     INTEGER NOT NULL CHECK (subtotal >= 0),
    discount     INTEGER NOT NULL CHECK (discount >= 0),
    tax          INTEGER NOT NULL CHECK (tax >= 0),
    total        INTEGER NOT NULL CHECK (total >= 0),
    rounding     INTEGER NOT NULL,
    tendered     INTEGER NOT NULL CHECK (tendered >= 0),
    change       INTEGER NOT NULL CHECK (change >= 0),
    cash_net     INTEGER NOT NULL,
    request_hash TEXT NOT NULL,
    CONSTRAINT sales_number_unique UNIQUE (number),
    CONSTRAINT sales_seq_per_register UNIQUE (register_id, receipt_seq),
    CONSTRAINT sales_register_location FOREIGN KEY (register_id, location_id) REFERENCES registers (id, location_id),
    CONSTRAINT sales_refund_names_its_sale CHECK ((kind = 'refund') = (refund_of IS NOT NULL)),
    CONSTRAINT sales_tenders_balance CHECK (tendered - change = total + rounding)
) STRICT;
CREATE INDEX sales_by_session ON sales (session_id, receipt_seq);

CREATE TABLE sale_lines (
    sale_id            BLOB NOT NULL REFERENCES sales (id),
    line_no            INTEGER NOT NULL CHECK (line_no >= 0),
    product_id         BLOB NOT NULL REFERENCES products (id),
    sku                TEXT NOT NULL,
    name               TEXT NOT NULL,
    category           TEXT NOT NULL,
    tax_rate_id        BLOB NOT NULL REFERENCES tax_rates (id),
    rate_ppm           INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    catalog_unit_price INTEGER NOT NULL CHECK (catalog_unit_price >= 0),
    unit_price         INTEGER NOT NULL CHECK (unit_price >= 0),
    extended           INTEGER NOT NULL,
    line_discount      INTEGER NOT NULL CHECK (line_discount >= 0),
    receipt_discount   INTEGER NOT NULL CHECK (receipt_discount >= 0),
    amount             INTEGER NOT NULL CHECK (amount >= 0),
    tax                INTEGER NOT NULL CHECK (tax >= 0),
    total              INTEGER NOT NULL CHECK (total >= 0),
    refund_of_line     INTEGER,
    PRIMARY KEY (sale_id, line_no),
    CONSTRAINT sale_lines_extended CHECK (extended = unit_price * quantity),
    CONSTRAINT sale_lines_amount CHECK (amount = extended - line_discount - receipt_discount)
) STRICT;

CREATE TABLE sale_tenders (
    sale_id   BLOB NOT NULL REFERENCES sales (id),
    n         INTEGER NOT NULL CHECK (n >= 0),
    kind      TEXT NOT NULL CHECK (kind IN ('cash', 'card', 'voucher', 'other')),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    reference TEXT CHECK (length(reference) <= 64),
    PRIMARY KEY (sale_id, n)
) STRICT;

CREATE TABLE sale_taxes (
    sale_id     BLOB NOT NULL REFERENCES sales (id),
    tax_rate_id BLOB NOT NULL REFERENCES tax_rates (id),
    name        TEXT NOT NULL,
    rate_ppm    INTEGER NOT NULL,
    net         INTEGER NOT NULL,
    tax         INTEGER NOT NULL CHECK (tax >= 0),
    gross       INTEGER NOT NULL,
    PRIMARY KEY (sale_id, tax_rate_id),
    CONSTRAINT sale_taxes_sum CHECK (net + tax = gross)
) STRICT;

CREATE TABLE line_refunds (
    sale_id           BLOB NOT NULL,
    line_no           INTEGER NOT NULL,
    sold_quantity     INTEGER NOT NULL,
    refunded_quantity INTEGER NOT NULL,
    sold_total        INTEGER NOT NULL,
    refunded_total    INTEGER NOT NULL,
    sold_tax          INTEGER NOT NULL,
    refunded_tax      INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line_no),
    FOREIGN KEY (sale_id, line_no) REFERENCES sale_lines (sale_id, line_no),
    CONSTRAINT line_refunds_never_more_than_sold CHECK (
        refunded_quantity BETWEEN 1 AND sold_quantity AND refunded_total BETWEEN 0 AND sold_total
        AND refunded_tax BETWEEN 0 AND sold_tax)
) STRICT;

CREATE TABLE session_tender_totals (
    session_id BLOB NOT NULL REFERENCES sessions (id),
    kind       TEXT NOT NULL,
    count      INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (session_id, kind)
) STRICT;
CREATE TABLE session_tax_totals (
    session_id  BLOB NOT NULL REFERENCES sessions (id),
    tax_rate_id BLOB NOT NULL,
    name        TEXT NOT NULL,
    rate_ppm    INTEGER NOT NULL,
    net         INTEGER NOT NULL,
    tax         INTEGER NOT NULL,
    gross       INTEGER NOT NULL,
    PRIMARY KEY (session_id, tax_rate_id)
) STRICT;
