-- expand: a store's own bills and coins, for the cash count and the pay screen's quick amounts:
-- minor units, largest first, comma-separated ("20000,10000,5000"). Empty: the currency's usual
-- ones (the screen's table). Set with `tillctl location set --bills … --coins …`; journaled as
-- location facts (null while empty, so the entries made before this migration still match).
ALTER TABLE locations ADD COLUMN bills TEXT NOT NULL DEFAULT ''
    CHECK (length(bills) <= 200 AND bills NOT GLOB '*[^0-9,]*');
ALTER TABLE locations ADD COLUMN coins TEXT NOT NULL DEFAULT ''
    CHECK (length(coins) <= 200 AND coins NOT GLOB '*[^0-9,]*');
