-- expand: a store's own bills and coins, for the cash count and the pay screen's quick amounts:
-- minor units, largest first, comma-separated ("20000,10000,5000"). Empty: the currency's usual
-- ones (the screen's table). Set with `tillctl location set --bills … --coins …`; journaled as
-- location facts (functions/till_journal_location.sql: null while empty, so the entries made
-- before this migration still match). Adding the columns fires no trigger: no entry is due.
ALTER TABLE locations
    ADD COLUMN bills text NOT NULL DEFAULT '' CHECK (bills ~ '^([0-9]{1,13}(,[0-9]{1,13}){0,15})?$'),
    ADD COLUMN coins text NOT NULL DEFAULT '' CHECK (coins ~ '^([0-9]{1,13}(,[0-9]{1,13}){0,15})?$');
