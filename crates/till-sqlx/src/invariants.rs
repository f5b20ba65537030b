//! The invariant checks' queries (the same SQL on both backends). `COUNTS` returns (sessions, open);
//! each of the others returns one text line per violation, so an empty result is a pass.

pub const COUNTS: &str = "SELECT count(*), count(CASE WHEN status = 'open' THEN 1 END) FROM sessions";
pub const SEVERAL_OPEN: &str = "SELECT location_code || '/' || register_code FROM sessions WHERE status = 'open'
    GROUP BY register_id, location_code, register_code HAVING count(*) > 1";
pub const NUMBERING: &str = "SELECT l.code || ' ' || g.business_day || ': ' || g.n || ' sessions, sequences '
        || g.lo || '..' || g.hi || ', counter ' || coalesce(c.last_seq, 0)
    FROM (SELECT location_id, business_day, count(*) AS n, min(day_seq) AS lo,
                 max(day_seq) AS hi, count(DISTINCT day_seq) AS d
          FROM sessions GROUP BY location_id, business_day) g
    JOIN locations l ON l.id = g.location_id
    LEFT JOIN day_counters c ON c.location_id = g.location_id AND c.business_day = g.business_day
    WHERE g.lo <> 1 OR g.hi <> g.n OR g.d <> g.n OR coalesce(c.last_seq, 0) <> g.n";
pub const DUPLICATE_NUMBERS: &str = "SELECT number FROM sessions GROUP BY number HAVING count(*) > 1";
pub const BAD_CLOSURES: &str = "SELECT number FROM sessions WHERE status = 'closed'
    AND (variance IS NULL OR expected_cash IS NULL OR variance <> counted_cash - expected_cash)";
