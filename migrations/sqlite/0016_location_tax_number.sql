-- expand: the store's tax number (VAT ID, Steuernummer, UID, EIN), printed on receipts beside its
-- address, as EU law requires of a receipt. Set with `tillctl location add|set --tax-number`.
ALTER TABLE locations ADD COLUMN tax_number TEXT NOT NULL DEFAULT '' CHECK (length(tax_number) <= 40);

-- Every change of a location's settings is journaled on the staff chain (event `location`) by
-- the store, in the change's transaction. This marks the baseline as owed: the store journals
-- every location that exists, then deletes this row, in one transaction right after migrating
-- (as 0015's pending_staff_baseline).
CREATE TABLE pending_location_baseline (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1)
);
INSERT INTO pending_location_baseline (only_row) VALUES (1);
