//! Cash control: each movement, force-close, late count, reprint and void is one call of its
//! function (migrations/postgres/functions/), ordered against a close by the session's row lock
//! and journaled in its transaction.

use crate::conn::map_err;
use crate::PostgresStore;
use async_trait::async_trait;
use serde_json::json;
use sqlx::Row;
use till_core::*;
use till_sqlx::cash as sql;

impl PostgresStore {
    async fn closing_function(&self, query: &str, request: serde_json::Value) -> Result<(Session, bool), StoreError> {
        let mut conn = self.conn().await?;
        let row =
            sqlx::query(query).bind(sqlx::types::Json(request)).fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
        let session = till_sqlx::session(&row)?;
        let flag: bool = row.try_get("flag").map_err(map_err)?;
        Ok((session, flag))
    }
}

/// A void's own refusals (functions/till_record_void.sql), then everyone's.
fn void_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let message = db.message().to_string();
        match db.code().as_deref() {
            Some("TL426") => return StoreError::not_found(Entity::Product, message),
            Some("23505") if db.constraint() == Some("voids_pkey") => {
                return Refusal::IdempotencyConflict(message).into()
            }
            _ => {}
        }
    }
    map_err(e)
}

impl PostgresStore {
    /// The void recorded under `id`, with its lines and its request's fingerprint, if any.
    async fn read_void(&self, id: VoidId) -> Result<Option<Prior<VoidRecorded>>, StoreError> {
        let mut conn = self.conn().await?;
        let Some(row) = sqlx::query(sql::VOID).bind(id.0).fetch_optional(conn.db()).await.map_err(|e| conn.fail(e))?
        else {
            return Ok(None);
        };
        let lines = sqlx::query(sql::VOID_LINES).bind(id.0).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        let lines = lines.iter().map(till_sqlx::voided_line).collect::<Result<Vec<_>, _>>()?;
        till_sqlx::prior_void(&row, lines).map(Some)
    }
}

#[async_trait]
impl CashStore for PostgresStore {
    async fn cash_reasons(&self, location: &LocationCode) -> Result<Vec<CashReason>, StoreError> {
        let mut conn = self.conn().await?;
        let rows =
            sqlx::query(sql::REASONS).bind(location.as_str()).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::cash_reason).collect()
    }

    async fn add_cash_reason(&self, location: &LocationCode, reason: CashReason) -> Result<CashReason, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::ADD_REASON)
            .bind(location.as_str())
            .bind(reason.kind.as_str())
            .bind(&reason.code)
            .bind(&reason.label)
            .bind(reason.position)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail_unique(e, Entity::CashReason, format!("{} {}", reason.kind.as_str(), reason.code)))?
            .ok_or_else(|| StoreError::not_found(Entity::Location, location))?;
        till_sqlx::cash_reason(&row)
    }

    async fn record_movement(&self, m: NewCashMovement) -> Result<(CashMovement, bool), StoreError> {
        let request = json!({
            "id": m.id.0, "session_id": m.session_id.0, "register_id": m.register_id.0, "kind": m.kind.as_str(),
            "amount": m.amount, "reason": m.reason, "note": m.note,
            "device": m.device.as_str(), "request_hash": m.request_hash,
        });
        let request = self.acting("cash_movement", request, &m.actor, m.device.as_str()).await?;
        let mut conn = self.conn().await?;
        let repeated: bool = sqlx::query_scalar("SELECT repeated FROM till_record_cash_movement($1)")
            .bind(sqlx::types::Json(request))
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        let row = sqlx::query(sql::MOVEMENT).bind(m.id.0).fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
        Ok((till_sqlx::cash_movement(&row)?, repeated))
    }

    async fn prior_movement(&self, id: MovementId) -> Result<Option<Prior<CashMovement>>, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::MOVEMENT).bind(id.0).fetch_optional(conn.db()).await.map_err(|e| conn.fail(e))?;
        row.map(|row| till_sqlx::prior_movement(&row)).transpose()
    }

    async fn list_movements(&self, session: SessionId) -> Result<Vec<CashMovement>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::MOVEMENTS).bind(session.0).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::cash_movement).collect()
    }

    async fn force_close(&self, close: ForceClose) -> Result<Session, StoreError> {
        let request = json!({
            "session_id": close.session.0, "request_id": close.request_id.0,
            "reason": close.reason, "device": close.device.as_str(),
        });
        let request = self.acting("force_close", request, &close.actor, close.device.as_str()).await?;
        let query = "SELECT (f.session).*, f.already_closed AS flag FROM till_force_close($1) f";
        let (session, already_closed) = self.closing_function(query, request).await?;
        if already_closed {
            return Err(session.already_closed());
        }
        Ok(session)
    }

    async fn late_count(&self, count: LateCount) -> Result<Session, StoreError> {
        let request = json!({
            "session_id": count.session.0, "counted_cash": count.counted_cash.minor(),
            "float_left": count.float_left.minor(), "denominations": count.denominations,
            "variance_reason": count.variance_reason, "device": count.device.as_str(),
        });
        let request = self.acting("late_count", request, &count.actor, count.device.as_str()).await?;
        let query = "SELECT (f.session).*, f.repeated AS flag FROM till_late_count($1) f";
        Ok(self.closing_function(query, request).await?.0)
    }

    async fn record_reprint(
        &self,
        session: SessionId,
        number: &str,
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let request =
            json!({ "session_id": session.0, "number": number, "login": login.expose(), "device": device.as_str() });
        sqlx::query("SELECT till_record_reprint($1)")
            .bind(sqlx::types::Json(request))
            .execute(conn.db())
            .await
            .map_err(|e| conn.fail_with(e, crate::sales::receipt_error))?;
        Ok(())
    }

    async fn record_void(&self, v: NewVoid) -> Result<VoidRecorded, StoreError> {
        let request = json!({
            "id": v.id.0, "session_id": v.session_id.0, "register_id": v.register_id.0, "kind": v.kind.as_str(),
            "lines": v.lines, "login": v.login.expose(), "device": v.device.as_str(), "request_hash": v.request_hash,
        });
        {
            let mut conn = self.conn().await?;
            sqlx::query("SELECT repeated FROM till_record_void($1)")
                .bind(sqlx::types::Json(request))
                .execute(conn.db())
                .await
                .map_err(|e| conn.fail_with(e, void_error))?;
        }
        let prior = self.read_void(v.id).await?;
        let prior = prior.ok_or_else(|| StoreFailure::Internal(format!("void {} not read back", v.id)))?;
        Ok(prior.answer(&v.request_hash, "void")?)
    }

    async fn prior_void(&self, id: VoidId) -> Result<Option<Prior<VoidRecorded>>, StoreError> {
        self.read_void(id).await
    }

    async fn refuse_count(
        &self,
        session: SessionId,
        counted: i64,
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let request = json!({ "session_id": session.0, "counted_cash": counted, "login": login.expose(), "device": device.as_str() });
        sqlx::query("SELECT till_refuse_count($1)")
            .bind(sqlx::types::Json(request))
            .execute(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        Ok(())
    }

    async fn record_opening_count(
        &self,
        session: SessionId,
        denominations: &[DenominationCount],
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let request = json!({
            "session_id": session.0, "denominations": denominations, "login": login.expose(), "device": device.as_str(),
        });
        sqlx::query("SELECT till_record_opening_count($1)")
            .bind(sqlx::types::Json(request))
            .execute(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        Ok(())
    }

    async fn opening_count(&self, session: SessionId) -> Result<Vec<DenominationCount>, StoreError> {
        let mut conn = self.conn().await?;
        let rows =
            sqlx::query(sql::OPENING_COUNT).bind(session.0).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::denomination).collect()
    }

    async fn closing_count(&self, session: SessionId) -> Result<Vec<DenominationCount>, StoreError> {
        let mut conn = self.conn().await?;
        let rows =
            sqlx::query(sql::CLOSING_COUNT).bind(session.0).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::denomination).collect()
    }

    async fn z_record(&self, session: SessionId) -> Result<Option<ZRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let row =
            sqlx::query(sql::Z_OF_SESSION).bind(session.0).fetch_optional(conn.db()).await.map_err(|e| conn.fail(e))?;
        row.as_ref().map(till_sqlx::z_record).transpose()
    }

    async fn list_z(&self, filter: &ZFilter) -> Result<Vec<ZRecord>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::Z_LIST)
            .bind(filter.location.as_ref().map(|l| l.as_str().to_string()))
            .bind(filter.register.map(|r| r.0))
            .bind(filter.from)
            .bind(filter.to)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::z_record).collect()
    }
}
