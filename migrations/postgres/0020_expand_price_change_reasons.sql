-- expand: why a price was changed. A sale's line with a discount or a new unit price says why,
-- and so does a receipt discount, from a closed list (damaged, price_match, staff, other), with
-- a text that "other" needs and the others may carry: what the approving manager saw and an
-- auditor reads. Nullable: lines from before this have none, and an unchanged line never has
-- one. That a changed price has one is till_record_receipt's rule (through
-- functions/till_price_change_reason.sql; till-core's PriceChangeReason and the SQLite store
-- hold the same); an older Till, which sends no reason key, is recorded as other, "none given
-- (an older Till)", so a store upgrading one PC at a time keeps selling.
ALTER TABLE sale_lines
    ADD COLUMN price_change_reason_kind text
        CHECK (price_change_reason_kind IN ('damaged', 'price_match', 'staff', 'other')),
    ADD COLUMN price_change_reason_text text CHECK (char_length(price_change_reason_text) BETWEEN 1 AND 200),
    ADD CONSTRAINT sale_lines_reason_only_on_a_changed_price
        CHECK (price_change_reason_kind IS NULL OR unit_price <> catalog_unit_price OR line_discount > 0),
    ADD CONSTRAINT sale_lines_reason_text_has_kind
        CHECK (price_change_reason_kind IS NOT NULL OR price_change_reason_text IS NULL),
    ADD CONSTRAINT sale_lines_reason_other_says_what
        CHECK (price_change_reason_kind IS DISTINCT FROM 'other' OR price_change_reason_text IS NOT NULL);
ALTER TABLE sales
    ADD COLUMN receipt_discount_reason_kind text
        CHECK (receipt_discount_reason_kind IN ('damaged', 'price_match', 'staff', 'other')),
    ADD COLUMN receipt_discount_reason_text text
        CHECK (char_length(receipt_discount_reason_text) BETWEEN 1 AND 200),
    ADD CONSTRAINT sales_discount_reason_only_on_sales CHECK (kind = 'sale' OR receipt_discount_reason_kind IS NULL),
    ADD CONSTRAINT sales_discount_reason_text_has_kind
        CHECK (receipt_discount_reason_kind IS NOT NULL OR receipt_discount_reason_text IS NULL),
    ADD CONSTRAINT sales_discount_reason_other_says_what
        CHECK (receipt_discount_reason_kind IS DISTINCT FROM 'other' OR receipt_discount_reason_text IS NOT NULL);
