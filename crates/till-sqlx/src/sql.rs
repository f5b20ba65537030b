//! SQL that is the same in both dialects: `$n` parameters (SQLite reads them as numbered),
//! no casts, no dialect functions. Each store binds the parameters in the order given.
//! Places, staff and sessions are here; each other area has a module of its own.

pub mod cash;
pub mod catalog;
pub mod journal;
pub mod sales;

pub const LOCATIONS: &str = "SELECT * FROM locations ORDER BY code";
/// `$1` code.
pub const LOCATION_BY_CODE: &str = "SELECT * FROM locations WHERE code = $1";
/// `$1` id, `$2` code, `$3` name, `$4` time zone, `$5` cut-off minutes, `$6` currency,
/// `$7` locale.
/// `$1` code, then each setting of a [`till_core::LocationChange`] or NULL to keep it, in
/// [`crate::bind_location_change!`]'s order. One statement: the settings change together.
pub const UPDATE_LOCATION: &str = "UPDATE locations SET name = coalesce($2, name),
        currency = coalesce($3, currency), locale = coalesce($4, locale),
        prices_include_tax = coalesce($5, prices_include_tax),
        cash_rounding_minor = coalesce($6, cash_rounding_minor),
        discount_limit_ppm = coalesce($7, discount_limit_ppm), address = coalesce($8, address),
        tax_number = coalesce($9, tax_number), cash_out_limit_minor = coalesce($10, cash_out_limit_minor),
        variance_limit_minor = coalesce($11, variance_limit_minor), blind_close = coalesce($12, blind_close),
        session_limit_minutes = coalesce($13, session_limit_minutes),
        login_idle_minutes = coalesce($14, login_idle_minutes),
        manager_pin_min_length = coalesce($15, manager_pin_min_length),
        card_reference_required = coalesce($16, card_reference_required),
        bills = coalesce($17, bills), coins = coalesce($18, coins)
    WHERE code = $1 RETURNING *";
/// `$1` code: whether the location has had a session (its currency is then fixed).
pub const LOCATION_HAS_SESSIONS: &str =
    "SELECT EXISTS (SELECT 1 FROM sessions s JOIN locations l ON l.id = s.location_id WHERE l.code = $1)";
pub const INSERT_LOCATION: &str = "INSERT INTO locations (id, code, name, timezone, cutoff_minutes, currency, locale)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *";
/// `$1` location id: the reasons a new location offers for cash movements (the same as
/// migrations 0011 and 0022 gave the locations that existed then).
pub const DEFAULT_CASH_REASONS: &str = "INSERT INTO cash_reasons (location_id, kind, code, label, position)
    SELECT $1, column1, column2, column3, column4 FROM (VALUES
        ('paid_in', 'float_top_up', 'Float top-up', 1), ('paid_in', 'other', 'Other', 9),
        ('paid_out', 'supplies', 'Supplies', 1), ('paid_out', 'delivery', 'Delivery', 2),
        ('paid_out', 'other', 'Other', 9), ('drop', 'safe_drop', 'Drop to safe', 1),
        ('no_sale', 'change_for_customer', 'Change for a customer', 1), ('no_sale', 'test', 'Drawer test', 8),
        ('no_sale', 'other', 'Other', 9)) AS v";

/// A user's columns, as [`crate::user`] decodes them; never pin_hash: a terminal's
/// PostgreSQL role may not read it at all, and nothing but the store's own PIN check needs it.
macro_rules! user_columns {
    () => {
        "id, name, role, active, failed_pins, lockouts, locked_until"
    };
}
pub const USER_COLUMNS: &str = user_columns!();
/// [`USER_COLUMNS`] of the users row `u`, each prefixed `login_user_` (as [`crate::login_user`]
/// decodes them): SQLite's login check reads its user in one row with columns that share the
/// user's names (a sale reads it with the session's row, whose `id` is the session's).
pub const LOGIN_USER_COLUMNS: &str = "u.id AS login_user_id, u.name AS login_user_name, u.role AS login_user_role,
    u.active AS login_user_active, u.failed_pins AS login_user_failed_pins, u.lockouts AS login_user_lockouts,
    u.locked_until AS login_user_locked_until";
pub const USERS: &str = concat!("SELECT ", user_columns!(), " FROM users ORDER BY name");
/// `$1` name.
pub const USER_BY_NAME: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE name = $1");
/// `$1` id.
pub const USER_BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
/// `$1` id, `$2` name, `$3` role, `$4` PIN hash (SQLite: PostgreSQL hashes in the database).
pub const INSERT_USER: &str =
    concat!("INSERT INTO users (id, name, role, pin_hash) VALUES ($1, $2, $3, $4) RETURNING ", user_columns!());
/// `$1` active, `$2` name.
pub const SET_USER_ACTIVE: &str = concat!("UPDATE users SET active = $1 WHERE name = $2 RETURNING ", user_columns!());
/// `$1` failed PINs, `$2` lockouts, `$3` locked until, `$4` id.
pub const SET_PIN_STATE: &str = concat!(
    "UPDATE users SET failed_pins = $1, lockouts = $2, locked_until = $3 WHERE id = $4 RETURNING ",
    user_columns!()
);
/// `$1` id, `$2` user id, `$3` kind, `$4` device, `$5` at, `$6` detail.
pub const INSERT_AUTH_EVENT: &str =
    "INSERT INTO auth_events (id, user_id, kind, device, at, detail) VALUES ($1, $2, $3, $4, $5, $6)";
/// `$1` limit.
pub const AUTH_EVENTS: &str = "SELECT u.name, e.kind, e.device, e.at, e.detail
    FROM auth_events e JOIN users u ON u.id = e.user_id ORDER BY e.at DESC, e.id DESC LIMIT $1";

/// `$1` id.
pub const SESSION_BY_ID: &str = "SELECT * FROM sessions WHERE id = $1";
/// `$1` number.
pub const SESSION_BY_NUMBER: &str = "SELECT * FROM sessions WHERE number = $1";
/// `$1` register id: its open session, else its newest.
pub const LATEST_SESSION: &str = "SELECT * FROM sessions WHERE register_id = $1
    ORDER BY status = 'open' DESC, opened_at DESC LIMIT 1";

/// The joins of a session, newest last.
pub const JOINS_SQL: &str = "SELECT u.name, j.device, j.joined_at FROM session_joins j JOIN users u ON u.id = j.user_id
     WHERE j.session_id = $1 ORDER BY j.joined_at";

/// Registers with their location's code, name and currency; callers add WHERE and ORDER BY.
pub const REGISTER_SELECT: &str = "SELECT r.id, r.location_id, r.code, r.name, l.code AS location_code,
    l.name AS location_name, l.currency FROM registers r JOIN locations l ON l.id = r.location_id";

/// Binds a [`LocationChange`](till_core::LocationChange) to [`crate::sql::UPDATE_LOCATION`] after
/// its `$1` (the location's code), the same for both backends.
#[macro_export]
macro_rules! bind_location_change {
    ($query:expr, $code:expr, $change:expr) => {{
        let change: &till_core::LocationChange = $change;
        $query
            .bind($code)
            .bind(change.name.clone())
            .bind(change.currency.map(|c| c.code().to_string()))
            .bind(change.locale.as_ref().map(|l| l.as_str().to_string()))
            .bind(change.prices_include_tax)
            .bind(change.cash_rounding_minor.map(|v| i32::try_from(v).unwrap_or(i32::MAX)))
            .bind(change.discount_limit_ppm.map(|v| i32::try_from(v).unwrap_or(i32::MAX)))
            .bind(change.address.clone())
            .bind(change.tax_number.clone())
            .bind(change.cash_out_limit_minor)
            .bind(change.variance_limit_minor)
            .bind(change.blind_close)
            .bind(change.session_limit_minutes)
            .bind(change.login_idle_minutes)
            .bind(change.manager_pin_min_length.map(i32::from))
            .bind(change.card_reference_required)
            .bind(change.bills.as_deref().map(till_core::location::denominations_text))
            .bind(change.coins.as_deref().map(till_core::location::denominations_text))
    }};
}

#[cfg(test)]
mod tests {
    /// The login check's prefixed columns are the user's columns, each once.
    #[test]
    fn the_login_users_columns_are_the_users() {
        let prefixed: Vec<&str> = super::LOGIN_USER_COLUMNS
            .split(',')
            .map(|c| {
                let (column, alias) = c.trim().split_once(" AS ").expect("column AS alias");
                let name = column.strip_prefix("u.").expect("a column of u");
                assert_eq!(alias.strip_prefix("login_user_"), Some(name), "{c}");
                name
            })
            .collect();
        let plain: Vec<&str> = super::USER_COLUMNS.split(',').map(str::trim).collect();
        assert_eq!(prefixed, plain);
    }
}
