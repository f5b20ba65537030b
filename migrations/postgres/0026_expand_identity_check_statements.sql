-- expand: no schema change. Every call checks who acts (issue 21: a resume cost 0.08 of
-- `SELECT 1`), so that check is fewer statements: till_actor reads the register, its idle limit
-- and the role's binding in one (the binding rule moved there from till_may_act, dropped here;
-- only till_actor called it), till_login_user the login and its user in one; both run under
-- their callers' pinned search_path, as do the owner-only helpers on the sale's path
-- (till_session_actor, till_session_takes_trade, till_session_forgotten, till_business_day,
-- till_receipt_figures, till_price_change_reason, till_journal_append). Older Tills call only
-- the public functions, whose signatures stay. Recorded in crates/till-postgres/definitions/function-generations.txt.
DROP FUNCTION IF EXISTS till_may_act(uuid, uuid);
