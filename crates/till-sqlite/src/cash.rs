//! Cash control on SQLite: each movement, force-close, late count, reprint and void is one
//! `BEGIN IMMEDIATE` transaction (so the session read as open stays open until it commits), with
//! the checks PostgreSQL's functions make, and its journal entry.

use crate::journal::{append, close_and_make_z};
use crate::{map_err, SqliteStore};
use async_trait::async_trait;
use serde_json::json;
use sqlx::SqliteConnection;
use till_core::journal::NewEntry;
use till_core::*;
use till_sqlx::cash as sql;
use uuid::Uuid;

/// The session as a write left it, read inside the write's transaction.
async fn locked_session(tx: &mut SqliteConnection, id: SessionId) -> Result<Session, StoreError> {
    SqliteStore::session_by_id(tx, id.0).await?.ok_or_else(|| StoreError::not_found(Entity::Session, id))
}

/// The location's limit on a variance, read in the caller's transaction.
pub(crate) async fn variance_limit(
    tx: &mut SqliteConnection,
    location: LocationId,
) -> Result<VarianceLimit, StoreError> {
    let limit_minor = sqlx::query_scalar("SELECT variance_limit_minor FROM locations WHERE id = ?1")
        .bind(location.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
    Ok(VarianceLimit { limit_minor })
}

/// A count's notes and coins add up to `expected` (`what` names it), as PostgreSQL's
/// till_count_adds_up checks: what the store keeps as a count always adds up, whoever calls it.
pub(crate) fn count_adds_up(counts: &[DenominationCount], expected: Money, what: &str) -> Result<(), StoreError> {
    DenominationCount::check_adds_up(counts, expected, what).map_err(|e| Refusal::Rejected(e.to_string()).into())
}

/// Stores a count's denominations (`stage`: `open` or `close`).
pub(crate) async fn store_count(
    tx: &mut SqliteConnection,
    session: SessionId,
    stage: &str,
    counts: &[DenominationCount],
) -> Result<(), StoreError> {
    for c in counts {
        sqlx::query("INSERT INTO cash_counts (session_id, stage, denomination, count) VALUES (?1, ?4, ?2, ?3)")
            .bind(session.0)
            .bind(c.denomination)
            .bind(i64::from(c.count))
            .bind(stage)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

/// The void recorded under `id`, with its lines and its request's fingerprint, if any.
async fn read_void(conn: &mut SqliteConnection, id: VoidId) -> Result<Option<Prior<VoidRecorded>>, StoreError> {
    let Some(row) = sqlx::query(sql::VOID).bind(id.0).fetch_optional(&mut *conn).await.map_err(map_err)? else {
        return Ok(None);
    };
    let lines = sqlx::query(sql::VOID_LINES).bind(id.0).fetch_all(&mut *conn).await.map_err(map_err)?;
    let lines = lines.iter().map(till_sqlx::voided_line).collect::<Result<Vec<_>, _>>()?;
    till_sqlx::prior_void(&row, lines).map(Some)
}

#[async_trait]
impl CashStore for SqliteStore {
    async fn cash_reasons(&self, location: &LocationCode) -> Result<Vec<CashReason>, StoreError> {
        let rows = sqlx::query(sql::REASONS).bind(location.as_str()).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::cash_reason).collect()
    }

    async fn add_cash_reason(&self, location: &LocationCode, reason: CashReason) -> Result<CashReason, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::ADD_REASON)
            .bind(location.as_str())
            .bind(reason.kind.as_str())
            .bind(&reason.code)
            .bind(&reason.label)
            .bind(reason.position)
            .fetch_optional(&mut *tx)
            .await
            .map_err(crate::exists_or(Entity::CashReason, format!("{} {}", reason.kind.as_str(), reason.code)))?
            .ok_or_else(|| StoreError::not_found(Entity::Location, location))?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::cash_reason(&row)
    }

    async fn record_movement(&self, m: NewCashMovement) -> Result<(CashMovement, bool), StoreError> {
        let approver = self.approver(&m.actor, m.device.as_str()).await?;
        let mut tx = self.write().await?;
        let (user, session) = crate::session_actor(
            &mut tx,
            m.session_id,
            Some(m.register_id),
            &m.actor.login,
            m.device.as_str(),
            self.now(),
        )
        .await?;
        if session.register_id != m.register_id {
            return Err(StoreError::not_found(
                Entity::Session,
                format!("{} of register {}", m.session_id, m.register_id),
            ));
        }
        let earlier: Option<String> = sqlx::query_scalar("SELECT request_hash FROM cash_movements WHERE id = ?1")
            .bind(m.id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if let Some(hash) = earlier {
            if hash != m.request_hash {
                return Err(Refusal::IdempotencyConflict(format!("cash movement id {} was already used", m.id)).into());
            }
            let row = sqlx::query(sql::MOVEMENT).bind(m.id.0).fetch_one(&mut *tx).await.map_err(map_err)?;
            return Ok((till_sqlx::cash_movement(&row)?, true));
        }
        if session.status != SessionStatus::Open {
            return Err(Refusal::SessionClosed(session.number).into());
        }
        crate::refuse_forgotten(&mut tx, &session, self.now()).await?;
        if m.amount < 0 || m.amount > Money::MAX_CASH_MINOR || (m.kind == MovementKind::NoSale) != (m.amount == 0) {
            return Err(Refusal::Rejected(format!("amount {} for a {}", m.amount, m.kind.as_str())).into());
        }
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM cash_reasons WHERE location_id = ?1 AND kind = ?2 AND code = ?3")
                .bind(session.location_id.0)
                .bind(m.kind.as_str())
                .bind(&m.reason)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        if known.is_none() {
            return Err(StoreError::not_found(Entity::CashReason, format!("{} ({})", m.reason, m.kind.as_str())));
        }
        let limit: i64 = sqlx::query_scalar("SELECT cash_out_limit_minor FROM locations WHERE id = ?1")
            .bind(session.location_id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let taken_out: i64 = sqlx::query_scalar("SELECT paid_out_total + drops_total FROM sessions WHERE id = ?1")
            .bind(session.id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let approved_by = if m.kind.needs_manager(m.amount, taken_out, limit) {
            let manager = crate::answering_manager(approver, &user)
                .ok_or_else(|| Refusal::ApprovalNeeded(format!("a {} above {limit} minor units", m.kind.as_str())))?;
            Some(manager.id)
        } else {
            None
        };
        let at = self.now();
        sqlx::query(
            "INSERT INTO cash_movements (id, session_id, register_id, location_id, kind, amount, reason, note, user_id,
                user_name, approved_by, device, at, request_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )
        .bind(m.id.0)
        .bind(session.id.0)
        .bind(session.register_id.0)
        .bind(session.location_id.0)
        .bind(m.kind.as_str())
        .bind(m.amount)
        .bind(&m.reason)
        .bind(&m.note)
        .bind(user.id.0)
        .bind(&user.name)
        .bind(approved_by.map(|u| u.0))
        .bind(m.device.as_str())
        .bind(at)
        .bind(&m.request_hash)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let is = |kind: MovementKind| i64::from(m.kind == kind);
        sqlx::query(
            "UPDATE sessions SET cash_net = cash_net + ?2,
                paid_in_count = paid_in_count + ?3, paid_in_total = paid_in_total + ?3 * ?7,
                paid_out_count = paid_out_count + ?4, paid_out_total = paid_out_total + ?4 * ?7,
                drops_count = drops_count + ?5, drops_total = drops_total + ?5 * ?7,
                no_sale_count = no_sale_count + ?6
             WHERE id = ?1",
        )
        .bind(session.id.0)
        .bind(m.kind.drawer_sign() * m.amount)
        .bind(is(MovementKind::PaidIn))
        .bind(is(MovementKind::PaidOut))
        .bind(is(MovementKind::Drop))
        .bind(is(MovementKind::NoSale))
        .bind(m.amount)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let payload = json!({
            "id": m.id.0, "session_id": session.id.0, "kind": m.kind.as_str(), "amount": m.amount,
            "reason": m.reason, "note": m.note, "approved_by": approved_by.map(|u| u.0),
        });
        let entry = NewEntry {
            chain: session.register_id.0,
            at,
            device: m.device.to_string(),
            user: Some(user.id.0),
            event: m.kind.as_str(),
            reference: Some(m.id.0),
            payload,
        };
        append(&mut tx, entry).await?;
        let row = sqlx::query(sql::MOVEMENT).bind(m.id.0).fetch_one(&mut *tx).await.map_err(map_err)?;
        let movement = till_sqlx::cash_movement(&row)?;
        tx.commit().await.map_err(map_err)?;
        Ok((movement, false))
    }

    async fn prior_movement(&self, id: MovementId) -> Result<Option<Prior<CashMovement>>, StoreError> {
        let row = sqlx::query(sql::MOVEMENT).bind(id.0).fetch_optional(&self.reader).await.map_err(map_err)?;
        row.map(|row| till_sqlx::prior_movement(&row)).transpose()
    }

    async fn list_movements(&self, session: SessionId) -> Result<Vec<CashMovement>, StoreError> {
        let rows = sqlx::query(sql::MOVEMENTS).bind(session.0).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::cash_movement).collect()
    }

    async fn force_close(&self, close: ForceClose) -> Result<Session, StoreError> {
        let approver = self.approver(&close.actor, close.device.as_str()).await?;
        let mut tx = self.write().await?;
        let (user, session) =
            crate::session_actor(&mut tx, close.session, None, &close.actor.login, close.device.as_str(), self.now())
                .await?;
        if session.status == SessionStatus::Closed {
            let same: Option<Uuid> = sqlx::query_scalar("SELECT close_request_id FROM sessions WHERE id = ?1")
                .bind(session.id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
            if same == Some(close.request_id.0) {
                return Ok(session);
            }
            return Err(session.already_closed());
        }
        let manager = crate::answering_manager(approver, &user)
            .ok_or_else(|| Refusal::Forbidden { user: user.name.clone(), role: user.role.to_string() })?;
        // Only a forgotten session (till-core's ForgottenRule, the one rule). A live drawer is
        // closed with a count.
        match crate::refuse_forgotten(&mut tx, &session, self.now()).await {
            Err(StoreError::Refused(Refusal::SessionForgotten { .. })) => {}
            Ok(()) => {
                return Err(Refusal::Rejected(format!(
                    "session {} is not forgotten: close it with a count",
                    session.number
                ))
                .into())
            }
            Err(e) => return Err(e),
        }
        // Not counted: the count stands at the expected cash until the late count.
        let (opening, net): (i64, i64) = sqlx::query_as("SELECT opening_cash, cash_net FROM sessions WHERE id = ?1")
            .bind(session.id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let expected = till_core::cash::expected_cash(opening, net);
        sqlx::query(
            "UPDATE sessions SET status = 'closed', closed_by = ?2, closed_by_name = ?3, closed_at = ?4,
                closing_device = ?5, counted_cash = ?8, expected_cash = ?8,
                variance = 0, close_request_id = ?6, count_pending = 1, force_close_reason = ?7
             WHERE id = ?1",
        )
        .bind(session.id.0)
        .bind(manager.id.0)
        .bind(&manager.name)
        .bind(self.now())
        .bind(close.device.as_str())
        .bind(close.request_id.0)
        .bind(&close.reason)
        .bind(expected)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        close_and_make_z(&mut tx, session.id.0).await?;
        let closed = locked_session(&mut tx, session.id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(closed)
    }

    async fn late_count(&self, count: LateCount) -> Result<Session, StoreError> {
        count_adds_up(&count.denominations, count.counted_cash, "the counted cash")?;
        let approver = self.approver(&count.actor, count.device.as_str()).await?;
        let mut tx = self.write().await?;
        let (user, session) =
            crate::session_actor(&mut tx, count.session, None, &count.actor.login, count.device.as_str(), self.now())
                .await?;
        let late: Option<Uuid> = sqlx::query_scalar("SELECT late_counted_by FROM sessions WHERE id = ?1")
            .bind(session.id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        if session.status == SessionStatus::Closed && !session.count_pending && late.is_some() {
            return Ok(session);
        }
        if session.status != SessionStatus::Closed || !session.count_pending {
            return Err(Refusal::NoCountPending(session.number).into());
        }
        let manager = crate::answering_manager(approver, &user)
            .ok_or_else(|| Refusal::Forbidden { user: user.name.clone(), role: user.role.to_string() })?;
        let expected = session.expected_cash.map_or(0, |m| m.minor());
        let variance = count.counted_cash.minor() - expected;
        variance_limit(&mut tx, session.location_id)
            .await?
            .check_late_count(variance, count.variance_reason.as_deref())?;
        store_count(&mut tx, session.id, "close", &count.denominations).await?;
        let at = self.now();
        sqlx::query(
            "UPDATE sessions SET counted_cash = ?2, variance = ?3, count_pending = 0, cash_removed = ?4, float_left = ?5,
                variance_reason = ?6, approved_by = ?7, approved_by_name = ?8, late_counted_by = ?7, late_counted_at = ?9
             WHERE id = ?1",
        )
        .bind(session.id.0)
        .bind(count.counted_cash.minor())
        .bind(variance)
        .bind(count.counted_cash.minor() - count.float_left.minor())
        .bind(count.float_left.minor())
        .bind(&count.variance_reason)
        .bind(manager.id.0)
        .bind(&manager.name)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let payload = json!({
            "id": session.id.0, "counted_cash": count.counted_cash.minor(), "expected_cash": expected,
            "variance": variance, "variance_reason": count.variance_reason,
            "cash_removed": count.counted_cash.minor() - count.float_left.minor(), "float_left": count.float_left.minor(),
        });
        let entry = NewEntry {
            chain: session.register_id.0,
            at,
            device: count.device.to_string(),
            user: Some(manager.id.0),
            event: "late_count",
            reference: Some(session.id.0),
            payload,
        };
        append(&mut tx, entry).await?;
        let counted = locked_session(&mut tx, session.id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(counted)
    }

    async fn record_reprint(
        &self,
        session: SessionId,
        number: &str,
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let (user, s) = crate::session_actor(&mut tx, session, None, login, device.as_str(), self.now()).await?;
        if s.status != SessionStatus::Open {
            return Err(Refusal::SessionClosed(s.number).into());
        }
        let sale: Option<Uuid> = sqlx::query_scalar("SELECT id FROM sales WHERE number = ?1 AND location_id = ?2")
            .bind(number)
            .bind(s.location_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        let sale = sale.ok_or_else(|| StoreError::not_found(Entity::Receipt, number))?;
        sqlx::query("UPDATE sessions SET reprint_count = reprint_count + 1 WHERE id = ?1")
            .bind(s.id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let entry = NewEntry {
            chain: s.register_id.0,
            at: self.now(),
            device: device.to_string(),
            user: Some(user.id.0),
            event: "reprint",
            reference: Some(sale),
            payload: json!({ "session_id": s.id.0, "number": number }),
        };
        append(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn record_void(&self, v: NewVoid) -> Result<VoidRecorded, StoreError> {
        let mut tx = self.write().await?;
        let (user, s) =
            crate::session_actor(&mut tx, v.session_id, Some(v.register_id), &v.login, v.device.as_str(), self.now())
                .await?;
        if s.register_id != v.register_id {
            return Err(StoreError::not_found(
                Entity::Session,
                format!("{} of register {}", v.session_id, v.register_id),
            ));
        }
        // A retry answers the first void, whatever happened since (the session closed).
        if let Some(prior) = read_void(&mut tx, v.id).await? {
            return prior.answer(&v.request_hash, "void");
        }
        if s.status != SessionStatus::Open {
            return Err(Refusal::SessionClosed(s.number).into());
        }
        crate::refuse_forgotten(&mut tx, &s, self.now()).await?;
        till_core::voids::check_lines(&v.lines).map_err(|e| Refusal::Rejected(e.to_string()))?;
        // Each line at the catalog's price as this transaction reads it: the till sends none.
        let mut priced = Vec::with_capacity(v.lines.len());
        for line in &v.lines {
            let price: Option<i64> =
                sqlx::query_scalar("SELECT price_minor FROM products WHERE id = ?1 AND location_id = ?2")
                    .bind(line.product_id.0)
                    .bind(s.location_id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
            let price = price.ok_or_else(|| {
                StoreError::not_found(Entity::Product, format!("{} at this location", line.product_id))
            })?;
            priced.push((line.product_id, line.quantity, price));
        }
        let amount = till_core::voids::amount(priced.iter().map(|(_, quantity, price)| (*price, *quantity)))
            .map_err(|e| Refusal::Rejected(e.to_string()))?;
        let at = self.now();
        sqlx::query(
            "INSERT INTO voids (id, session_id, register_id, location_id, kind, amount, user_id, user_name, device, at,
                request_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .bind(v.id.0)
        .bind(s.id.0)
        .bind(s.register_id.0)
        .bind(s.location_id.0)
        .bind(v.kind.as_str())
        .bind(amount)
        .bind(user.id.0)
        .bind(&user.name)
        .bind(v.device.as_str())
        .bind(at)
        .bind(&v.request_hash)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        for (line_no, (product, quantity, price)) in priced.iter().enumerate() {
            sqlx::query(
                "INSERT INTO void_lines (void_id, line_no, location_id, product_id, quantity, unit_price, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(v.id.0)
            .bind(i64::try_from(line_no).unwrap_or(i64::MAX))
            .bind(s.location_id.0)
            .bind(product.0)
            .bind(*quantity)
            .bind(*price)
            .bind(*price * i64::from(*quantity))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        sqlx::query("UPDATE sessions SET void_count = void_count + 1, void_total = void_total + ?2 WHERE id = ?1")
            .bind(s.id.0)
            .bind(amount)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let lines: Vec<serde_json::Value> =
            priced.iter().map(|(product, quantity, price)| json!([product.0, quantity, price])).collect();
        let entry = NewEntry {
            chain: s.register_id.0,
            at,
            device: v.device.to_string(),
            user: Some(user.id.0),
            event: "void",
            reference: Some(v.id.0),
            payload: json!({
                "id": v.id.0, "session_id": s.id.0, "kind": v.kind.as_str(), "amount": amount, "lines": lines,
            }),
        };
        append(&mut tx, entry).await?;
        let recorded = read_void(&mut tx, v.id)
            .await?
            .ok_or_else(|| StoreFailure::Internal(format!("void {} not read back", v.id)))?;
        tx.commit().await.map_err(map_err)?;
        Ok(recorded.recorded)
    }

    async fn prior_void(&self, id: VoidId) -> Result<Option<Prior<VoidRecorded>>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        read_void(&mut conn, id).await
    }

    async fn refuse_count(
        &self,
        session: SessionId,
        counted: i64,
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        // Only a count the close refuses is one (as PostgreSQL's till_refuse_count): bounded, and
        // one within the location's limit records nothing.
        if !(0..=Money::MAX_CASH_MINOR).contains(&counted) {
            return Err(Refusal::Rejected("counted cash must be between 0 and 10^12".into()).into());
        }
        let mut tx = self.write().await?;
        let (user, s) = crate::session_actor(&mut tx, session, None, login, device.as_str(), self.now()).await?;
        if s.status != SessionStatus::Open {
            return Ok(());
        }
        let (opening_cash, cash_net): (i64, i64) =
            sqlx::query_as("SELECT opening_cash, cash_net FROM sessions WHERE id = ?1")
                .bind(session.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        let expected = till_core::cash::expected_cash(opening_cash, cash_net);
        if !variance_limit(&mut tx, s.location_id).await?.exceeded_by(counted - expected) {
            return Ok(());
        }
        let attempt: i64 = sqlx::query_scalar(
            "UPDATE sessions SET refused_counts = refused_counts + 1 WHERE id = ?1 RETURNING refused_counts",
        )
        .bind(session.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let entry = NewEntry {
            chain: s.register_id.0,
            at: self.now(),
            device: device.to_string(),
            user: Some(user.id.0),
            event: "count_refused",
            reference: Some(session.0),
            payload: json!({ "session_id": session.0, "counted_cash": counted, "attempt": attempt }),
        };
        append(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn record_opening_count(
        &self,
        session: SessionId,
        denominations: &[DenominationCount],
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let (user, s) = crate::session_actor(&mut tx, session, None, login, device.as_str(), self.now()).await?;
        let recorded: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM cash_counts WHERE session_id = ?1 AND stage = 'open' LIMIT 1")
                .bind(session.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        if recorded.is_some() {
            return Ok(());
        }
        // Nothing counted, nothing recorded or journaled (the core does not call with none).
        if denominations.is_empty() {
            return Ok(());
        }
        if s.status != SessionStatus::Open {
            return Err(Refusal::SessionClosed(s.number).into());
        }
        count_adds_up(denominations, s.opening_cash, "the opening cash")?;
        store_count(&mut tx, session, "open", denominations).await?;
        let entry = NewEntry {
            chain: s.register_id.0,
            at: self.now(),
            device: device.to_string(),
            user: Some(user.id.0),
            event: "opening_count",
            reference: Some(session.0),
            payload: json!({ "session_id": session.0, "denominations": denominations }),
        };
        append(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn opening_count(&self, session: SessionId) -> Result<Vec<DenominationCount>, StoreError> {
        let rows = sqlx::query(sql::OPENING_COUNT).bind(session.0).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::denomination).collect()
    }

    async fn closing_count(&self, session: SessionId) -> Result<Vec<DenominationCount>, StoreError> {
        let rows = sqlx::query(sql::CLOSING_COUNT).bind(session.0).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::denomination).collect()
    }

    async fn z_record(&self, session: SessionId) -> Result<Option<ZRecord>, StoreError> {
        let row = sqlx::query(sql::Z_OF_SESSION).bind(session.0).fetch_optional(&self.reader).await.map_err(map_err)?;
        row.as_ref().map(till_sqlx::z_record).transpose()
    }

    async fn list_z(&self, filter: &ZFilter) -> Result<Vec<ZRecord>, StoreError> {
        let rows = sqlx::query(sql::Z_LIST)
            .bind(filter.location.as_ref().map(|l| l.as_str().to_string()))
            .bind(filter.register.map(|r| r.0))
            .bind(filter.from)
            .bind(filter.to)
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?;
        rows.iter().map(till_sqlx::z_record).collect()
    }
}
