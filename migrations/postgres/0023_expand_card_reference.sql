-- expand: whether a card tender must carry the card terminal's approval reference. Off by
-- default: many stores' terminals print it on their own slip, and typing it slows the queue.
-- A store whose bookkeeper matches card sales to the terminal's settlement turns it on with
-- `tillctl location set --card-reference-required true`. till_record_receipt refuses a card
-- tender without one where it is on (functions/till_record_receipt.sql), and the location's
-- journaled facts state it (functions/till_journal_location.sql: null while off, so the entries
-- made before this migration still match). Adding the column fires no trigger: no entry is due.
ALTER TABLE locations ADD COLUMN card_reference_required boolean NOT NULL DEFAULT false;
