-- expand: why a price was changed (SQLite dialect of
-- migrations/postgres/0020_expand_price_change_reasons.sql, which says why). Nullable: lines
-- from before this have none; the store refuses a changed price without one (till-core's
-- NewReceipt::check_price_change_reasons).
ALTER TABLE sale_lines ADD COLUMN price_change_reason_kind TEXT
    CHECK (price_change_reason_kind IN ('damaged', 'price_match', 'staff', 'other'))
    CHECK (price_change_reason_kind IS NULL OR unit_price <> catalog_unit_price OR line_discount > 0);
ALTER TABLE sale_lines ADD COLUMN price_change_reason_text TEXT
    CHECK (length(price_change_reason_text) BETWEEN 1 AND 200)
    CHECK (price_change_reason_kind IS NOT NULL OR price_change_reason_text IS NULL)
    CHECK (price_change_reason_kind IS NOT 'other' OR price_change_reason_text IS NOT NULL);
ALTER TABLE sales ADD COLUMN receipt_discount_reason_kind TEXT
    CHECK (receipt_discount_reason_kind IN ('damaged', 'price_match', 'staff', 'other'))
    CHECK (kind = 'sale' OR receipt_discount_reason_kind IS NULL);
ALTER TABLE sales ADD COLUMN receipt_discount_reason_text TEXT
    CHECK (length(receipt_discount_reason_text) BETWEEN 1 AND 200)
    CHECK (receipt_discount_reason_kind IS NOT NULL OR receipt_discount_reason_text IS NULL)
    CHECK (receipt_discount_reason_kind IS NOT 'other' OR receipt_discount_reason_text IS NOT NULL);
