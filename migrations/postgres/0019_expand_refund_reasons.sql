-- expand: a refund's reason. Each refund says why, from a closed list (damaged, wrong_item,
-- changed_mind, price_match, other), with a text that "other" needs and the others may carry:
-- what a manager judges and an auditor reads. The columns are nullable: refunds recorded before
-- this have none, and a sale never has one. That a new refund has one is till_record_receipt's
-- rule (functions/till_record_receipt.sql; till-core's RefundReason::checked and the SQLite
-- store hold the same); an older Till's refund, which sends no reason, is recorded there as
-- other, "none given (an older Till)".
ALTER TABLE sales
    ADD COLUMN refund_reason_kind text
        CHECK (refund_reason_kind IN ('damaged', 'wrong_item', 'changed_mind', 'price_match', 'other')),
    ADD COLUMN refund_reason_text text CHECK (char_length(refund_reason_text) BETWEEN 1 AND 200),
    ADD CONSTRAINT sales_refund_reason_only_on_refunds CHECK (kind = 'refund' OR refund_reason_kind IS NULL),
    ADD CONSTRAINT sales_refund_reason_text_has_kind CHECK (refund_reason_kind IS NOT NULL OR refund_reason_text IS NULL),
    ADD CONSTRAINT sales_refund_reason_other_says_what
        CHECK (refund_reason_kind IS DISTINCT FROM 'other' OR refund_reason_text IS NOT NULL);
