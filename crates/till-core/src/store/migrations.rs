//! The schema's bookkeeping every backend shares: which migrations are known and applied, what
//! `tillctl doctor` prints, the invariant report, and the database clock's offset.

use crate::error::{ErrorCode, StoreError, StoreFailure};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One line of `tillctl doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    /// What to run or do when `ok` is false, or about a warning.
    pub fix: Option<String>,
    /// The error a store refuses to open with when this check fails, if more precise than
    /// `schema_not_ready` (`app_too_old`, `schema_behind`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<ErrorCode>,
    /// Passes, but IT should look (a weak TLS mode, a clock drifting): `doctor` still exits 0.
    pub warning: bool,
}

impl SchemaCheck {
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        SchemaCheck { name: name.into(), ok: true, detail: detail.into(), fix: None, refusal: None, warning: false }
    }
    pub fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        SchemaCheck {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            fix: Some(fix.into()),
            refusal: None,
            warning: false,
        }
    }
    pub fn warn(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        SchemaCheck {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            fix: Some(fix.into()),
            refusal: None,
            warning: true,
        }
    }
    pub fn refused_with(mut self, code: ErrorCode) -> Self {
        self.refusal = Some(code);
        self
    }

    /// The check that a schema object the atomic operations rely on is there.
    pub fn presence(name: String, found: Result<bool, StoreError>, present: &str, fix: &str) -> Self {
        match found {
            Ok(true) => SchemaCheck::pass(name, present),
            Ok(false) => SchemaCheck::fail(name, "missing or altered: the schema was changed outside Till", fix),
            Err(e) => SchemaCheck::fail(name, e.to_string(), "run `tillctl doctor`"),
        }
    }
}

/// The shift invariants read back from the database: tests and the benchmark assert them.
/// (Not the audit journal: this is a consistency check of the rows as they are.)
#[derive(Debug, Clone, Default, Serialize)]
pub struct InvariantReport {
    pub sessions: i64,
    pub open_sessions: i64,
    /// Registers with more than one open session (must be empty).
    pub registers_with_several_open: Vec<String>,
    /// (location, business day) groups whose sequences are not exactly 1..=n, or whose counter
    /// disagrees with n (must be empty).
    pub numbering_problems: Vec<String>,
    /// Session numbers used twice (must be empty).
    pub duplicate_numbers: Vec<String>,
    /// Closed sessions whose variance is not counted − expected (must be empty).
    pub bad_closures: Vec<String>,
}

impl InvariantReport {
    pub fn is_clean(&self) -> bool {
        self.registers_with_several_open.is_empty()
            && self.numbering_problems.is_empty()
            && self.duplicate_numbers.is_empty()
            && self.bad_closures.is_empty()
    }
}

/// This computer's clock against the database server's, measured over one round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockOffset {
    /// Server minus this computer, in milliseconds (positive: the server is ahead).
    pub offset_ms: i64,
    /// The measuring query's round trip: the offset is known to within half of it.
    pub round_trip_ms: i64,
}

impl ClockOffset {
    /// `server` read between `sent` and `received` on this computer's clock: the server most
    /// likely read it halfway through the round trip.
    pub fn measure(sent: DateTime<Utc>, server: DateTime<Utc>, received: DateTime<Utc>) -> ClockOffset {
        let round_trip = received - sent;
        let midpoint = sent + round_trip / 2;
        ClockOffset { offset_ms: (server - midpoint).num_milliseconds(), round_trip_ms: round_trip.num_milliseconds() }
    }
}

/// A migration embedded in this binary.
#[derive(Debug, Clone)]
pub struct KnownMigration {
    pub version: i64,
    pub description: String,
    pub checksum: Vec<u8>,
}

/// A migration recorded in the database's `_sqlx_migrations` table.
#[derive(Debug, Clone)]
pub struct AppliedMigration {
    pub version: i64,
    /// sqlx's description: the file name after the version, `_` read as spaces
    /// (`0005_expand_terminal_roles.sql` → `expand terminal roles`).
    pub description: String,
    pub checksum: Vec<u8>,
    pub success: bool,
}

/// Whether apps built before a migration keep working after it. Every migration after the
/// first release says which in its file name: `NNNN_expand_*.sql` (adds: older apps carry on)
/// or `NNNN_contract_*.sql` (removes or changes what older apps use). So a terminal can judge a
/// migration it has never seen from the database's own record of it: IT upgrades a store's
/// database first, then its PCs one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationKind {
    Expand,
    Contract,
}

impl MigrationKind {
    /// From sqlx's description. A migration that names neither is taken as a contract: an
    /// unknown change is never assumed to be safe.
    pub fn of(description: &str) -> MigrationKind {
        if description.split(' ').next() == Some("expand") {
            MigrationKind::Expand
        } else {
            MigrationKind::Contract
        }
    }
}

/// Compares what the database recorded with what this binary embeds. One check per problem,
/// or one passing check; shared by both backends so they judge a schema the same way.
///
/// - a migration this build knows must be applied (else `schema_behind`: IT migrates), whole
///   and unedited;
/// - a newer migration this build does not know is fine if it is an expand, and refuses with
///   `app_too_old` if it is a contract;
/// - an unknown migration older than this build's newest is not Till's lineage: refused.
pub fn check_migrations(known: &[KnownMigration], applied: &[AppliedMigration]) -> Vec<SchemaCheck> {
    const NAME: &str = "migrations";
    let newest_known = known.iter().map(|k| k.version).max().unwrap_or(0);
    let mut checks = Vec::new();
    let mut newer_expands = Vec::new();
    for a in applied {
        match known.iter().find(|k| k.version == a.version) {
            None if a.version > newest_known && MigrationKind::of(&a.description) == MigrationKind::Expand => {
                newer_expands.push(format!("{} ({})", a.version, a.description));
            }
            None if a.version > newest_known => checks.push(
                SchemaCheck::fail(
                    NAME,
                    format!(
                        "the database has migration {} ({}) from a newer Till, which changes what this build relies on",
                        a.version, a.description
                    ),
                    "update Till on this PC to the version IT rolled out",
                )
                .refused_with(ErrorCode::AppTooOld),
            ),
            None => checks.push(SchemaCheck::fail(
                NAME,
                format!(
                    "the database has migration {} ({}) that this build of Till does not know",
                    a.version, a.description
                ),
                "this database was not migrated by Till's own migrations: restore it from a backup",
            )),
            Some(k) if !a.success => checks.push(SchemaCheck::fail(
                NAME,
                format!("migration {} ({}) failed part-way", k.version, k.description),
                "restore the database from a backup, then run `tillctl migrate`",
            )),
            Some(k) if k.checksum != a.checksum => checks.push(SchemaCheck::fail(
                NAME,
                format!(
                    "migration {} ({}) was edited after it was applied: its checksum differs",
                    k.version, k.description
                ),
                "install the Till build that applied it; shipped migrations are never edited",
            )),
            Some(_) => {}
        }
    }
    let pending: Vec<String> = known
        .iter()
        .filter(|k| !applied.iter().any(|a| a.version == k.version))
        .map(|k| format!("{} ({})", k.version, k.description))
        .collect();
    if !pending.is_empty() {
        checks.push(
            SchemaCheck::fail(NAME, format!("not applied yet: {}", pending.join(", ")), RUN_MIGRATE)
                .refused_with(ErrorCode::SchemaBehind),
        );
    }
    if checks.is_empty() {
        let mut detail = format!("all {} applied, up to version {newest_known}", known.len());
        if !newer_expands.is_empty() {
            detail.push_str(&format!(
                "; newer expand migrations from a newer Till, compatible: {}",
                newer_expands.join(", ")
            ));
        }
        checks.push(SchemaCheck::pass(NAME, detail));
    }
    checks
}

/// True when the database holds migrations newer than this build (all of them expands, or
/// `check_migrations` fails): its definitions then legitimately differ from this build's.
pub fn has_newer_migrations(known: &[KnownMigration], applied: &[AppliedMigration]) -> bool {
    let newest_known = known.iter().map(|k| k.version).max().unwrap_or(0);
    applied.iter().any(|a| a.version > newest_known)
}

/// Refuses a database holding a migration this binary does not know (unless a newer expand),
/// an edited one, or a failed one; pending migrations are fine (migrating applies them).
pub fn refuse_foreign_migrations(known: &[KnownMigration], applied: &[AppliedMigration]) -> Result<(), StoreError> {
    let problems: Vec<SchemaCheck> = check_migrations(known, applied)
        .into_iter()
        .filter(|c| !c.ok && c.refusal != Some(ErrorCode::SchemaBehind))
        .collect();
    require_schema(&problems)
}

/// Refuses to migrate a database that holds migrations newer than this build while missing
/// one of this build's: applying an older migration after newer ones could undo them.
pub fn refuse_gap(known: &[KnownMigration], applied: &[AppliedMigration]) -> Result<(), StoreError> {
    if has_newer_migrations(known, applied) {
        return Err(StoreFailure::SchemaNotReady(
            "the database was migrated by a newer Till but lacks one of this build's migrations; \
             migrate it with the newest Till (`tillctl migrate`), never an older one"
                .into(),
        )
        .into());
    }
    Ok(())
}

/// The definitions line of a database a newer Till expanded.
pub const NEWER_DEFINITIONS: (&str, &str) =
    ("definitions", "not compared: a newer Till expanded this schema, so it differs from this build's by design");

/// What `tillctl migrate` prints when migrations are pending.
pub const RUN_MIGRATE: &str = "IT must run `tillctl migrate` with the database owner's role";

/// Turns failed checks into the one error a store refuses to start with.
pub fn require_schema(checks: &[SchemaCheck]) -> Result<(), StoreError> {
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {} (fix: {})", c.name, c.detail, c.fix.as_deref().unwrap_or("see `tillctl doctor`")))
        .collect();
    // A misconfiguration (a terminal role bound to no register) is named, but the schema's
    // own state decides the code when it fails too: migrate first, then bind.
    let refusals: Vec<Option<ErrorCode>> = checks
        .iter()
        .filter(|c| !c.ok && c.refusal != Some(ErrorCode::DatabaseMisconfigured))
        .map(|c| c.refusal)
        .collect();
    let text = failures.join("; ");
    if failures.is_empty() {
        Ok(())
    } else if refusals.is_empty() {
        Err(StoreFailure::Misconfigured(text).into())
    } else if refusals.contains(&Some(ErrorCode::AppTooOld)) {
        Err(StoreFailure::AppTooOld(text).into())
    } else if refusals.iter().all(|r| *r == Some(ErrorCode::SchemaBehind)) {
        Err(StoreFailure::SchemaBehind(text).into())
    } else {
        Err(StoreFailure::SchemaNotReady(text).into())
    }
}

#[cfg(test)]
mod clock_tests {
    use super::ClockOffset;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_offset_is_taken_at_the_middle_of_the_round_trip() {
        let sent = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).single().unwrap_or_default();
        let received = sent + Duration::milliseconds(400);
        // A server exactly in step reads the middle of the round trip.
        assert_eq!(
            ClockOffset::measure(sent, sent + Duration::milliseconds(200), received),
            ClockOffset { offset_ms: 0, round_trip_ms: 400 }
        );
        assert_eq!(ClockOffset::measure(sent, sent + Duration::seconds(3), received).offset_ms, 2_800);
        assert_eq!(ClockOffset::measure(sent, sent - Duration::seconds(5), received).offset_ms, -5_200);
    }
}
