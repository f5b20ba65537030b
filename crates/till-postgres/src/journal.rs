//! The journal, read for verification and export. Appends happen in the database (the
//! functions and triggers of migrations/postgres/0012_expand_cash_journal_functions.sql).

use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use till_core::journal::{ChainHead, ExpectedEntry, JournalEntry, STAFF_CHAIN};
use till_core::*;
use till_sqlx::expected;
use till_sqlx::journal as sql;
use uuid::Uuid;

#[async_trait]
impl JournalStore for PostgresStore {
    async fn journal_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::HEADS).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::chain_head).collect()
    }

    async fn database_identity(&self) -> Result<Option<Uuid>, StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query_scalar(sql::IDENTITY).fetch_optional(conn.db()).await.map_err(|e| conn.fail(e))
    }

    async fn journal_entries(&self, chain: Uuid, after: i64, limit: u32) -> Result<Vec<JournalEntry>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::ENTRIES)
            .bind(chain)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::journal_entry).collect()
    }

    async fn journal_snapshot(&self, extra: &[Uuid]) -> Result<JournalSnapshot, StoreError> {
        let mut conn = self.conn().await?;
        let fail = crate::conn::map_err;
        // One moment for every read below; read only, and rolled back when dropped.
        let mut tx = sqlx::Connection::begin(conn.db()).await.map_err(fail)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        let db: &mut sqlx::PgConnection = &mut tx;
        let start: Option<DateTime<Utc>> =
            sqlx::query_scalar(sql::START).fetch_optional(&mut *db).await.map_err(fail)?;
        let registers: Vec<Uuid> = sqlx::query_scalar(sql::REGISTER_IDS).fetch_all(&mut *db).await.map_err(fail)?;
        let heads = sqlx::query(sql::HEADS).fetch_all(&mut *db).await.map_err(fail)?;
        let heads = heads.iter().map(till_sqlx::chain_head).collect::<Result<Vec<_>, _>>()?;
        let mut chains = Vec::new();
        for head in till_core::journal::chains_to_verify(heads, &registers, extra) {
            let rows = sqlx::query(sql::ALL_ENTRIES).bind(head.chain_id).fetch_all(&mut *db).await.map_err(fail)?;
            let entries = rows.iter().map(till_sqlx::journal_entry).collect::<Result<Vec<_>, _>>()?;
            let rows = sqlx::query(sql::ANCHORS).bind(head.chain_id).fetch_all(&mut *db).await.map_err(fail)?;
            let z_anchors = rows.iter().map(till_sqlx::z_anchor).collect::<Result<Vec<_>, _>>()?;
            let expected = match start {
                Some(since) => expected_entries(&mut *db, head.chain_id, since).await?,
                None => Vec::new(),
            };
            chains.push(ChainSnapshot { head, entries, z_anchors, expected });
        }
        Ok(JournalSnapshot { start, registers, chains })
    }
}

/// The business rows a chain must have entries for (those at or after `since`), with the facts
/// their entries must state, as the rows hold them now.
async fn expected_entries(
    db: &mut sqlx::PgConnection,
    chain: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<ExpectedEntry>, StoreError> {
    let fail = crate::conn::map_err;
    if chain == STAFF_CHAIN {
        let rows = sqlx::query(sql::AUTH_EVENTS).bind(since).fetch_all(&mut *db).await.map_err(fail)?;
        let mut out = rows.iter().map(expected::auth_event).collect::<Result<Vec<_>, _>>()?;
        let identity: Option<Uuid> = sqlx::query_scalar(sql::IDENTITY).fetch_optional(&mut *db).await.map_err(fail)?;
        out.extend(identity.map(expected::database_identity));
        // The PIN's digest is computed by the database: a terminal role may not read the hash.
        for row in sqlx::query("SELECT * FROM till_staff_state()").fetch_all(&mut *db).await.map_err(fail)? {
            let pin: String = sqlx::Row::try_get(&row, "pin").map_err(fail)?;
            out.push(expected::user(&row, pin)?);
        }
        for row in sqlx::query(sql::LOCATIONS).fetch_all(&mut *db).await.map_err(fail)? {
            out.push(expected::location(&row)?);
        }
        return Ok(out);
    }
    let lines = chain_rows(&mut *db, sql::LINES, chain, since).await?;
    let tenders = chain_rows(&mut *db, sql::TENDERS, chain, since).await?;
    let sales = chain_rows(&mut *db, sql::SALES, chain, since).await?;
    let mut out = expected::receipts(&sales, &lines, &tenders)?;
    for row in chain_rows(&mut *db, sql::MOVEMENTS, chain, since).await? {
        out.push(expected::movement(&row)?);
    }
    let void_lines = chain_rows(&mut *db, sql::VOID_LINES, chain, since).await?;
    let voids = chain_rows(&mut *db, sql::VOIDS, chain, since).await?;
    out.extend(expected::voids(&voids, &void_lines)?);
    for row in sqlx::query(sql::SESSIONS).bind(chain).fetch_all(&mut *db).await.map_err(fail)? {
        out.extend(expected::session(&row, since)?);
    }
    for row in sqlx::query(sql::ZS).bind(chain).bind(since).fetch_all(&mut *db).await.map_err(fail)? {
        out.push(expected::z(&row)?);
    }
    Ok(out)
}

/// The rows of a chain's query (`$1` the chain, `$2` since when).
async fn chain_rows(
    db: &mut sqlx::PgConnection,
    query: &'static str,
    chain: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<sqlx::postgres::PgRow>, StoreError> {
    sqlx::query(query).bind(chain).bind(since).fetch_all(db).await.map_err(crate::conn::map_err)
}
