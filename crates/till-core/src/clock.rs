//! Where Till reads the time: the one place that may call `Utc::now` (clippy's
//! `disallowed-methods` refuses it everywhere else).
//!
//! On PostgreSQL the database's own clock stamps and judges every write (its functions call
//! `now()`); this clock is the app's and the SQLite store's. Passing it in, rather than reading
//! the system time deep in the code, lets the browser tests and the rule tables pin the time the
//! whole stack sees.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A source of the current time, cheap to clone and shared by everything one app or store runs.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The computer's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(system_now))
    }

    /// A clock that answers `read()`: a test's pinned or advanced time.
    pub fn from_fn(read: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(read))
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now().to_rfc3339())
    }
}

/// The computer's clock, for code with no [`Clock`] to hand: command-line tools stamping a file
/// name, a benchmark, a test comparing with the database's clock.
#[allow(clippy::disallowed_methods)] // the one place allowed to read the system time
pub fn system_now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn a_clock_from_a_function_answers_what_the_function_says() {
        let pinned = Utc.with_ymd_and_hms(2026, 12, 6, 22, 0, 0).unwrap();
        let clock = Clock::from_fn(move || pinned);
        assert_eq!(clock.now(), pinned);
        assert_eq!(clock.clone().now(), pinned);
    }
}
