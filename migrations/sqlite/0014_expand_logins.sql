-- expand: logins (SQLite dialect of migrations/postgres/0013 and 0014's logins). Every write
-- names a login the store opened after a right PIN, never a user id, on both backends: the same
-- contract, the same tests. The token is kept only as its sha256. A login ends on logout, and
-- when its user is deactivated, locked out or given a new PIN (the triggers below), and after
-- the location's idle limit.

ALTER TABLE locations ADD COLUMN login_idle_minutes INTEGER NOT NULL DEFAULT 15
    CHECK (login_idle_minutes BETWEEN 1 AND 1440);

-- Managers' and admins' PINs may be required longer (see migrations/postgres/0014).
ALTER TABLE locations ADD COLUMN manager_pin_min_length INTEGER NOT NULL DEFAULT 4
    CHECK (manager_pin_min_length BETWEEN 4 AND 8);

CREATE TABLE logins (
    token_hash TEXT PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    user_id    BLOB NOT NULL REFERENCES users (id),
    device     TEXT NOT NULL CHECK (length(device) BETWEEN 1 AND 64),
    created_at TEXT NOT NULL,
    last_used  TEXT NOT NULL,
    ended_at   TEXT,
    ended_why  TEXT CHECK (ended_why IN ('logout', 'deactivated', 'locked', 'pin_set')),
    CHECK ((ended_at IS NULL) = (ended_why IS NULL))
) STRICT;
CREATE INDEX logins_open_by_user ON logins (user_id) WHERE ended_at IS NULL;

CREATE TRIGGER logins_end_on_deactivation AFTER UPDATE OF active ON users
WHEN NEW.active = 0 AND OLD.active = 1
BEGIN
    UPDATE logins SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ended_why = 'deactivated'
     WHERE user_id = NEW.id AND ended_at IS NULL;
END;

CREATE TRIGGER logins_end_on_new_pin AFTER UPDATE OF pin_hash ON users
WHEN NEW.pin_hash <> OLD.pin_hash
BEGIN
    UPDATE logins SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ended_why = 'pin_set'
     WHERE user_id = NEW.id AND ended_at IS NULL;
END;

CREATE TRIGGER logins_end_on_lockout AFTER UPDATE OF locked_until ON users
WHEN NEW.locked_until IS NOT NULL AND OLD.locked_until IS NOT NEW.locked_until
BEGIN
    UPDATE logins SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ended_why = 'locked'
     WHERE user_id = NEW.id AND ended_at IS NULL;
END;
