-- expand: the staff chain journals every user as it is now (issue 16: an X or Z prints names,
-- and a role decides who may approve, so the journal must cover them). From here on the
-- trigger of functions/till_journal_user.sql journals each change of a user's name, role,
-- active flag or PIN, by whoever makes it (Till's functions, or the owner with psql); verify
-- requires each user's row to be what its last entry says. This baseline is the first entry
-- of every user that exists today, so none is exempt.

-- The database's identity: made once, here, never changed (a changed id no longer matches its
-- journal entry, which verify reports). Shown on the app's screens and by `tillctl doctor`, so a
-- till pointed at another database (its own "manager" included) shows another id, and each
-- register's chain id in a receipt's anchor is this database's.
CREATE TABLE database_identity (
    only_row   integer PRIMARY KEY DEFAULT 1 CHECK (only_row = 1),
    id         uuid NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
INSERT INTO database_identity (id, created_at) VALUES (gen_random_uuid(), clock_timestamp());
SELECT till_journal_append('00000000-0000-0000-0000-000000000000', d.created_at, 'database', NULL, 'database', d.id,
    jsonb_build_object('id', d.id, 'created_at', d.created_at))
  FROM database_identity d;

SELECT till_journal_append('00000000-0000-0000-0000-000000000000', clock_timestamp(), 'database', NULL, 'user', u.id,
    jsonb_build_object('id', u.id, 'name', u.name, 'role', u.role, 'active', u.active,
                       'pin', encode(sha256(convert_to(u.pin_hash, 'UTF8')), 'hex'), 'db_role', session_user,
                       'baseline', true))
  FROM users u ORDER BY u.created_at, u.id;

-- A receipt's and a Z's anchor (their QR codes) is their entry's position and hash: found by
-- the row they name.
CREATE INDEX journal_by_ref ON journal (ref_id);
