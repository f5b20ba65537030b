//! The journal on SQLite: appended by the store inside each operation's `BEGIN IMMEDIATE`
//! transaction (the one writer serialises appends, so a chain cannot fork), with the same
//! chain, body and hash rules as PostgreSQL's functions (till_core::journal).

use crate::{map_err, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::{Row, SqliteConnection};
use till_core::journal::{entry_hash, ChainHead, ExpectedEntry, JournalEntry, NewEntry, GENESIS, STAFF_CHAIN};
use till_core::*;
use till_sqlx::expected;
use till_sqlx::journal as sql;
use uuid::Uuid;

/// Appends one entry to its chain, in the caller's transaction; returns its seq and hash.
pub(crate) async fn append(tx: &mut SqliteConnection, entry: NewEntry) -> Result<(i64, String), StoreError> {
    let head = sqlx::query("SELECT seq, hash FROM journal_heads WHERE chain_id = ?1")
        .bind(entry.chain)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    let head = match head {
        Some(row) => Some((row.try_get("seq").map_err(map_err)?, row.try_get("hash").map_err(map_err)?)),
        None => None,
    };
    append_after(tx, head, entry).await
}

/// [`append`] with the chain's head `(seq, hash)` already read in the caller's transaction
/// (`None`: the chain is new), by an operation that writes no other entry to that chain before.
pub(crate) async fn append_after(
    tx: &mut SqliteConnection,
    head: Option<(i64, String)>,
    entry: NewEntry,
) -> Result<(i64, String), StoreError> {
    let (last, prev) = head.unwrap_or_else(|| (0, GENESIS.to_string()));
    let seq = last + 1;
    let body = entry.body(seq);
    let hash = entry_hash(&prev, &body);
    sqlx::query(
        "INSERT INTO journal (chain_id, seq, at, device, user_id, event, ref_id, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .bind(entry.chain)
    .bind(seq)
    .bind(entry.at)
    .bind(&entry.device)
    .bind(entry.user)
    .bind(entry.event)
    .bind(entry.reference)
    .bind(&body)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    sqlx::query(
        "INSERT INTO journal_heads (chain_id, seq, hash) VALUES (?1, ?2, ?3)
         ON CONFLICT (chain_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(entry.chain)
    .bind(seq)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    Ok((seq, hash))
}

/// Journals a user as it now is on the staff chain, in the caller's transaction (what
/// PostgreSQL's users trigger does): after every change of a user's name, role, active flag or
/// PIN, and once for every user when the baseline is owed.
pub(crate) async fn journal_user(
    tx: &mut SqliteConnection,
    user: Uuid,
    device: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT id, name, role, active, pin_hash FROM users WHERE id = ?1")
        .bind(user)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    let pin: String = row.try_get("pin_hash").map_err(map_err)?;
    let payload = json!({
        "id": user, "name": row.try_get::<String, _>("name").map_err(map_err)?,
        "role": row.try_get::<String, _>("role").map_err(map_err)?,
        "active": row.try_get::<bool, _>("active").map_err(map_err)?,
        "pin": till_core::journal::pin_digest(&pin),
    });
    let entry = NewEntry {
        chain: STAFF_CHAIN,
        at: now,
        device: device.to_string(),
        user: None,
        event: till_core::journal::USER_EVENT,
        reference: Some(user),
        payload,
    };
    append(tx, entry).await.map(|_| ())
}

/// Journals a location as it now is on the staff chain (event `location`, every setting), in
/// the caller's transaction: what PostgreSQL's locations trigger does.
pub(crate) async fn journal_location(
    tx: &mut SqliteConnection,
    location: Uuid,
    device: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT * FROM locations WHERE id = ?1")
        .bind(location)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    let entry = NewEntry {
        chain: STAFF_CHAIN,
        at: now,
        device: device.to_string(),
        user: None,
        event: till_core::journal::LOCATION_EVENT,
        reference: Some(location),
        payload: till_sqlx::location_facts(&row)?,
    };
    append(tx, entry).await.map(|_| ())
}

/// Pays the baseline migration 0016 marked as owed: every existing location journaled, and the
/// mark removed, in the caller's transaction.
pub(crate) async fn pay_location_baseline(tx: &mut SqliteConnection, now: DateTime<Utc>) -> Result<(), StoreError> {
    let owed: Option<i64> = sqlx::query_scalar("SELECT only_row FROM pending_location_baseline")
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    if owed.is_none() {
        return Ok(());
    }
    let locations: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM locations ORDER BY created_at, id")
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
    for location in locations {
        journal_location(tx, location, "database", now).await?;
    }
    sqlx::query("DELETE FROM pending_location_baseline").execute(&mut *tx).await.map_err(map_err)?;
    Ok(())
}

/// Pays the baseline migration 0015 marked as owed: every existing user journaled, and the
/// mark removed, in one transaction.
pub(crate) async fn pay_staff_baseline(tx: &mut SqliteConnection, now: DateTime<Utc>) -> Result<(), StoreError> {
    let owed: Option<i64> = sqlx::query_scalar("SELECT only_row FROM pending_staff_baseline")
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    if owed.is_none() {
        return Ok(());
    }
    let (id, at) = (Uuid::now_v7(), now);
    sqlx::query("INSERT INTO database_identity (only_row, id, created_at) VALUES (1, ?1, ?2)")
        .bind(id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    let identity = NewEntry {
        chain: STAFF_CHAIN,
        at,
        device: "database".into(),
        user: None,
        event: till_core::journal::DATABASE_EVENT,
        reference: Some(id),
        payload: json!({ "id": id, "created_at": till_core::journal::body_time(at) }),
    };
    append(tx, identity).await?;
    let users: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM users ORDER BY created_at, id")
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
    for user in users {
        journal_user(tx, user, "database", now).await?;
    }
    sqlx::query("DELETE FROM pending_staff_baseline").execute(&mut *tx).await.map_err(map_err)?;
    Ok(())
}

/// A session just closed (counted or forced), in the close's transaction: its journal entry,
/// its Z (the register's next number, the grand totals moved by the session's, the chain's
/// head at the close) and the Z's entry. What PostgreSQL's close trigger does.
pub(crate) async fn close_and_make_z(tx: &mut SqliteConnection, session: Uuid) -> Result<(), StoreError> {
    let s = sqlx::query(
        "SELECT register_id, number, closed_at, closing_device, closed_by, counted_cash, expected_cash, variance,
            variance_reason, approved_by, cash_removed, float_left, count_pending, force_close_reason, sales_total,
            refunds_total, cash_net
         FROM sessions WHERE id = ?1",
    )
    .bind(session)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let register: Uuid = s.try_get("register_id").map_err(map_err)?;
    let at: DateTime<Utc> = s.try_get("closed_at").map_err(map_err)?;
    let device: String = s.try_get("closing_device").map_err(map_err)?;
    let closed_by: Uuid = s.try_get("closed_by").map_err(map_err)?;
    let int = |name: &str| s.try_get::<Option<i64>, _>(name).map_err(map_err);
    let payload = json!({
        "id": session, "number": s.try_get::<String, _>("number").map_err(map_err)?,
        "counted_cash": int("counted_cash")?, "expected_cash": int("expected_cash")?, "variance": int("variance")?,
        "variance_reason": s.try_get::<Option<String>, _>("variance_reason").map_err(map_err)?,
        "approved_by": s.try_get::<Option<Uuid>, _>("approved_by").map_err(map_err)?,
        "cash_removed": int("cash_removed")?, "float_left": int("float_left")?,
        "count_pending": s.try_get::<bool, _>("count_pending").map_err(map_err)?,
        "force_close_reason": s.try_get::<Option<String>, _>("force_close_reason").map_err(map_err)?,
    });
    let entry = |event: &'static str, payload: Value| NewEntry {
        chain: register,
        at,
        device: device.clone(),
        user: Some(closed_by),
        event,
        reference: Some(session),
        payload,
    };
    let (close_seq, close_hash) = append(tx, entry("session_close", payload)).await?;
    let (sales, refunds): (i64, i64) =
        (s.try_get("sales_total").map_err(map_err)?, s.try_get("refunds_total").map_err(map_err)?);
    let z = sqlx::query(
        "INSERT INTO register_z_counters (register_id, last_z, grand_sales, grand_refunds) VALUES (?1, 1, ?2, ?3)
         ON CONFLICT (register_id) DO UPDATE SET last_z = last_z + 1, grand_sales = grand_sales + excluded.grand_sales,
            grand_refunds = grand_refunds + excluded.grand_refunds
         RETURNING last_z, grand_sales, grand_refunds",
    )
    .bind(register)
    .bind(sales)
    .bind(refunds)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let (z_number, grand_sales, grand_refunds): (i64, i64, i64) = (
        z.try_get("last_z").map_err(map_err)?,
        z.try_get("grand_sales").map_err(map_err)?,
        z.try_get("grand_refunds").map_err(map_err)?,
    );
    let ends = sqlx::query(
        "SELECT (SELECT number FROM sales WHERE session_id = ?1 ORDER BY receipt_seq LIMIT 1) AS first_receipt,
                (SELECT number FROM sales WHERE session_id = ?1 ORDER BY receipt_seq DESC LIMIT 1) AS last_receipt",
    )
    .bind(session)
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err)?;
    let first: Option<String> = ends.try_get("first_receipt").map_err(map_err)?;
    let last: Option<String> = ends.try_get("last_receipt").map_err(map_err)?;
    sqlx::query(
        "INSERT INTO z_reports (register_id, z_number, session_id, at, first_receipt, last_receipt, grand_sales,
            grand_refunds, journal_seq, journal_head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .bind(register)
    .bind(z_number)
    .bind(session)
    .bind(at)
    .bind(&first)
    .bind(&last)
    .bind(grand_sales)
    .bind(grand_refunds)
    .bind(close_seq)
    .bind(&close_hash)
    .execute(&mut *tx)
    .await
    .map_err(map_err)?;
    // The staff chain's head: the Z's entry records it, so the Z's printed anchor pins the
    // staff chain too (what PostgreSQL's close trigger does).
    let staff: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM journal_heads WHERE chain_id = ?1")
        .bind(STAFF_CHAIN)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    let (staff_seq, staff_hash) = staff.unwrap_or((0, GENESIS.to_string()));
    let payload = json!({
        "z_number": z_number, "session_id": session, "first_receipt": first, "last_receipt": last,
        "sales_total": sales, "refunds_total": refunds, "cash_net": s.try_get::<i64, _>("cash_net").map_err(map_err)?,
        "grand_sales": grand_sales, "grand_refunds": grand_refunds, "journal_seq": close_seq, "journal_head": close_hash,
        "staff_seq": staff_seq, "staff_hash": staff_hash,
    });
    append(tx, entry("z_report", payload)).await?;
    Ok(())
}

#[async_trait]
impl JournalStore for SqliteStore {
    async fn journal_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        let rows = sqlx::query(sql::HEADS).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::chain_head).collect()
    }

    async fn database_identity(&self) -> Result<Option<Uuid>, StoreError> {
        sqlx::query_scalar(sql::IDENTITY).fetch_optional(&self.reader).await.map_err(map_err)
    }

    async fn journal_entries(&self, chain: Uuid, after: i64, limit: u32) -> Result<Vec<JournalEntry>, StoreError> {
        let rows = sqlx::query(sql::ENTRIES)
            .bind(chain)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?;
        rows.iter().map(till_sqlx::journal_entry).collect()
    }

    async fn journal_snapshot(&self, extra: &[Uuid]) -> Result<JournalSnapshot, StoreError> {
        // One read transaction: in WAL mode it reads one snapshot from its first read on.
        let mut tx = self.reader.begin().await.map_err(map_err)?;
        let db: &mut SqliteConnection = &mut tx;
        let start: Option<chrono::NaiveDateTime> =
            sqlx::query_scalar(sql::START).fetch_optional(&mut *db).await.map_err(map_err)?;
        let start = start.map(|t| t.and_utc());
        let registers: Vec<Uuid> = sqlx::query_scalar(sql::REGISTER_IDS).fetch_all(&mut *db).await.map_err(map_err)?;
        let heads = sqlx::query(sql::HEADS).fetch_all(&mut *db).await.map_err(map_err)?;
        let heads = heads.iter().map(till_sqlx::chain_head).collect::<Result<Vec<_>, _>>()?;
        let mut chains = Vec::new();
        for head in till_core::journal::chains_to_verify(heads, &registers, extra) {
            let rows = sqlx::query(sql::ALL_ENTRIES).bind(head.chain_id).fetch_all(&mut *db).await.map_err(map_err)?;
            let entries = rows.iter().map(till_sqlx::journal_entry).collect::<Result<Vec<_>, _>>()?;
            let rows = sqlx::query(sql::ANCHORS).bind(head.chain_id).fetch_all(&mut *db).await.map_err(map_err)?;
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
    conn: &mut SqliteConnection,
    chain: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<ExpectedEntry>, StoreError> {
    if chain == STAFF_CHAIN {
        let rows = sqlx::query(sql::AUTH_EVENTS).bind(since).fetch_all(&mut *conn).await.map_err(map_err)?;
        let mut out = rows.iter().map(expected::auth_event).collect::<Result<Vec<_>, _>>()?;
        let identity: Option<Uuid> =
            sqlx::query_scalar(sql::IDENTITY).fetch_optional(&mut *conn).await.map_err(map_err)?;
        out.extend(identity.map(expected::database_identity));
        for row in sqlx::query(sql::USERS).fetch_all(&mut *conn).await.map_err(map_err)? {
            let pin: String = row.try_get("pin_hash").map_err(map_err)?;
            out.push(expected::user(&row, till_core::journal::pin_digest(&pin))?);
        }
        for row in sqlx::query(sql::LOCATIONS).fetch_all(&mut *conn).await.map_err(map_err)? {
            out.push(expected::location(&row)?);
        }
        return Ok(out);
    }
    let lines = chain_rows(&mut *conn, sql::LINES, chain, since).await?;
    let tenders = chain_rows(&mut *conn, sql::TENDERS, chain, since).await?;
    let sales = chain_rows(&mut *conn, sql::SALES, chain, since).await?;
    let mut out = expected::receipts(&sales, &lines, &tenders)?;
    for row in chain_rows(&mut *conn, sql::MOVEMENTS, chain, since).await? {
        out.push(expected::movement(&row)?);
    }
    let void_lines = chain_rows(&mut *conn, sql::VOID_LINES, chain, since).await?;
    let voids = chain_rows(&mut *conn, sql::VOIDS, chain, since).await?;
    out.extend(expected::voids(&voids, &void_lines)?);
    for row in sqlx::query(sql::SESSIONS).bind(chain).fetch_all(&mut *conn).await.map_err(map_err)? {
        out.extend(expected::session(&row, since)?);
    }
    for row in sqlx::query(sql::ZS).bind(chain).bind(since).fetch_all(&mut *conn).await.map_err(map_err)? {
        out.push(expected::z(&row)?);
    }
    Ok(out)
}

/// The rows of a chain's query (`$1` the chain, `$2` since when).
async fn chain_rows(
    conn: &mut SqliteConnection,
    query: &'static str,
    chain: Uuid,
    since: DateTime<Utc>,
) -> Result<Vec<sqlx::sqlite::SqliteRow>, StoreError> {
    sqlx::query(query).bind(chain).bind(since).fetch_all(conn).await.map_err(map_err)
}
