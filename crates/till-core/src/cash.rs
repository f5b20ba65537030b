//! Cash control: paid in, paid out, drops to the safe and no-sale drawer opens; the close's
//! count (denominations, cash removed, float left, sign-off); force-close and late count.

use crate::domain::{DeviceName, LocationId, MovementId, RegisterId, SessionId};
use crate::error::{InputError, Refusal, StoreError};
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The largest note or coin a count takes, in minor units (a store's own list is bounded the
/// same: a note it lists is one it can count).
pub const MAX_DENOMINATION_MINOR: i64 = 100_000_000;
/// The most notes and coins one count lists (a store's 16 bills and 16 coins).
pub const MAX_DENOMINATIONS_COUNTED: usize = 2 * crate::location::MAX_DENOMINATIONS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    PaidIn,
    PaidOut,
    /// Cash taken from the drawer to the safe during the shift.
    Drop,
    /// The drawer opened without a sale (no amount).
    NoSale,
}

impl MovementKind {
    pub const ALL: [MovementKind; 4] =
        [MovementKind::PaidIn, MovementKind::PaidOut, MovementKind::Drop, MovementKind::NoSale];

    /// The word stored in the database and used by tillctl (`paid_in`; tillctl's subcommands
    /// spell it `paid-in`).
    pub fn as_str(&self) -> &'static str {
        match self {
            MovementKind::PaidIn => "paid_in",
            MovementKind::PaidOut => "paid_out",
            MovementKind::Drop => "drop",
            MovementKind::NoSale => "no_sale",
        }
    }

    pub fn parse(text: &str) -> Result<MovementKind, InputError> {
        let text = text.trim().replace('-', "_");
        MovementKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| InputError::Invalid {
            field: "movement kind",
            reason: format!("{text:?} is not one of paid_in, paid_out, drop, no_sale"),
        })
    }

    /// What the movement does to the drawer's cash, per minor unit of its amount.
    pub fn drawer_sign(&self) -> i64 {
        match self {
            MovementKind::PaidIn => 1,
            MovementKind::PaidOut | MovementKind::Drop => -1,
            MovementKind::NoSale => 0,
        }
    }

    /// Paid outs and drops above the location's limit need a manager.
    pub fn may_need_manager(&self) -> bool {
        matches!(self, MovementKind::PaidOut | MovementKind::Drop)
    }

    /// Whether this movement needs a manager: a paid out or drop that takes the session's cash
    /// taken out (paid outs and drops so far, `taken_out`) above the location's `limit`. Per
    /// session, so ten paid outs of 50.00 need a manager like one of 500.00. PostgreSQL's copy
    /// is in till_record_cash_movement.sql.
    pub fn needs_manager(&self, amount: i64, taken_out: i64, limit: i64) -> bool {
        self.may_need_manager() && i128::from(taken_out) + i128::from(amount) > i128::from(limit)
    }
}

/// A reason a location offers for a kind of movement.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CashReason {
    pub kind: MovementKind,
    pub code: String,
    pub label: String,
    pub position: i32,
}

/// The longest free-text note on a movement.
pub const MAX_NOTE_CHARS: usize = 200;

/// A movement as the store records it (amount in minor units of the session's currency).
#[derive(Debug, Clone)]
pub struct NewCashMovement {
    pub id: MovementId,
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub kind: MovementKind,
    pub amount: i64,
    pub reason: String,
    pub note: Option<String>,
    /// Above the location's cash-out limit a paid out or drop needs a manager: the login's
    /// user, or the approval it carries.
    pub actor: crate::store::Actor,
    pub device: DeviceName,
    /// The request's fingerprint: a repeat of `id` must carry the same.
    pub request_hash: String,
}

/// A recorded movement.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CashMovement {
    #[ts(type = "string")]
    pub id: MovementId,
    #[ts(type = "string")]
    pub session_id: SessionId,
    #[ts(type = "string")]
    pub location_id: LocationId,
    pub kind: MovementKind,
    /// Minor units of `currency` (the session's).
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "string")]
    pub currency: crate::money::Currency,
    pub reason: String,
    pub note: Option<String>,
    pub user: String,
    pub approved_by: Option<String>,
    pub device: String,
    pub at: DateTime<Utc>,
}

/// How many of one note or coin were counted (`denomination` in minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct DenominationCount {
    #[ts(type = "number")]
    pub denomination: i64,
    pub count: u32,
}

impl DenominationCount {
    /// The total of a count, refusing nonsense (zero or negative denominations, repeats,
    /// absurd counts) so that what is stored adds up to the counted cash.
    pub fn total(counts: &[DenominationCount]) -> Result<i64, InputError> {
        let bad = |reason: String| InputError::Invalid { field: "denominations", reason };
        // A store's bills and coins are at most 16 each (`location::parse_denominations`): a
        // longer list is not a count, and would fill the count's rows and its journal entry.
        if counts.len() > MAX_DENOMINATIONS_COUNTED {
            return Err(bad(format!("at most {MAX_DENOMINATIONS_COUNTED} notes and coins")));
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut total: i64 = 0;
        for c in counts {
            if c.denomination <= 0 || c.denomination > MAX_DENOMINATION_MINOR {
                return Err(bad(format!("{} is not a denomination", c.denomination)));
            }
            if c.count > 1_000_000 {
                return Err(bad(format!("{} of {} is too many", c.count, c.denomination)));
            }
            if !seen.insert(c.denomination) {
                return Err(bad(format!("{} is listed twice", c.denomination)));
            }
            total = total
                .checked_add(c.denomination.saturating_mul(i64::from(c.count)))
                .ok_or_else(|| bad("the count overflows".into()))?;
        }
        Ok(total)
    }
}

impl DenominationCount {
    /// No count at all, or notes and coins that add up to `expected` (`what` names it: "the
    /// counted cash", "the opening cash"): what is stored always adds up.
    pub fn check_adds_up(counts: &[DenominationCount], expected: Money, what: &str) -> Result<(), InputError> {
        if counts.is_empty() {
            return Ok(());
        }
        let total = Self::total(counts)?;
        if total == expected.minor() {
            return Ok(());
        }
        Err(InputError::Invalid {
            field: "denominations",
            reason: format!("they add up to {}, not {what} {expected}", Money::from_minor(total, expected.currency())),
        })
    }
}

/// A manager's sign-off of a variance above the location's limit.
#[derive(Debug, Clone)]
pub struct SignOff {
    pub reason: String,
}

/// What a close records besides the count: all optional (the float left defaults to the float
/// the shift opened with; denominations only when the helper was used; the reason only when the
/// variance is above the location's limit and the approving manager signs it off).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct CloseCount {
    /// Minor units, as every amount the app sends.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub float_left: Option<i64>,
    #[serde(default)]
    pub denominations: Vec<DenominationCount>,
    #[serde(default)]
    pub variance_reason: Option<String>,
}

/// How far a count may be off before a manager signs it off: the location's
/// `variance_limit_minor`. Within it the count stands (a reason given is kept); above it a
/// manager's reason is needed, and at a close only after a count was refused first, so a
/// recount is never skipped. A late count (of a force-closed drawer) is a manager's already and
/// needs no recount. PostgreSQL's copy: `till_close_session.sql`, `till_late_count.sql`;
/// `tests/contract/variance.rs` runs the same table on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarianceLimit {
    pub limit_minor: i64,
}

/// The refusal when a variance above the limit is not signed off.
pub const VARIANCE_NEEDS_SIGN_OFF: &str =
    "the count is off by more than the location allows: count again, or a manager signs off with a reason";
/// The late count's refusal: no recount is asked for there.
pub const LATE_VARIANCE_NEEDS_REASON: &str = "the count is off by more than the location allows: a reason is needed";

impl VarianceLimit {
    pub fn of(location: &crate::store::Location) -> VarianceLimit {
        VarianceLimit { limit_minor: location.variance_limit_minor }
    }

    /// Whether a count `variance` minor units off (either way) is above the limit.
    pub fn exceeded_by(self, variance: i64) -> bool {
        variance.unsigned_abs() > self.limit_minor.unsigned_abs()
    }

    /// The close's sign-off: `Ok(true)` when the variance is above the limit and signed off
    /// (`reason` given after `refused_counts` ≥ 1), `Ok(false)` when within it.
    pub fn check_close(self, variance: i64, reason: Option<&str>, refused_counts: i64) -> Result<bool, StoreError> {
        if !self.exceeded_by(variance) {
            return Ok(false);
        }
        if has_text(reason) && refused_counts >= 1 {
            Ok(true)
        } else {
            Err(Refusal::VarianceNeedsSignoff(VARIANCE_NEEDS_SIGN_OFF.into()).into())
        }
    }

    /// The late count's: above the limit, a reason.
    pub fn check_late_count(self, variance: i64, reason: Option<&str>) -> Result<(), StoreError> {
        if self.exceeded_by(variance) && !has_text(reason) {
            return Err(Refusal::VarianceNeedsSignoff(LATE_VARIANCE_NEEDS_REASON.into()).into());
        }
        Ok(())
    }
}

fn has_text(reason: Option<&str>) -> bool {
    reason.is_some_and(|r| !r.trim().is_empty())
}

/// What a drawer should hold, written once: the opening float plus the cash net of every sale,
/// refund and movement since (`sessions.cash_net`, kept up to date by each write). The totals,
/// the X, the close and the force-close all take it from here; PostgreSQL's copy is in
/// `till_close_session.sql` and `till_force_close.sql`.
pub fn expected_cash(opening_cash: i64, cash_net: i64) -> i64 {
    opening_cash + cash_net
}

/// The blind count, written once: while a store counts blind, a drawer not counted yet (an open
/// session, or a force-closed one whose count is pending) shows nobody its expected cash beside
/// the count, a manager who counts included. (A manager still reads it on the X report, and
/// signs a difference off against it: [`crate::service::SignOffFigures`].) The screens show or
/// hide it as the read models say (`SessionTotals::expected_hidden`,
/// `DaySession::expected_hidden`); they never read `blind_close` themselves.
pub fn expected_cash_hidden(location: &crate::store::Location, session: &crate::store::Session) -> bool {
    location.blind_close && (session.status == crate::store::SessionStatus::Open || session.count_pending)
}

/// A location's rule for forgotten sessions: its limit, time zone and business-day cut-off.
#[derive(Debug, Clone, Copy)]
pub struct ForgottenRule {
    pub limit: chrono::Duration,
    pub zone: crate::domain::TimeZone,
    pub cutoff: crate::domain::Cutoff,
}

impl ForgottenRule {
    /// The rule of `location` (its `session_limit_minutes`, `time_zone` and `cutoff`).
    pub fn of(location: &crate::store::Location) -> Result<ForgottenRule, InputError> {
        Ok(ForgottenRule {
            limit: chrono::Duration::minutes(i64::from(location.session_limit_minutes)),
            zone: crate::domain::TimeZone::parse(&location.time_zone)?,
            cutoff: crate::domain::Cutoff::parse(&location.cutoff)?,
        })
    }

    /// The rule from a location row's columns (`session_limit_minutes`, `timezone`,
    /// `cutoff_minutes`), as a store reads them inside its transaction.
    pub fn from_columns(limit_minutes: i64, zone: &str, cutoff_minutes: i32) -> Result<ForgottenRule, InputError> {
        Ok(ForgottenRule {
            limit: chrono::Duration::minutes(limit_minutes),
            zone: crate::domain::TimeZone::parse(zone)?,
            cutoff: crate::domain::Cutoff::from_minutes(cutoff_minutes)?,
        })
    }

    /// [`ForgottenRule::is_forgotten`] for an open `session`, as the refusal every path gives.
    pub fn refuse(&self, session: &crate::store::Session, now: DateTime<Utc>) -> Result<(), crate::StoreError> {
        if session.status == crate::store::SessionStatus::Open
            && self.is_forgotten(session.opened_at, session.business_day, now)
        {
            return Err(crate::Refusal::SessionForgotten {
                number: session.number.clone(),
                business_day: session.business_day,
            }
            .into());
        }
        Ok(())
    }

    /// The one rule for a forgotten session, asked by the banner, the start and join refusal,
    /// the sale and movement paths and a force-close alike (plpgsql's `till_session_forgotten`
    /// is its copy): open longer than the limit, or from an earlier business day than `now`'s.
    /// A forgotten session takes no more shifts, sales or movements; a manager force-closes it.
    /// Both halves matter: a shift opened at 22:00 is from yesterday at 08:00 though only 10
    /// hours old, and a 13-hour shift at a location with a 12-hour limit is still today's.
    pub fn is_forgotten(&self, opened_at: DateTime<Utc>, business_day: chrono::NaiveDate, now: DateTime<Utc>) -> bool {
        now - opened_at > self.limit || business_day < crate::domain::business_day(now, self.zone, self.cutoff)
    }
}
