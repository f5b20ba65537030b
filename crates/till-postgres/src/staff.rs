//! Users, PIN attempts and lockouts.

use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::Connection as _;
use till_core::*;
use till_sqlx::sql;

/// Applies one decision (new PIN state and the events that explain it) for the user row the
/// transaction `tx` has locked with `till_lock_user`. Both are Till functions: a terminal's
/// database role may not write the users or auth_events tables itself.
async fn apply(
    tx: &mut sqlx::PgConnection,
    user: &User,
    state: PinState,
    events: &[(AuthEventKind, Option<String>)],
    device: &str,
    at: DateTime<Utc>,
) -> Result<PgRow, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = events.iter().map(|_| uuid::Uuid::now_v7()).collect();
    let kinds: Vec<&str> = events.iter().map(|(kind, _)| kind.as_str()).collect();
    let details: Vec<Option<String>> = events.iter().map(|(_, detail)| detail.clone()).collect();
    sqlx::query("SELECT * FROM till_set_pin_state($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(user.id.0)
        .bind(state.failed_pins)
        .bind(state.lockouts)
        .bind(state.locked_until)
        .bind(ids)
        .bind(kinds)
        .bind(details)
        .bind(device)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
}

#[async_trait]
impl StaffStore for PostgresStore {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::INSERT_USER)
            .bind(UserId::new().0)
            .bind(new.name.as_str())
            .bind(new.role.as_str())
            .bind(&new.pin_hash.0)
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail_unique(e, Entity::User, new.name.to_string()))?;
        till_sqlx::user(&row)
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::USERS).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::user).collect()
    }

    async fn find_user(&self, name: &UserName) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::USER_BY_NAME)
            .bind(name.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn find_user_by_id(&self, id: UserId) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::USER_BY_ID)
            .bind(id.0)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::User, id))?;
        till_sqlx::user(&row)
    }

    async fn set_user_active(&self, name: &UserName, active: bool) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::SET_USER_ACTIVE)
            .bind(active)
            .bind(name.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn record_pin_attempt(&self, attempt: PinAttempt, policy: &PinPolicy) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let outcome = async {
            let mut tx = conn.db().begin().await?;
            // The database's clock decides lockouts (unless a test pins one): a till whose clock
            // is wrong, or set back on purpose, neither shortens nor extends a lock.
            let row = sqlx::query("SELECT u.*, clock_timestamp() AS db_now FROM till_lock_user($1, NULL) u")
                .bind(attempt.user_id.0)
                .fetch_optional(&mut *tx)
                .await?;
            // Every early answer rolls back explicitly: a dropped transaction only queues its
            // ROLLBACK, and the pool would keep the connection idle in the transaction, holding
            // the user's row lock.
            let Some(row) = row else {
                tx.rollback().await?;
                return Ok(Err(StoreError::not_found(Entity::User, attempt.user_id)));
            };
            let user = match till_sqlx::user(&row) {
                Ok(user) => user,
                Err(e) => {
                    tx.rollback().await?;
                    return Ok(Err(e));
                }
            };
            let at = match attempt.at {
                Some(at) => at,
                None => sqlx::Row::try_get(&row, "db_now")?,
            };
            let decision = policy.decide(&user, attempt.matched, at);
            if let Some(refused) = decision.refused {
                tx.rollback().await?;
                return Ok(Err(refused));
            }
            let row = apply(&mut tx, &user, decision.state, &decision.events, attempt.device.as_str(), at).await?;
            tx.commit().await?;
            Ok(till_sqlx::user(&row))
        }
        .await;
        outcome.map_err(|e: sqlx::Error| conn.fail_in_transaction(e))?
    }

    async fn unlock_user(&self, unlock: UnlockUser) -> Result<User, StoreError> {
        // Before taking a connection: a one-connection pool would wait for itself.
        let by = match unlock.by {
            Some(id) => Some(self.find_user_by_id(id).await?.name),
            None => None,
        };
        let mut conn = self.conn().await?;
        let outcome = async {
            let mut tx = conn.db().begin().await?;
            let row = sqlx::query("SELECT * FROM till_lock_user(NULL, $1)")
                .bind(unlock.name.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let user = match row.map(|row| till_sqlx::user(&row)) {
                Some(Ok(user)) => user,
                other => {
                    tx.rollback().await?;
                    return Ok(Err(match other {
                        Some(Err(e)) => e,
                        _ => StoreError::not_found(Entity::User, &unlock.name),
                    }));
                }
            };
            let detail = Some(format!("by {}", by.as_deref().unwrap_or("tillctl")));
            let events = [(AuthEventKind::Unlocked, detail)];
            let row = apply(&mut tx, &user, PinPolicy::cleared(), &events, unlock.device.as_str(), unlock.at).await?;
            tx.commit().await?;
            Ok(till_sqlx::user(&row))
        }
        .await;
        outcome.map_err(|e: sqlx::Error| conn.fail_in_transaction(e))?
    }

    async fn list_auth_events(&self, limit: u32) -> Result<Vec<AuthEvent>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::AUTH_EVENTS)
            .bind(i64::from(limit))
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::auth_event).collect()
    }
}
