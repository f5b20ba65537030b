//! Who may act: PIN lockout, idle logout and the bound on concurrent PIN checks. Pure rules
//! with the clock passed in; the stores apply [`PinPolicy`] under the user's row lock.

use crate::domain::{Pin, Role};
use crate::error::{LoggedOut, Refusal, StoreError, StoreFailure, TillError};
use crate::store::{AuthEventKind, Authenticated, LoginToken, User};
use crate::PinHash;
use chrono::{DateTime, Duration, Utc};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// How wrong PINs lock a user out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinPolicy {
    /// Wrong PINs in a row that lock the user.
    pub max_failures: i32,
    /// The first lockout; each following one (without a success in between) doubles it.
    pub first_lockout: Duration,
    /// The longest lockout.
    pub max_lockout: Duration,
}

impl Default for PinPolicy {
    /// 5 wrong PINs lock for 1 minute, then 2, 4, 8 ... up to 1 hour. A 4-digit PIN then takes
    /// months to guess instead of minutes, and a cashier who mistypes waits a minute.
    fn default() -> Self {
        PinPolicy { max_failures: 5, first_lockout: Duration::minutes(1), max_lockout: Duration::hours(1) }
    }
}

/// A user's lockout state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinState {
    pub failed_pins: i32,
    pub lockouts: i32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PinPolicy {
    /// The state after one more wrong PIN at `at`. The fifth in a row locks.
    pub fn after_failure(&self, state: PinState, at: DateTime<Utc>) -> PinState {
        let failed = state.failed_pins.saturating_add(1);
        if failed < self.max_failures {
            return PinState { failed_pins: failed, ..state };
        }
        let doublings = u32::try_from(state.lockouts.clamp(0, 20)).unwrap_or(0);
        let lockout = self.first_lockout.checked_mul(1 << doublings).unwrap_or(self.max_lockout).min(self.max_lockout);
        PinState { failed_pins: 0, lockouts: state.lockouts.saturating_add(1), locked_until: Some(at + lockout) }
    }

    /// The state after a correct PIN or an unlock: nothing counted, nothing locked.
    pub fn cleared() -> PinState {
        PinState { failed_pins: 0, lockouts: 0, locked_until: None }
    }

    /// What one PIN check does to `user` (read under its row lock) at `at`. Both stores apply
    /// this in one transaction: write `state` if it changed, append `events`, then answer
    /// `refused` or the updated user.
    pub fn decide(&self, user: &User, matched: bool, at: DateTime<Utc>) -> PinDecision {
        let current =
            PinState { failed_pins: user.failed_pins, lockouts: user.lockouts, locked_until: user.locked_until };
        let unchanged = |refused| PinDecision { state: current, events: vec![], refused: Some(refused) };
        if !user.active {
            return unchanged(Refusal::UserInactive(user.name.clone()).into());
        }
        if let Some(until) = user.locked_until.filter(|until| *until > at) {
            // A check that raced the lock (even a right PIN) counts for nothing.
            return unchanged(Refusal::UserLocked { user: user.name.clone(), until }.into());
        }
        if matched {
            return PinDecision { state: Self::cleared(), events: vec![], refused: None };
        }
        let state = self.after_failure(current, at);
        let mut events = vec![(AuthEventKind::PinFailed, None)];
        if let Some(until) = state.locked_until.filter(|until| *until > at) {
            events.push((AuthEventKind::Locked, Some(format!("until {}", until.to_rfc3339()))));
        }
        PinDecision { state, events, refused: None }
    }

    /// The answer to a PIN check, from the user as stored after it was recorded: the user when
    /// it matched; `user_locked` when this very miss locked them (the count starts again at 0
    /// with a lock in force); `wrong_pin` otherwise, with the tries left before a lockout.
    pub fn answer(&self, user: User, matched: bool, now: DateTime<Utc>) -> Result<User, StoreError> {
        if matched {
            return Ok(user);
        }
        match user.locked_until.filter(|until| *until > now && user.failed_pins == 0) {
            Some(until) => Err(Refusal::UserLocked { user: user.name, until }.into()),
            None => Err(self.wrong_pin(user)),
        }
    }

    /// `wrong_pin` for `user` as stored after the miss was counted: how many more wrong PINs
    /// in a row they may type before the next one locks them.
    pub fn wrong_pin(&self, user: User) -> StoreError {
        Refusal::WrongPin { tries_left: (self.max_failures - user.failed_pins).max(0), user: user.name }.into()
    }
}

/// See [`PinPolicy::decide`].
#[derive(Debug, Clone)]
pub struct PinDecision {
    pub state: PinState,
    pub events: Vec<(AuthEventKind, Option<String>)>,
    pub refused: Option<StoreError>,
}

/// How many argon2 checks may run at once in this process. Each takes ~19 MiB and a core for a
/// few tens of milliseconds; without a bound, a burst of parallel logins (or a script guessing
/// PINs) could exhaust memory. Further checks wait their turn.
pub const MAX_CONCURRENT_PIN_CHECKS: usize = 2;

static PIN_CHECKS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(MAX_CONCURRENT_PIN_CHECKS));

/// Runs argon2 work off the async executor, at most [`MAX_CONCURRENT_PIN_CHECKS`] at a time.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    let _permit =
        PIN_CHECKS.acquire().await.map_err(|e| StoreFailure::Internal(format!("PIN check limiter closed: {e}")))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| StoreFailure::Internal(format!("PIN task failed: {e}")).into())
}

/// Checks a PIN against a hash (bounded, off the executor).
pub async fn pin_matches(pin: Pin, hash: PinHash) -> Result<bool, StoreError> {
    bounded(move || pin.matches(&hash)).await
}

/// Whether `pin` is long enough for `role`: a manager's or admin's has at least `required`
/// digits (the strictest location's `manager_pin_min_length`); a cashier's any valid length.
/// PostgreSQL's copy is in till_pin_check.sql; `tests/contract/security.rs` runs both.
pub fn pin_long_enough(role: Role, pin: &Pin, required: i32) -> bool {
    !role.is_manager() || i32::try_from(pin.expose().len()).unwrap_or(i32::MAX) >= required
}

/// The fewest digits a manager's PIN needs: the strictest of the locations' settings.
pub fn manager_pin_required(locations: &[crate::store::Location]) -> i32 {
    locations.iter().map(|l| l.manager_pin_min_length).max().unwrap_or(4).max(4)
}

/// Hashes a new PIN (bounded, off the executor). An empty hash means hashing failed.
pub async fn hash_pin(pin: Pin) -> Result<PinHash, StoreError> {
    let hash = bounded(move || pin.hash()).await?;
    if hash.0.is_empty() {
        return Err(StoreFailure::Internal("PIN hashing failed".into()).into());
    }
    Ok(hash)
}

/// How long a login may sit unused before the register logs it out. Set per device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleLimit {
    minutes: u32,
}

impl IdleLimit {
    pub const DEFAULT_MINUTES: u32 = 5;
    /// The longest limit a device may set (a working day).
    pub const MAX_MINUTES: u32 = 24 * 60;

    /// `0` turns idle logout off.
    pub fn from_minutes(minutes: u32) -> Result<IdleLimit, crate::InputError> {
        if minutes > Self::MAX_MINUTES {
            return Err(crate::InputError::Invalid {
                field: "idle logout",
                reason: format!("must be 0 (off) to {} minutes", Self::MAX_MINUTES),
            });
        }
        Ok(IdleLimit { minutes })
    }

    pub fn minutes(&self) -> u32 {
        self.minutes
    }
}

impl Default for IdleLimit {
    fn default() -> Self {
        IdleLimit { minutes: Self::DEFAULT_MINUTES }
    }
}

/// Who is logged in on a device, and since when they last did something. The device keeps one
/// of these in the backend; the UI never holds a login.
#[derive(Debug, Clone)]
pub struct Login {
    who: Authenticated,
    last_used: DateTime<Utc>,
}

impl Login {
    pub fn new(who: Authenticated, now: DateTime<Utc>) -> Login {
        Login { who, last_used: now }
    }

    /// The user, if the login has not been idle longer than `limit` at `now`; using it counts
    /// as activity. An expired login is an error the caller turns into a logout.
    pub fn use_at(&mut self, now: DateTime<Utc>, limit: IdleLimit) -> Result<&Authenticated, TillError> {
        let idle_for = now.signed_duration_since(self.last_used);
        if limit.minutes > 0 && idle_for >= Duration::minutes(i64::from(limit.minutes)) {
            return Err(TillError::NotLoggedIn(LoggedOut::Idle { minutes: limit.minutes }));
        }
        self.last_used = self.last_used.max(now);
        Ok(&self.who)
    }

    pub fn user(&self) -> &User {
        &self.who.user
    }

    /// The store's login, to end it.
    pub fn token(&self) -> &LoginToken {
        &self.who.login
    }

    /// Replaces the cached user with a fresh read (role or name changed since the login).
    pub fn refresh(&mut self, user: User) {
        self.who.user = user;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Role, UserId};

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minutes)
    }

    #[test]
    fn the_fifth_wrong_pin_locks_for_longer_each_time() {
        let policy = PinPolicy::default();
        let mut state = PinPolicy::cleared();
        for n in 1..=4 {
            state = policy.after_failure(state, at(0));
            assert_eq!((state.failed_pins, state.locked_until), (n, None));
        }
        state = policy.after_failure(state, at(0));
        assert_eq!(state.locked_until, Some(at(1)));
        assert_eq!((state.failed_pins, state.lockouts), (0, 1));
        let mut lengths = vec![];
        for round in 1..=8 {
            for _ in 0..5 {
                state = policy.after_failure(state, at(100 * round));
            }
            lengths.push((state.locked_until.unwrap_or(at(0)) - at(100 * round)).num_minutes());
        }
        assert_eq!(lengths, [2, 4, 8, 16, 32, 60, 60, 60]);
    }

    fn alice() -> User {
        User {
            id: UserId::new(),
            name: "alice".into(),
            role: Role::Cashier,
            active: true,
            failed_pins: 0,
            locked_until: None,
            lockouts: 0,
            approves: false,
        }
    }

    #[test]
    fn a_locked_or_inactive_user_is_refused_even_with_the_right_pin() {
        let policy = PinPolicy::default();
        let locked = User { locked_until: Some(at(10)), ..alice() };
        let decision = policy.decide(&locked, true, at(5));
        assert_eq!(decision.refused.map(|e| e.code()), Some("user_locked"));
        assert!(decision.events.is_empty(), "a refused check records nothing");
        assert!(policy.decide(&locked, true, at(10)).refused.is_none(), "the lock ends at its time");
        let inactive = User { active: false, ..alice() };
        assert_eq!(policy.decide(&inactive, true, at(0)).refused.map(|e| e.code()), Some("user_inactive"));
        let fourth = User { failed_pins: 4, ..alice() };
        let locking = policy.decide(&fourth, false, at(0));
        assert_eq!(
            locking.events.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            [AuthEventKind::PinFailed, AuthEventKind::Locked]
        );
        assert_eq!(policy.decide(&fourth, true, at(0)).state, PinPolicy::cleared(), "a success resets the count");
    }

    #[test]
    fn idle_logins_expire_and_use_keeps_them_alive() {
        let user = Authenticated { user: alice(), login: LoginToken::new("t".into()) };
        let five = IdleLimit::default();
        let mut login = Login::new(user.clone(), at(0));
        assert!(login.use_at(at(4), five).is_ok());
        assert!(login.use_at(at(8), five).is_ok(), "used at 4, so 8 is 4 minutes idle");
        assert_eq!(login.use_at(at(13), five).map(|_| ()).map_err(|e| e.code()), Err("not_logged_in"));
        let mut off = Login::new(user, at(0));
        assert!(off.use_at(at(10_000), IdleLimit::from_minutes(0).unwrap_or_default()).is_ok());
        assert!(IdleLimit::from_minutes(24 * 60 + 1).is_err());
    }
}
