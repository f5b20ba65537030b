-- expand: the answer to a repeated request writes nothing (issue 21). till_login_user and
-- till_actor take p_writes (functions/till_login_user.sql, functions/till_actor.sql): false
-- where the caller only answers what it recorded before (till_start_shift's repeated request:
-- the app's resume, a retry), which makes the same checks without the user's share lock or the
-- login's idle-clock touch. Their older signatures go here; the function files create the new
-- ones right after the versioned migrations, in the same `tillctl migrate`. Older Tills call
-- only the public functions, whose signatures stay.
DROP FUNCTION IF EXISTS till_actor(text, text, uuid, boolean);
DROP FUNCTION IF EXISTS till_login_user(text, text, integer);
