//! Register sessions: one function call per start and per close.

use crate::conn::map_err;
use crate::PostgresStore;
use async_trait::async_trait;
use sqlx::Row;
use till_core::*;
use till_sqlx::sql;

impl PostgresStore {
    async fn with_joins(conn: &mut crate::conn::Conn<'_>, mut session: Session) -> Result<Session, StoreError> {
        let rows = sqlx::query(till_sqlx::JOINS_SQL)
            .bind(session.id.0)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        session.joins = rows.iter().map(till_sqlx::join).collect::<Result<_, _>>()?;
        Ok(session)
    }
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn start_shift(&self, start: StartShift) -> Result<ShiftStarted, StoreError> {
        let request = serde_json::json!({
            "request_id": start.request_id.0, "register_id": start.register_id.0,
            "login": start.login.expose(), "opening_cash": start.opening_cash.map(|cash| cash.minor()),
            "device": start.device.as_str(), "notes": start.notes.as_ref().map(Notes::as_str),
        });
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT (f.session).*, f.joined FROM till_start_shift($1) f")
            .bind(sqlx::types::Json(request))
            .fetch_one(conn.db())
            .await
            .map_err(|e| match conn.fail(e) {
                StoreError::Refused(Refusal::NotFound { entity: Entity::Register, .. }) => {
                    StoreError::not_found(Entity::Register, start.register_id)
                }
                StoreError::Refused(Refusal::NoOpenSession { .. }) => {
                    Refusal::NoOpenSession { register: start.register_id.to_string() }.into()
                }
                other => other,
            })?;
        let joined: bool = row.try_get("joined").map_err(map_err)?;
        Ok(ShiftStarted { session: till_sqlx::session(&row)?, joined })
    }

    async fn close_shift(&self, close: CloseShift) -> Result<Session, StoreError> {
        let request = serde_json::json!({
            "session_id": close.session.0, "request_id": close.request_id.0,
            "counted_cash": close.counted_cash.minor(), "float_left": close.float_left.minor(),
            "device": close.device.as_str(), "denominations": close.denominations,
            "variance_reason": close.sign_off.as_ref().map(|s| s.reason.as_str()),
        });
        let request = self.acting("close", request, &close.actor, close.device.as_str()).await?;
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT (f.session).*, f.already_closed FROM till_close_session($1) f")
            .bind(sqlx::types::Json(request))
            .fetch_one(conn.db())
            .await
            .map_err(|e| match conn.fail(e) {
                StoreError::Refused(Refusal::NotFound { entity: Entity::Session, .. }) => {
                    StoreError::not_found(Entity::Session, close.session)
                }
                other => other,
            })?;
        let session = till_sqlx::session(&row)?;
        if row.try_get::<bool, _>("already_closed").map_err(map_err)? {
            return Err(session.already_closed());
        }
        Ok(session)
    }

    async fn find_session(&self, session: &SessionRef) -> Result<Session, StoreError> {
        let mut conn = self.conn().await?;
        let query = match session {
            SessionRef::Id(id) => sqlx::query(sql::SESSION_BY_ID).bind(id.0),
            SessionRef::Number(n) => sqlx::query(sql::SESSION_BY_NUMBER).bind(n.as_str()),
        };
        let row = query
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Session, session))?;
        Self::with_joins(&mut conn, till_sqlx::session(&row)?).await
    }

    async fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>, StoreError> {
        let register = match &filter.register {
            Some(r) => Some(self.find_register(r).await?.id.0),
            None => None,
        };
        let mut conn = self.conn().await?;
        let rows = sqlx::query(
            "SELECT * FROM sessions
             WHERE ($1::text IS NULL OR location_code = $1) AND ($2::uuid IS NULL OR register_id = $2)
               AND ($3::text IS NULL OR status = $3)
             ORDER BY opened_at DESC, number DESC LIMIT $4",
        )
        .bind(filter.location.as_ref().map(LocationCode::as_str))
        .bind(register)
        .bind(filter.status.map(|s| s.as_str()))
        .bind(i64::from(filter.limit.unwrap_or(1000)))
        .fetch_all(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::session).collect()
    }

    async fn latest_session(&self, register: RegisterId) -> Result<Option<Session>, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::LATEST_SESSION)
            .bind(register.0)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        match row {
            Some(row) => Ok(Some(Self::with_joins(&mut conn, till_sqlx::session(&row)?).await?)),
            None => Ok(None),
        }
    }
}
