-- expand: voids. A line removed from a cart, a quantity lowered, or a whole sale cleared before
-- it is paid leaves a trace ("ring it up, take the cash, void it" is the classic till fraud):
-- a row here, counted and summed on the session (the X and Z show both), and a journal entry.
-- Nothing an older Till reads or writes changes meaning: the tables are new, the session's
-- columns are added with defaults.
--
-- The lines are rows, not JSON: each names a product of the void's own location (a foreign key)
-- with a bounded quantity and its catalog price then (CHECKs), as a sale's lines do, so the
-- database itself refuses a void of another store's product or of 0 units, and an auditor
-- queries them with plain SQL.

-- The session's running totals: how many voids, and their amount at the catalog's list prices.
ALTER TABLE sessions
    ADD COLUMN void_count bigint NOT NULL DEFAULT 0 CHECK (void_count >= 0),
    ADD COLUMN void_total bigint NOT NULL DEFAULT 0 CHECK (void_total >= 0),
    ADD CONSTRAINT sessions_void_total_has_voids CHECK (void_count > 0 OR void_total = 0);

-- One void: its id is the till's request id (a retry is the same void, never a second one).
-- Never updated or deleted.
CREATE TABLE voids (
    id           uuid PRIMARY KEY,
    session_id   uuid NOT NULL REFERENCES sessions (id),
    register_id  uuid NOT NULL,
    location_id  uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('line_removed', 'quantity_lowered', 'sale_cleared')),
    -- The lines' catalog unit prices times their quantities: never the till's figure.
    amount       bigint NOT NULL CHECK (amount BETWEEN 0 AND 1000000000000),
    user_id      uuid NOT NULL REFERENCES users (id),
    user_name    text NOT NULL,
    device       text NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at           timestamptz NOT NULL,
    request_hash text NOT NULL,
    CONSTRAINT voids_register_location FOREIGN KEY (register_id, location_id) REFERENCES registers (id, location_id),
    CONSTRAINT voids_id_location UNIQUE (id, location_id)
);
CREATE INDEX voids_by_session ON voids (session_id, at);

-- What a void took off, as the till sent it (1 to 500 lines of 1 to 10 000 units, as a sale's),
-- priced from the catalog when it was recorded.
CREATE TABLE void_lines (
    void_id     uuid NOT NULL,
    line_no     integer NOT NULL CHECK (line_no BETWEEN 0 AND 499),
    location_id uuid NOT NULL,
    product_id  uuid NOT NULL,
    quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    unit_price  bigint NOT NULL CHECK (unit_price BETWEEN 0 AND 1000000000000),
    amount      bigint NOT NULL,
    PRIMARY KEY (void_id, line_no),
    CONSTRAINT void_lines_void_location FOREIGN KEY (void_id, location_id) REFERENCES voids (id, location_id),
    CONSTRAINT void_lines_product_location FOREIGN KEY (product_id, location_id) REFERENCES products (id, location_id),
    CONSTRAINT void_lines_amount CHECK (amount = unit_price * quantity)
);
