-- expand: a refund's reason (SQLite dialect of migrations/postgres/0019_expand_refund_reasons.sql,
-- which says why). Nullable: older refunds have none, a sale never has one; the store refuses a
-- new refund without one (till-core's RefundReason::checked).
ALTER TABLE sales ADD COLUMN refund_reason_kind TEXT
    CHECK (refund_reason_kind IN ('damaged', 'wrong_item', 'changed_mind', 'price_match', 'other'))
    CHECK (kind = 'refund' OR refund_reason_kind IS NULL);
ALTER TABLE sales ADD COLUMN refund_reason_text TEXT
    CHECK (length(refund_reason_text) BETWEEN 1 AND 200)
    CHECK (refund_reason_kind IS NOT NULL OR refund_reason_text IS NULL)
    CHECK (refund_reason_kind IS NOT 'other' OR refund_reason_text IS NOT NULL);
