//! Register sessions. Each start and close is one `BEGIN IMMEDIATE` transaction on the single
//! writer connection: the write lock orders it against every other write, in this process and
//! in others, so the checks inside it see the last committed state.

use crate::journal::append;
use crate::{decode_err, map_err, SqliteStore};
use async_trait::async_trait;
use serde_json::json;
use sqlx::{Row, SqliteConnection};
use till_core::journal::NewEntry;
use till_core::*;
use till_sqlx::sql;
use uuid::Uuid;

impl SqliteStore {
    pub(crate) async fn session_by_id(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Session>, StoreError> {
        sqlx::query(sql::SESSION_BY_ID)
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(map_err)?
            .map(|row| till_sqlx::session(&row))
            .transpose()
    }

    async fn with_joins(&self, mut session: Session) -> Result<Session, StoreError> {
        let rows =
            sqlx::query(till_sqlx::JOINS_SQL).bind(session.id.0).fetch_all(&self.reader).await.map_err(map_err)?;
        session.joins = rows.iter().map(till_sqlx::join).collect::<Result<_, _>>()?;
        Ok(session)
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn start_shift(&self, start: StartShift) -> Result<ShiftStarted, StoreError> {
        let mut tx = self.write().await?;
        // One clock per operation, read once the write lock is held.
        let at = self.now();
        let user =
            crate::login_user(&mut tx, &start.login, start.device.as_str(), start.register_id, self.now()).await?;

        // A repeated request answers what the first one did: the session it created (whose id
        // is the request id), or the one whose join it recorded.
        let repeated = sqlx::query(
            "SELECT id AS session_id, opened_by AS user_id FROM sessions WHERE id = ?1
             UNION ALL SELECT session_id, user_id FROM session_joins WHERE request_id = ?1
             UNION ALL SELECT session_id, user_id FROM shift_requests WHERE request_id = ?1",
        )
        .bind(start.request_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(repeated) = repeated {
            let id: Uuid = repeated.try_get("session_id").map_err(map_err)?;
            let by: Uuid = repeated.try_get("user_id").map_err(map_err)?;
            let session = Self::session_by_id(&mut tx, id)
                .await?
                .ok_or_else(|| StoreFailure::Internal("a session vanished inside its transaction".into()))?;
            let joined = session.id.0 != start.request_id.0;
            let same_content = session.register_id == start.register_id
                && by == user.id.0
                && (joined || start.opening_cash == Some(session.opening_cash));
            if !same_content {
                return Err(Refusal::IdempotencyConflict(format!(
                    "request {} was already used for a different request",
                    start.request_id
                ))
                .into());
            }
            return Ok(ShiftStarted { joined, session });
        }

        let user_name = user.name.clone();

        let open = sqlx::query("SELECT * FROM sessions WHERE register_id = ? AND status = 'open'")
            .bind(start.register_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .map(|row| till_sqlx::session(&row))
            .transpose()?;
        let (session_id, joined) = match open {
            Some(open) => {
                // Never into a forgotten session: a manager force-closes it first.
                crate::refuse_forgotten(&mut tx, &open, self.now()).await?;
                let id = open.id.0;
                // The first join of a user and device is recorded with its request id; a repeat
                // join records only its request id, so a retry of it answers this join.
                let recorded = sqlx::query(
                    "INSERT INTO session_joins (session_id, user_id, device, joined_at, request_id)
                     VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, user_id, device) DO NOTHING",
                )
                .bind(id)
                .bind(user.id.0)
                .bind(start.device.as_str())
                .bind(at)
                .bind(start.request_id.0)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                if recorded.rows_affected() == 1 {
                    let register: Uuid = sqlx::query_scalar("SELECT register_id FROM sessions WHERE id = ?1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(map_err)?;
                    let entry = NewEntry {
                        chain: register,
                        at,
                        device: start.device.to_string(),
                        user: Some(user.id.0),
                        event: "session_join",
                        reference: Some(id),
                        payload: json!({ "session_id": id, "user_id": user.id.0 }),
                    };
                    append(&mut tx, entry).await?;
                } else {
                    sqlx::query("INSERT INTO shift_requests (request_id, session_id, user_id, at) VALUES (?, ?, ?, ?)")
                        .bind(start.request_id.0)
                        .bind(id)
                        .bind(user.id.0)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
                (id, true)
            }
            None => {
                let Some(opening_cash) = start.opening_cash else {
                    return Err(Refusal::NoOpenSession { register: start.register_id.to_string() }.into());
                };
                let place = sqlx::query(
                    "SELECT r.location_id, l.code AS location_code, r.code AS register_code, l.currency,
                            l.timezone, l.cutoff_minutes
                     FROM registers r JOIN locations l ON l.id = r.location_id WHERE r.id = ?",
                )
                .bind(start.register_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?
                .ok_or_else(|| StoreError::not_found(Entity::Register, start.register_id))?;
                let location: Uuid = place.try_get("location_id").map_err(map_err)?;
                let location_code: String = place.try_get("location_code").map_err(map_err)?;
                let zone: String = place.try_get("timezone").map_err(map_err)?;
                let cutoff: i32 = place.try_get("cutoff_minutes").map_err(map_err)?;
                let zone = TimeZone::parse(&zone).map_err(|_| decode_err("time zone", &zone))?;
                let cutoff = Cutoff::from_minutes(cutoff).map_err(|_| decode_err("cut-off", &cutoff.to_string()))?;
                let day = business_day(at, zone, cutoff);
                let seq: i64 = sqlx::query_scalar(
                    "INSERT INTO day_counters (location_id, business_day, last_seq) VALUES (?, ?, 1)
                     ON CONFLICT (location_id, business_day) DO UPDATE SET last_seq = last_seq + 1
                     RETURNING last_seq",
                )
                .bind(location)
                .bind(day)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
                // The float carried over: what the register's last close left in the drawer.
                let float_expected: Option<i64> = sqlx::query_scalar(
                    "SELECT float_left FROM sessions WHERE register_id = ?1 AND status = 'closed'
                     ORDER BY closed_at DESC LIMIT 1",
                )
                .bind(start.register_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?
                .flatten();
                let number = session_number(&location_code, day, seq);
                sqlx::query(
                    "INSERT INTO sessions (id, register_id, register_code, location_code, currency, location_id,
                        business_day, day_seq, number, status, opened_by, opened_by_name, opened_at,
                        opening_device, opening_cash, notes, float_expected)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(start.request_id.0)
                .bind(start.register_id.0)
                .bind(place.try_get::<String, _>("register_code").map_err(map_err)?)
                .bind(&location_code)
                .bind(place.try_get::<String, _>("currency").map_err(map_err)?)
                .bind(location)
                .bind(day)
                .bind(seq)
                .bind(&number)
                .bind(user.id.0)
                .bind(user_name)
                .bind(at)
                .bind(start.device.as_str())
                .bind(opening_cash.minor())
                .bind(start.notes.as_ref().map(Notes::as_str))
                .bind(float_expected)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                let entry = NewEntry {
                    chain: start.register_id.0,
                    at,
                    device: start.device.to_string(),
                    user: Some(user.id.0),
                    event: "session_open",
                    reference: Some(start.request_id.0),
                    payload: json!({
                        "id": start.request_id.0, "number": number, "opening_cash": opening_cash.minor(),
                        "float_expected": float_expected,
                    }),
                };
                append(&mut tx, entry).await?;
                (start.request_id.0, false)
            }
        };
        let session = Self::session_by_id(&mut tx, session_id)
            .await?
            .ok_or_else(|| StoreFailure::Internal("a session vanished inside its transaction".into()))?;
        tx.commit().await.map_err(map_err)?;
        Ok(ShiftStarted { session, joined })
    }

    async fn close_shift(&self, close: CloseShift) -> Result<Session, StoreError> {
        crate::cash::count_adds_up(&close.denominations, close.counted_cash, "the counted cash")?;
        let approver = self.approver(&close.actor, close.device.as_str()).await?;
        let mut tx = self.write().await?;
        let at = self.now();
        let (user, _) =
            crate::session_actor(&mut tx, close.session, None, &close.actor.login, close.device.as_str(), self.now())
                .await?;
        // This very close, repeated (its answer was lost): answer it again.
        let repeated: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM sessions WHERE id = ? AND close_request_id = ?")
                .bind(close.session.0)
                .bind(close.request_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        if let Some(id) = repeated {
            return Self::session_by_id(&mut tx, id)
                .await?
                .ok_or_else(|| StoreFailure::Internal("a session vanished inside its transaction".into()).into());
        }
        let row = sqlx::query(
            "SELECT status, opening_cash, cash_net, location_id, refused_counts FROM sessions WHERE id = ?",
        )
        .bind(close.session.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::not_found(Entity::Session, close.session))?;
        let status: String = row.try_get("status").map_err(map_err)?;
        let expected = till_core::cash::expected_cash(
            row.try_get("opening_cash").map_err(map_err)?,
            row.try_get("cash_net").map_err(map_err)?,
        );
        if status == "open" {
            // The closer: the approving manager, or the login's user if a manager. (Closed by
            // another close, the answer is that, as PostgreSQL's function gives it.)
            let closer = crate::answering_manager(approver, &user)
                .ok_or_else(|| Refusal::Forbidden { user: user.name.clone(), role: user.role.to_string() })?;
            let variance = close
                .counted_cash
                .minor()
                .checked_sub(expected)
                .ok_or_else(|| Refusal::Rejected("variance out of range".into()))?;
            if close.float_left.minor() > close.counted_cash.minor() || close.float_left.minor() < 0 {
                return Err(Refusal::Rejected("the float left is more than the count".into()).into());
            }
            // Above the location's limit, the variance needs a manager's sign-off with a reason;
            // the refusal says nothing of the expected cash (the count is blind).
            let location = LocationId(row.try_get("location_id").map_err(map_err)?);
            let refused: i64 = row.try_get("refused_counts").map_err(map_err)?;
            let reason = close.sign_off.as_ref().map(|s| s.reason.trim()).filter(|r| !r.is_empty());
            let signed =
                crate::cash::variance_limit(&mut tx, location).await?.check_close(variance, reason, refused)?;
            // The closing manager signs off; a reason given within the limit is kept unsigned.
            let signed_by = signed.then(|| (closer.id.0, closer.name.clone()));
            crate::cash::store_count(&mut tx, close.session, "close", &close.denominations).await?;
            sqlx::query(
                "UPDATE sessions SET status = 'closed', closed_by = ?, closed_by_name = ?, closed_at = ?,
                    closing_device = ?, counted_cash = ?, expected_cash = ?, variance = ?, close_request_id = ?,
                    cash_removed = ?, float_left = ?, variance_reason = ?, approved_by = ?, approved_by_name = ?
                 WHERE id = ?",
            )
            .bind(closer.id.0)
            .bind(&closer.name)
            .bind(at)
            .bind(close.device.as_str())
            .bind(close.counted_cash.minor())
            .bind(expected)
            .bind(variance)
            .bind(close.request_id.0)
            .bind(close.counted_cash.minor() - close.float_left.minor())
            .bind(close.float_left.minor())
            .bind(reason)
            .bind(signed_by.as_ref().map(|a| a.0))
            .bind(signed_by.as_ref().map(|a| a.1.clone()))
            .bind(close.session.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            crate::journal::close_and_make_z(&mut tx, close.session.0).await?;
        }
        let session = Self::session_by_id(&mut tx, close.session.0)
            .await?
            .ok_or_else(|| StoreFailure::Internal("a session vanished inside its transaction".into()))?;
        tx.commit().await.map_err(map_err)?;
        if status != "open" {
            return Err(session.already_closed());
        }
        Ok(session)
    }

    async fn find_session(&self, session: &SessionRef) -> Result<Session, StoreError> {
        let query = match session {
            SessionRef::Id(id) => sqlx::query(sql::SESSION_BY_ID).bind(id.0),
            SessionRef::Number(n) => sqlx::query(sql::SESSION_BY_NUMBER).bind(n.as_str()),
        };
        let row = query
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Session, session))?;
        self.with_joins(till_sqlx::session(&row)?).await
    }

    async fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>, StoreError> {
        let register = match &filter.register {
            Some(r) => Some(self.find_register(r).await?.id.0),
            None => None,
        };
        let rows = sqlx::query(
            "SELECT * FROM sessions
             WHERE (?1 IS NULL OR location_code = ?1) AND (?2 IS NULL OR register_id = ?2)
               AND (?3 IS NULL OR status = ?3)
             ORDER BY opened_at DESC, number DESC LIMIT ?4",
        )
        .bind(filter.location.as_ref().map(LocationCode::as_str))
        .bind(register)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(i64::from(filter.limit.unwrap_or(1000)))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter().map(till_sqlx::session).collect()
    }

    async fn latest_session(&self, register: RegisterId) -> Result<Option<Session>, StoreError> {
        let row =
            sqlx::query(sql::LATEST_SESSION).bind(register.0).fetch_optional(&self.reader).await.map_err(map_err)?;
        match row {
            Some(row) => Ok(Some(self.with_joins(till_sqlx::session(&row)?).await?)),
            None => Ok(None),
        }
    }
}
