-- expand: cash control (paid in, paid out, drops, no-sale), the running totals an X report reads,
-- Z reports made by the close, per-register perpetual grand totals, and the tamper-evident
-- journal. Nothing an older Till reads or writes changes meaning: columns are added with
-- defaults, tables are new.

-- Cash-control settings per location.
ALTER TABLE locations
    -- Whoever counts does not see the expected cash until the count is submitted.
    ADD COLUMN blind_close           boolean NOT NULL DEFAULT true,
    -- A close whose |variance| is above this needs a recount, then a manager's sign-off.
    ADD COLUMN variance_limit_minor  bigint  NOT NULL DEFAULT 500 CHECK (variance_limit_minor BETWEEN 0 AND 1000000000000),
    -- A paid out or a drop above this needs a manager's PIN.
    ADD COLUMN cash_out_limit_minor  bigint  NOT NULL DEFAULT 5000 CHECK (cash_out_limit_minor BETWEEN 0 AND 1000000000000),
    -- A session open longer than this is "forgotten".
    ADD COLUMN session_limit_minutes integer NOT NULL DEFAULT 1440 CHECK (session_limit_minutes BETWEEN 60 AND 10080);

-- The drawer's running totals, kept under the session's row lock by every receipt and movement
-- (cash_net stays their sum: cash_sales - change_given - cash_refunds + paid_in - paid_out - drops).
ALTER TABLE sessions
    ADD COLUMN cash_sales      bigint NOT NULL DEFAULT 0,
    ADD COLUMN change_given    bigint NOT NULL DEFAULT 0,
    ADD COLUMN cash_refunds    bigint NOT NULL DEFAULT 0,
    ADD COLUMN discounts_count bigint NOT NULL DEFAULT 0,
    ADD COLUMN paid_in_count   bigint NOT NULL DEFAULT 0,
    ADD COLUMN paid_in_total   bigint NOT NULL DEFAULT 0,
    ADD COLUMN paid_out_count  bigint NOT NULL DEFAULT 0,
    ADD COLUMN paid_out_total  bigint NOT NULL DEFAULT 0,
    ADD COLUMN drops_count     bigint NOT NULL DEFAULT 0,
    ADD COLUMN drops_total     bigint NOT NULL DEFAULT 0,
    ADD COLUMN no_sale_count   bigint NOT NULL DEFAULT 0,
    ADD COLUMN reprint_count   bigint NOT NULL DEFAULT 0,
    -- At close (the new close path): cash taken to the safe, float left in the drawer for the
    -- next shift, the reason for a variance, and the manager who signed it off.
    ADD COLUMN cash_removed    bigint CHECK (cash_removed >= 0),
    ADD COLUMN float_left      bigint CHECK (float_left >= 0),
    ADD COLUMN variance_reason text CHECK (length(variance_reason) <= 200),
    ADD COLUMN approved_by     uuid REFERENCES users (id),
    ADD COLUMN approved_by_name text,
    -- At start: the float the previous close left (NULL: none recorded); opening_cash - this is
    -- the opening difference the manager sees.
    ADD COLUMN float_expected  bigint,
    -- A forgotten session force-closed by a manager has no count yet: until a late count,
    -- counted_cash holds the expected cash (variance 0) and count_pending says it was not
    -- counted; the late count records the real count, who made it and when.
    ADD COLUMN count_pending   boolean NOT NULL DEFAULT false,
    ADD COLUMN force_close_reason text CHECK (length(force_close_reason) BETWEEN 1 AND 200),
    ADD COLUMN late_counted_by uuid REFERENCES users (id),
    ADD COLUMN late_counted_at timestamptz,
    -- Counts refused at close for a variance above the limit (each journaled): a manager's
    -- sign-off is accepted only after one, so the recount is not skipped.
    ADD COLUMN refused_counts  integer NOT NULL DEFAULT 0 CHECK (refused_counts >= 0),
    ADD CONSTRAINT sessions_pending_count_is_forced CHECK (NOT count_pending OR force_close_reason IS NOT NULL);

-- The manager who approved a discount above the limit or a price override on a receipt.
ALTER TABLE sales ADD COLUMN approved_by uuid REFERENCES users (id);

-- Receipts recorded before this migration: split their cash the same way.
UPDATE sessions s SET
    cash_sales = coalesce((SELECT sum(t.amount) FROM sale_tenders t JOIN sales x ON x.id = t.sale_id
                            WHERE x.session_id = s.id AND x.kind = 'sale' AND t.kind = 'cash'), 0),
    change_given = coalesce((SELECT sum(x.change) FROM sales x WHERE x.session_id = s.id AND x.kind = 'sale'), 0),
    cash_refunds = coalesce((SELECT sum(t.amount) FROM sale_tenders t JOIN sales x ON x.id = t.sale_id
                              WHERE x.session_id = s.id AND x.kind = 'refund' AND t.kind = 'cash'), 0),
    discounts_count = (SELECT count(*) FROM sales x WHERE x.session_id = s.id AND x.kind = 'sale' AND x.discount > 0)
 WHERE s.sales_count + s.refunds_count > 0;

-- Per register: the last Z number, and the perpetual grand totals, which never reset. Moved
-- only by a close (each Z adds its session's totals), so a sale writes no extra row.
CREATE TABLE register_z_counters (
    register_id   uuid PRIMARY KEY REFERENCES registers (id),
    last_z        bigint NOT NULL CHECK (last_z >= 0),
    grand_sales   bigint NOT NULL,
    grand_refunds bigint NOT NULL
);
INSERT INTO register_z_counters (register_id, last_z, grand_sales, grand_refunds)
SELECT s.register_id, 0, sum(s.sales_total), sum(s.refunds_total)
  FROM sessions s WHERE s.status = 'closed' GROUP BY s.register_id;

-- Sales per category, kept like the tender and tax totals (refunds subtract).
CREATE TABLE session_category_totals (
    session_id uuid NOT NULL REFERENCES sessions (id),
    category   text NOT NULL,
    count      bigint NOT NULL,
    amount     bigint NOT NULL,
    PRIMARY KEY (session_id, category)
);
INSERT INTO session_category_totals (session_id, category, count, amount)
SELECT x.session_id, l.category, sum(CASE WHEN x.kind = 'sale' THEN l.quantity ELSE -l.quantity END),
       sum(CASE WHEN x.kind = 'sale' THEN l.amount ELSE -l.amount END)
  FROM sales x JOIN sale_lines l ON l.sale_id = x.id GROUP BY x.session_id, l.category;

-- The reasons a location offers for each kind of movement.
CREATE TABLE cash_reasons (
    location_id uuid NOT NULL REFERENCES locations (id),
    kind        text NOT NULL CHECK (kind IN ('paid_in', 'paid_out', 'drop', 'no_sale')),
    code        text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,31}$'),
    label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, kind, code)
);
INSERT INTO cash_reasons (location_id, kind, code, label, position)
SELECT l.id, r.kind, r.code, r.label, r.position FROM locations l CROSS JOIN (VALUES
    ('paid_in', 'float_top_up', 'Float top-up', 1), ('paid_in', 'other', 'Other', 9),
    ('paid_out', 'supplies', 'Supplies', 1), ('paid_out', 'delivery', 'Delivery', 2), ('paid_out', 'other', 'Other', 9),
    ('drop', 'safe_drop', 'Drop to safe', 1),
    ('no_sale', 'change_for_customer', 'Change for a customer', 1), ('no_sale', 'other', 'Other', 9)
) AS r(kind, code, label, position);

-- Paid in, paid out, drop to safe, no-sale: never updated or deleted.
CREATE TABLE cash_movements (
    id           uuid PRIMARY KEY,
    session_id   uuid NOT NULL REFERENCES sessions (id),
    register_id  uuid NOT NULL,
    location_id  uuid NOT NULL,
    kind         text NOT NULL,
    amount       bigint NOT NULL CHECK (amount BETWEEN 0 AND 1000000000000),
    reason       text NOT NULL,
    note         text CHECK (length(note) <= 200),
    user_id      uuid NOT NULL REFERENCES users (id),
    user_name    text NOT NULL,
    approved_by  uuid REFERENCES users (id),
    device       text NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    at           timestamptz NOT NULL,
    request_hash text NOT NULL,
    CONSTRAINT cash_movements_reason FOREIGN KEY (location_id, kind, reason) REFERENCES cash_reasons (location_id, kind, code),
    CONSTRAINT cash_movements_register_location FOREIGN KEY (register_id, location_id) REFERENCES registers (id, location_id),
    CONSTRAINT cash_movements_no_sale_has_no_amount CHECK ((kind = 'no_sale') = (amount = 0))
);
CREATE INDEX cash_movements_by_session ON cash_movements (session_id, at);

-- Denomination counts (opening and closing), as data: how many of each note or coin.
CREATE TABLE cash_counts (
    session_id   uuid NOT NULL REFERENCES sessions (id),
    stage        text NOT NULL CHECK (stage IN ('open', 'close')),
    denomination bigint NOT NULL CHECK (denomination > 0),
    count        integer NOT NULL CHECK (count BETWEEN 0 AND 1000000),
    PRIMARY KEY (session_id, stage, denomination)
);

-- One Z per closed session, made in the close's own transaction; gapless per register.
CREATE TABLE z_reports (
    register_id   uuid NOT NULL REFERENCES registers (id),
    z_number      bigint NOT NULL CHECK (z_number > 0),
    session_id    uuid NOT NULL REFERENCES sessions (id),
    at            timestamptz NOT NULL,
    first_receipt text,
    last_receipt  text,
    -- The register's grand totals after this session: they never reset.
    grand_sales   bigint NOT NULL,
    grand_refunds bigint NOT NULL,
    -- The journal's head when the Z was made (its close entry): anchors the chain against a
    -- truncated tail.
    journal_seq   bigint NOT NULL,
    journal_head  text NOT NULL CHECK (journal_head ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (register_id, z_number),
    CONSTRAINT z_reports_one_per_session UNIQUE (session_id)
);

-- The journal: one hash chain per register. Each entry's hash is
-- sha256(previous hash as 64 hex characters || body), where body is the entry as stored (a JSON
-- object: chain, seq, at, device, user, event, ref, payload). The first entry's previous hash
-- is 64 zeros. Appends are serialised per chain by the chain's row in journal_heads.
CREATE TABLE journal (
    chain_id  uuid NOT NULL,
    seq       bigint NOT NULL CHECK (seq > 0),
    at        timestamptz NOT NULL,
    device    text NOT NULL,
    user_id   uuid,
    event     text NOT NULL,
    ref_id    uuid,
    body      text NOT NULL,
    prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash      text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (chain_id, seq)
);
CREATE TABLE journal_heads (
    chain_id uuid PRIMARY KEY,
    seq      bigint NOT NULL CHECK (seq >= 0),
    hash     text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
