-- expand: cash movements, the X report's running totals, Z reports, perpetual grand totals and
-- the tamper-evident journal (SQLite dialect of migrations/postgres/0011_expand_cash_journal.sql,
-- which says why). On SQLite the journal is appended by till-sqlite in each operation's
-- BEGIN IMMEDIATE transaction (the one writer serialises appends).

ALTER TABLE locations ADD COLUMN blind_close INTEGER NOT NULL DEFAULT 1 CHECK (blind_close IN (0, 1));
ALTER TABLE locations ADD COLUMN variance_limit_minor INTEGER NOT NULL DEFAULT 500
    CHECK (variance_limit_minor BETWEEN 0 AND 1000000000000);
ALTER TABLE locations ADD COLUMN cash_out_limit_minor INTEGER NOT NULL DEFAULT 5000
    CHECK (cash_out_limit_minor BETWEEN 0 AND 1000000000000);
ALTER TABLE locations ADD COLUMN session_limit_minutes INTEGER NOT NULL DEFAULT 1440
    CHECK (session_limit_minutes BETWEEN 60 AND 10080);

ALTER TABLE sessions ADD COLUMN cash_sales INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN change_given INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN cash_refunds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN discounts_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN paid_in_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN paid_in_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN paid_out_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN paid_out_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN drops_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN drops_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN no_sale_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN reprint_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN cash_removed INTEGER CHECK (cash_removed >= 0);
ALTER TABLE sessions ADD COLUMN float_left INTEGER CHECK (float_left >= 0);
ALTER TABLE sessions ADD COLUMN variance_reason TEXT CHECK (length(variance_reason) <= 200);
ALTER TABLE sessions ADD COLUMN approved_by BLOB REFERENCES users (id);
ALTER TABLE sessions ADD COLUMN approved_by_name TEXT;
ALTER TABLE sessions ADD COLUMN float_expected INTEGER;
ALTER TABLE sessions ADD COLUMN count_pending INTEGER NOT NULL DEFAULT 0 CHECK (count_pending IN (0, 1));
ALTER TABLE sessions ADD COLUMN force_close_reason TEXT
    CHECK (length(force_close_reason) BETWEEN 1 AND 200)
    CHECK (count_pending = 0 OR force_close_reason IS NOT NULL);
ALTER TABLE sessions ADD COLUMN late_counted_by BLOB REFERENCES users (id);
ALTER TABLE sessions ADD COLUMN late_counted_at TEXT;
ALTER TABLE sessions ADD COLUMN refused_counts INTEGER NOT NULL DEFAULT 0 CHECK (refused_counts >= 0);

ALTER TABLE sales ADD COLUMN approved_by BLOB REFERENCES users (id);

UPDATE sessions SET
    cash_sales = coalesce((SELECT sum(t.amount) FROM sale_tenders t JOIN sales x ON x.id = t.sale_id
                            WHERE x.session_id = sessions.id AND x.kind = 'sale' AND t.kind = 'cash'), 0),
    change_given = coalesce((SELECT sum(x.change) FROM sales x WHERE x.session_id = sessions.id AND x.kind = 'sale'), 0),
    cash_refunds = coalesce((SELECT sum(t.amount) FROM sale_tenders t JOIN sales x ON x.id = t.sale_id
                              WHERE x.session_id = sessions.id AND x.kind = 'refund' AND t.kind = 'cash'), 0),
    discounts_count = (SELECT count(*) FROM sales x WHERE x.session_id = sessions.id AND x.kind = 'sale' AND x.discount > 0)
 WHERE sales_count + refunds_count > 0;

CREATE TABLE register_z_counters (
    register_id   BLOB PRIMARY KEY NOT NULL REFERENCES registers (id),
    last_z        INTEGER NOT NULL CHECK (last_z >= 0),
    grand_sales   INTEGER NOT NULL,
    grand_refunds INTEGER NOT NULL
) STRICT;
INSERT INTO register_z_counters (register_id, last_z, grand_sales, grand_refunds)
SELECT register_id, 0, sum(sales_total), sum(refunds_total) FROM sessions WHERE status = 'closed' GROUP BY register_id;

CREATE TABLE session_category_totals (
    session_id BLOB NOT NULL REFERENCES sessions (id),
    category   TEXT NOT NULL,
    count      INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (session_id, category)
) STRICT;
INSERT INTO session_category_totals (session_id, category, count, amount)
SELECT x.session_id, l.category, sum(CASE WHEN x.kind = 'sale' THEN l.quantity ELSE -l.quantity END),
       sum(CASE WHEN x.kind = 'sale' THEN l.amount ELSE -l.amount END)
  FROM sales x JOIN sale_lines l ON l.sale_id = x.id GROUP BY x.session_id, l.category;

CREATE TABLE cash_reasons (
    location_id BLOB NOT NULL REFERENCES locations (id),
    kind        TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out', 'drop', 'no_sale')),
    code        TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^a-z0-9_]*' AND code GLOB '[a-z]*'),
    label       TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
    position    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, kind, code)
) STRICT;
INSERT INTO cash_reasons (location_id, kind, code, label, position)
SELECT l.id, r.kind, r.code, r.label, r.position FROM locations l CROSS JOIN (
    SELECT 'paid_in' AS kind, 'float_top_up' AS code, 'Float top-up' AS label, 1 AS position
    UNION ALL SELECT 'paid_in', 'other', 'Other', 9
    UNION ALL SELECT 'paid_out', 'supplies', 'Supplies', 1
    UNION ALL SELECT 'paid_out', 'delivery', 'Delivery', 2
    UNION ALL SELECT 'paid_out', 'other', 'Other', 9
    UNION ALL SELECT 'drop', 'safe_drop', 'Drop to safe', 1
    UNION ALL SELECT 'no_sale', 'change_for_customer', 'Change for a customer', 1
    UNION ALL SELECT 'no_sale', 'other', 'Other', 9
) AS r;

CREATE TABLE cash_movements (
    id           BLOB PRIMARY KEY NOT NULL,
    session_id   BLOB NOT NULL REFERENCES sessions (id),
    register_id  BLOB NOT NULL,
    location_id  BLOB NOT NULL,
    kind         TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount BETWEEN 0 AND 1000000000000),
    reason       TEXT NOT NULL,
    note         TEXT CHECK (length(note) <= 200),
    user_id      BLOB NOT NULL REFERENCES users (id),
    user_name    TEXT NOT NULL,
    approved_by  BLOB REFERENCES users (id),
    device       TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at           TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    CONSTRAINT cash_movements_reason FOREIGN KEY (location_id, kind, reason) REFERENCES cash_reasons (location_id, kind, code),
    CONSTRAINT cash_movements_register_location FOREIGN KEY (register_id, location_id) REFERENCES registers (id, location_id),
    CONSTRAINT cash_movements_no_sale_has_no_amount CHECK ((kind = 'no_sale') = (amount = 0))
) STRICT;
CREATE INDEX cash_movements_by_session ON cash_movements (session_id, at);

CREATE TABLE cash_counts (
    session_id   BLOB NOT NULL REFERENCES sessions (id),
    stage        TEXT NOT NULL CHECK (stage IN ('open', 'close')),
    denomination INTEGER NOT NULL CHECK (denomination > 0),
    count        INTEGER NOT NULL CHECK (count BETWEEN 0 AND 1000000),
    PRIMARY KEY (session_id, stage, denomination)
) STRICT;

CREATE TABLE z_reports (
    register_id   BLOB NOT NULL REFERENCES registers (id),
    z_number      INTEGER NOT NULL CHECK (z_number > 0),
    session_id    BLOB NOT NULL REFERENCES sessions (id),
    at            TEXT NOT NULL,
    first_receipt TEXT,
    last_receipt  TEXT,
    grand_sales   INTEGER NOT NULL,
    grand_refunds INTEGER NOT NULL,
    journal_seq   INTEGER NOT NULL,
    journal_head  TEXT NOT NULL CHECK (length(journal_head) = 64),
    PRIMARY KEY (register_id, z_number),
    CONSTRAINT z_reports_one_per_session UNIQUE (session_id)
) STRICT;

CREATE TABLE journal (
    chain_id  BLOB NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq > 0),
    at        TEXT NOT NULL,
    device    TEXT NOT NULL,
    user_id   BLOB,
    event     TEXT NOT NULL,
    ref_id    BLOB,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash      TEXT NOT NULL CHECK (length(hash) = 64),
    PRIMARY KEY (chain_id, seq)
) STRICT;
CREATE TABLE journal_heads (
    chain_id BLOB PRIMARY KEY NOT NULL,
    seq      INTEGER NOT NULL CHECK (seq >= 0),
    hash     TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;
