-- expand: the staff chain journals every user as it is now (issue 16: an X or Z prints names,
-- and a role decides who may approve, so the journal must cover them). From here on the
-- trigger of functions/till_journal_user.sql journals each change of a user's name, role,
-- active flag or PIN, by whoever makes it (Till's functions, or the owner with psql); verify
-- requires each user's row to be what its last entry says. This baseline is the first entry
-- of every user that exists today, so none is exempt.
SELECT till_journal_append('00000000-0000-0000-0000-000000000000', clock_timestamp(), 'database', NULL, 'user', u.id,
    jsonb_build_object('id', u.id, 'name', u.name, 'role', u.role, 'active', u.active,
                       'pin', encode(sha256(convert_to(u.pin_hash, 'UTF8')), 'hex'), 'db_role', session_user,
                       'baseline', true))
  FROM users u ORDER BY u.created_at, u.id;

-- A receipt's and a Z's anchor (their QR codes) is their entry's position and hash: found by
-- the row they name.
CREATE INDEX journal_by_ref ON journal (ref_id);
