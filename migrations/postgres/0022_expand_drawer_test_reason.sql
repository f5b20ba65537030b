-- expand: a no-sale's reason "test", for the drawer test on the device screen ("Open drawer
-- (test)"): the opening is recorded like any no-sale (journaled, counted on the X and Z), and
-- its reason says it was a test. New locations get it from the default reasons (till-sqlx
-- DEFAULT_CASH_REASONS). A location that already has a no-sale reason "test" keeps its own.
INSERT INTO cash_reasons (location_id, kind, code, label, position)
SELECT l.id, 'no_sale', 'test', 'Drawer test', 8 FROM locations l
WHERE NOT EXISTS (SELECT 1 FROM cash_reasons r WHERE r.location_id = l.id AND r.kind = 'no_sale' AND r.code = 'test');
