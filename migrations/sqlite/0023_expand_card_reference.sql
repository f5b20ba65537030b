-- expand: whether a card tender must carry the card terminal's approval reference. Off by
-- default: many stores' terminals print it on their own slip, and typing it slows the queue.
-- A store whose bookkeeper matches card sales to the terminal's settlement turns it on with
-- `tillctl location set --card-reference-required true`. A location's settings are journaled
-- (the location's staff-chain entry states it as null while it is off, so the entries made
-- before this migration still match).
ALTER TABLE locations ADD COLUMN card_reference_required INTEGER NOT NULL DEFAULT 0
    CHECK (card_reference_required IN (0, 1));
