//! `tillctl doctor`'s backup check. A PostgreSQL store is IT's to back up (docs/operations.md,
//! "Backups"); the server shows a backup only when it archives WAL (`pg_stat_archiver`). A
//! `pg_dump` leaves no trace on the server, so then the check says it cannot know instead of
//! warning.

use crate::conn::Conn;
use chrono::{DateTime, Duration, Utc};
use till_core::{SchemaCheck, StoreError};

const NAME: &str = "backups";
const FIX: &str = "see docs/operations.md, \"Backups\": check the server's archive_command and its log";

/// How old the last archived WAL segment may be before doctor warns. A quiet store writes
/// little, but Till's sessions and the server's checkpoints fill a segment within a day unless
/// the store was shut.
const STALE_AFTER: Duration = Duration::hours(24);

/// What the server's archiver says, as of `now` (the server's clock).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Archiver {
    pub archiving: bool,
    pub last_archived: Option<DateTime<Utc>>,
    pub last_failed: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

impl Archiver {
    pub(crate) async fn read(conn: &mut Conn<'_>) -> Result<Archiver, StoreError> {
        // A standby with archive_mode=on archives nothing (only `always` does): read as off.
        let (mode, last_archived, last_failed, now): (String, _, _, _) = sqlx::query_as(
            "SELECT CASE WHEN pg_is_in_recovery() AND current_setting('archive_mode') <> 'always' THEN 'off' \
                    ELSE current_setting('archive_mode') END, \
                    last_archived_time, last_failed_time, now() FROM pg_stat_archiver",
        )
        .fetch_one(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        Ok(Archiver { archiving: mode != "off", last_archived, last_failed, now })
    }

    /// The backups line for `store`; a server that cannot say (no view, no right to read it,
    /// a standby) gets a warning that says so, never a failure.
    pub(crate) async fn check_on(store: &crate::PostgresStore) -> SchemaCheck {
        let read = async {
            let mut conn = store.conn().await?;
            Archiver::read(&mut conn).await
        };
        match read.await {
            Ok(archiver) => archiver.check(),
            Err(e) => SchemaCheck::warn(NAME, format!("cannot read pg_stat_archiver: {e}"), FIX),
        }
    }

    pub(crate) fn check(&self) -> SchemaCheck {
        if !self.archiving {
            return SchemaCheck::pass(
                NAME,
                "cannot be seen from here: WAL archiving is off, and a nightly pg_dump leaves no trace on the server; \
                 IT checks that the dumps of docs/operations.md, \"Backups\", are made",
            );
        }
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        match (self.last_archived, self.last_failed) {
            (_, Some(failed)) if self.last_archived.is_none_or(|archived| failed > archived) => SchemaCheck::warn(
                NAME,
                format!("WAL archiving is failing: the last attempt failed at {}", at(failed)),
                FIX,
            ),
            (None, _) => SchemaCheck::warn(NAME, "WAL archiving is on, but nothing was archived yet", FIX),
            (Some(archived), _) if self.now - archived > STALE_AFTER => SchemaCheck::warn(
                NAME,
                format!(
                    "the last WAL segment was archived at {}, {} hours ago",
                    at(archived),
                    (self.now - archived).num_hours()
                ),
                FIX,
            ),
            (Some(archived), _) => {
                SchemaCheck::pass(NAME, format!("WAL archiving works: last segment archived at {}", at(archived)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archiver(archiving: bool, archived_hours_ago: Option<i64>, failed_hours_ago: Option<i64>) -> SchemaCheck {
        let now = till_core::clock::system_now();
        let ago = |hours: Option<i64>| hours.map(|h| now - Duration::hours(h));
        Archiver { archiving, last_archived: ago(archived_hours_ago), last_failed: ago(failed_hours_ago), now }.check()
    }

    #[test]
    fn doctor_warns_only_about_what_the_server_can_show() {
        let off = archiver(false, None, None);
        assert!(off.ok && !off.warning && off.detail.contains("pg_dump"), "{off:?}");
        let recent = archiver(true, Some(1), Some(30));
        assert!(recent.ok && !recent.warning, "{recent:?}");
        for (archived, failed) in [(None, None), (Some(25), None), (Some(2), Some(1)), (None, Some(3))] {
            let check = archiver(true, archived, failed);
            assert!(check.ok && check.warning && check.fix.is_some(), "{archived:?} {failed:?}: {check:?}");
        }
    }
}
