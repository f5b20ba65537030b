-- expand: sales and refunds, their gapless receipt numbers per register, and the session's
-- running totals; nothing an older Till uses changes (sessions gains columns with defaults).
--
-- A receipt's rows are never updated or deleted: a mistake is corrected by a refund. What a
-- refund takes back is counted in line_refunds, whose CHECK keeps refunded <= sold however many
-- devices refund the same line at once.

-- The store's address, printed on receipts.
ALTER TABLE locations ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 200);

-- Running totals, kept under the session's row lock by every sale and refund: the session view
-- and the close read one row instead of summing receipts.
ALTER TABLE sessions
    ADD COLUMN sales_count     bigint NOT NULL DEFAULT 0 CHECK (sales_count >= 0),
    ADD COLUMN refunds_count   bigint NOT NULL DEFAULT 0 CHECK (refunds_count >= 0),
    ADD COLUMN sales_total     bigint NOT NULL DEFAULT 0,
    ADD COLUMN refunds_total   bigint NOT NULL DEFAULT 0,
    ADD COLUMN discounts_total bigint NOT NULL DEFAULT 0,
    ADD COLUMN tax_total       bigint NOT NULL DEFAULT 0,
    ADD COLUMN rounding_total  bigint NOT NULL DEFAULT 0;

-- The last receipt number handed out per register, incremented in the receipt's own
-- transaction: a rollback gives it back, so numbers have no gaps.
CREATE TABLE register_counters (
    register_id  uuid PRIMARY KEY REFERENCES registers (id),
    last_receipt bigint NOT NULL CHECK (last_receipt > 0)
);

CREATE TABLE sales (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('sale', 'refund')),
    number       text NOT NULL,
    register_id  uuid NOT NULL,
    location_id  uuid NOT NULL,
    receipt_seq  bigint NOT NULL CHECK (receipt_seq > 0),
    session_id   uuid NOT NULL REFERENCES sessions (id),
    refund_of    uuid REFERENCES sales (id),
    user_id      uuid NOT NULL REFERENCES users (id),
    user_name    text NOT NULL,
    device       text NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at           timestamptz NOT NULL,
    currency     text NOT NULL,
    prices_include_tax boolean NOT NULL,
    subtotal     bigint NOT NULL CHECK (subtotal >= 0),
    discount     bigint NOT NULL CHECK (discount >= 0),
    tax          bigint NOT NULL CHECK (tax >= 0),
    total        bigint NOT NULL CHECK (total >= 0),
    rounding     bigint NOT NULL,
    tendered     bigint NOT NULL CHECK (tendered >= 0),
    change       bigint NOT NULL CHECK (change >= 0),
    -- What this receipt adds to the drawer: cash taken less change (a cash refund: minus).
    cash_net     bigint NOT NULL,
    -- The request's content: a repeat with the same id must carry the same.
    request_hash text NOT NULL,
    CONSTRAINT sales_number_unique UNIQUE (number),
    CONSTRAINT sales_seq_per_register UNIQUE (register_id, receipt_seq),
    CONSTRAINT sales_register_location FOREIGN KEY (register_id, location_id) REFERENCES registers (id, location_id),
    CONSTRAINT sales_refund_names_its_sale CHECK ((kind = 'refund') = (refund_of IS NOT NULL)),
    CONSTRAINT sales_tenders_balance CHECK (tendered - change = total + rounding)
);
CREATE INDEX sales_by_session ON sales (session_id, receipt_seq);

CREATE TABLE sale_lines (
    sale_id            uuid NOT NULL REFERENCES sales (id),
    line_no            integer NOT NULL CHECK (line_no >= 0),
    product_id         uuid NOT NULL REFERENCES products (id),
    sku                text NOT NULL,
    name               text NOT NULL,
    category           text NOT NULL,
    tax_rate_id        uuid NOT NULL REFERENCES tax_rates (id),
    rate_ppm           integer NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    quantity           integer NOT NULL CHECK (quantity > 0),
    catalog_unit_price bigint NOT NULL CHECK (catalog_unit_price >= 0),
    unit_price         bigint NOT NULL CHECK (unit_price >= 0),
    extended           bigint NOT NULL,
    line_discount      bigint NOT NULL CHECK (line_discount >= 0),
    receipt_discount   bigint NOT NULL CHECK (receipt_discount >= 0),
    amount             bigint NOT NULL CHECK (amount >= 0),
    tax                bigint NOT NULL CHECK (tax >= 0),
    total              bigint NOT NULL CHECK (total >= 0),
    -- A refund's line: the line of the original sale it takes back.
    refund_of_line     integer,
    PRIMARY KEY (sale_id, line_no),
    CONSTRAINT sale_lines_extended CHECK (extended = unit_price * quantity),
    CONSTRAINT sale_lines_amount CHECK (amount = extended - line_discount - receipt_discount)
);

CREATE TABLE sale_tenders (
    sale_id   uuid NOT NULL REFERENCES sales (id),
    n         integer NOT NULL CHECK (n >= 0),
    kind      text NOT NULL CHECK (kind IN ('cash', 'card', 'voucher', 'other')),
    amount    bigint NOT NULL CHECK (amount > 0),
    -- The card terminal's approval reference, a voucher's number, or what "other" was.
    reference text CHECK (length(reference) <= 64),
    PRIMARY KEY (sale_id, n)
);

CREATE TABLE sale_taxes (
    sale_id     uuid NOT NULL REFERENCES sales (id),
    tax_rate_id uuid NOT NULL REFERENCES tax_rates (id),
    name        text NOT NULL,
    rate_ppm    integer NOT NULL,
    net         bigint NOT NULL,
    tax         bigint NOT NULL CHECK (tax >= 0),
    gross       bigint NOT NULL,
    PRIMARY KEY (sale_id, tax_rate_id),
    CONSTRAINT sale_taxes_sum CHECK (net + tax = gross)
);

-- How much of a sale's line was refunded: one row per refunded line, created by its first
-- refund. Concurrent refunds of a line queue on this row; the CHECK refuses the one that
-- would take back more than was sold.
CREATE TABLE line_refunds (
    sale_id           uuid NOT NULL,
    line_no           integer NOT NULL,
    sold_quantity     integer NOT NULL,
    refunded_quantity integer NOT NULL,
    sold_total        bigint NOT NULL,
    refunded_total    bigint NOT NULL,
    sold_tax          bigint NOT NULL,
    refunded_tax      bigint NOT NULL,
    PRIMARY KEY (sale_id, line_no),
    FOREIGN KEY (sale_id, line_no) REFERENCES sale_lines (sale_id, line_no),
    CONSTRAINT line_refunds_never_more_than_sold CHECK (
        refunded_quantity BETWEEN 1 AND sold_quantity AND refunded_total BETWEEN 0 AND sold_total
        AND refunded_tax BETWEEN 0 AND sold_tax)
);

-- Per session: count and amount per tender kind, and base/tax/gross per tax rate (sales add,
-- refunds subtract), kept in the same transaction as each receipt.
CREATE TABLE session_tender_totals (
    session_id uuid NOT NULL REFERENCES sessions (id),
    kind       text NOT NULL,
    count      bigint NOT NULL,
    amount     bigint NOT NULL,
    PRIMARY KEY (session_id, kind)
);
CREATE TABLE session_tax_totals (
    session_id  uuid NOT NULL REFERENCES sessions (id),
    tax_rate_id uuid NOT NULL,
    name        text NOT NULL,
    rate_ppm    integer NOT NULL,
    net         bigint NOT NULL,
    tax         bigint NOT NULL,
    gross       bigint NOT NULL,
    PRIMARY KEY (session_id, tax_rate_id)
);
