//! Users, PIN attempts and lockouts. Each PIN attempt is one `BEGIN IMMEDIATE` transaction:
//! the write lock orders concurrent attempts, like PostgreSQL's row lock.

use crate::{exists_or, map_err, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use till_core::auth;
use till_core::*;
use till_sqlx::sql;

/// Writes one decision (new PIN state and events) for `user`, in `tx`.
async fn apply(
    tx: &mut sqlx::SqliteConnection,
    user: &User,
    state: PinState,
    events: &[(AuthEventKind, Option<String>)],
    device: &str,
    at: DateTime<Utc>,
) -> Result<SqliteRow, StoreError> {
    for (kind, detail) in events {
        let id = uuid::Uuid::now_v7();
        sqlx::query(sql::INSERT_AUTH_EVENT)
            .bind(id)
            .bind(user.id.0)
            .bind(kind.as_str())
            .bind(device)
            .bind(at)
            .bind(detail)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // PIN events belong to no register: the staff chain, as PostgreSQL's trigger does.
        let entry = till_core::journal::NewEntry {
            chain: till_core::journal::STAFF_CHAIN,
            at,
            device: device.to_string(),
            user: Some(user.id.0),
            event: kind.as_str(),
            reference: Some(id),
            payload: serde_json::json!({ "id": id, "user_id": user.id.0, "kind": kind.as_str(), "detail": detail }),
        };
        crate::journal::append(tx, entry).await?;
    }
    sqlx::query(sql::SET_PIN_STATE)
        .bind(state.failed_pins)
        .bind(state.lockouts)
        .bind(state.locked_until)
        .bind(user.id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)
}

impl SqliteStore {
    /// Checks a PIN and records the check (see [`StaffStore::check_pin`]), opening nothing.
    async fn verify_pin(&self, credentials: &Credentials, device: &DeviceName) -> Result<User, StoreError> {
        // The file's owner can read every hash anyway (SQLite has no roles): the PIN is compared
        // here, argon2id off the executor, then the check is recorded under the write lock.
        let found: Option<(uuid::Uuid, bool, String, String)> =
            sqlx::query_as("SELECT id, active, pin_hash, role FROM users WHERE name = $1")
                .bind(credentials.name.as_str())
                .fetch_optional(&self.reader)
                .await
                .map_err(map_err)?;
        let (id, active, hash, role) = found.ok_or_else(|| StoreError::not_found(Entity::User, &credentials.name))?;
        if !active {
            return Err(Refusal::UserInactive(credentials.name.to_string()).into());
        }
        let role: Role = role.parse().map_err(|_| StoreFailure::Internal(format!("unknown role {role}")))?;
        let matched = auth::pin_matches(credentials.pin.clone(), PinHash(hash)).await?;
        // A manager's right PIN must be as long as the strictest location requires; only then
        // are the locations read.
        if matched && role.is_manager() {
            let locations = sqlx::query(sql::LOCATIONS).fetch_all(&self.reader).await.map_err(map_err)?;
            let locations = locations.iter().map(till_sqlx::location).collect::<Result<Vec<_>, _>>()?;
            if !auth::pin_long_enough(role, &credentials.pin, auth::manager_pin_required(&locations)) {
                return Err(Refusal::PinResetNeeded(credentials.name.to_string()).into());
            }
        }
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::USER_BY_ID)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, &credentials.name))?;
        let user = till_sqlx::user(&row)?;
        // The file is local: this computer's clock is the database's.
        let at = self.now();
        let decision = PinPolicy::default().decide(&user, matched, at);
        if let Some(refused) = decision.refused {
            return Err(refused);
        }
        let row = apply(&mut tx, &user, decision.state, &decision.events, device.as_str(), at).await?;
        tx.commit().await.map_err(map_err)?;
        PinPolicy::default().answer(till_sqlx::user(&row)?, matched, at)
    }

    /// The manager whose name and PIN an actor carries, checked (and counted) like a login, in
    /// a transaction of its own before the write: a wrong PIN counts even though nothing is
    /// written. `forbidden` for a right PIN of someone who is not a manager.
    pub(crate) async fn approver(&self, actor: &Actor, device: &str) -> Result<Option<User>, StoreError> {
        let Some(credentials) = &actor.approval else {
            return Ok(None);
        };
        let device = DeviceName::parse(device).map_err(|e| Refusal::Rejected(e.to_string()))?;
        let manager = self.verify_pin(credentials, &device).await?;
        if !manager.role.is_manager() {
            return Err(Refusal::Forbidden { user: manager.name, role: manager.role.to_string() }.into());
        }
        Ok(Some(manager))
    }
}

#[async_trait]
impl StaffStore for SqliteStore {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let hash = auth::hash_pin(new.pin.clone()).await?;
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::INSERT_USER)
            .bind(UserId::new().0)
            .bind(new.name.as_str())
            .bind(new.role.as_str())
            .bind(&hash.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(exists_or(Entity::User, new.name.to_string()))?;
        let user = till_sqlx::user(&row)?;
        crate::journal::journal_user(&mut tx, user.id.0, "tillctl", self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(user)
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(sql::USERS).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::user).collect()
    }

    async fn find_user(&self, name: &UserName) -> Result<User, StoreError> {
        let row = sqlx::query(sql::USER_BY_NAME)
            .bind(name.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn find_user_by_id(&self, id: UserId) -> Result<User, StoreError> {
        let row = sqlx::query(sql::USER_BY_ID)
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, id))?;
        till_sqlx::user(&row)
    }

    async fn set_user_active(&self, name: &UserName, active: bool) -> Result<User, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::SET_USER_ACTIVE)
            .bind(active)
            .bind(name.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        let user = till_sqlx::user(&row)?;
        crate::journal::journal_user(&mut tx, user.id.0, "tillctl", self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(user)
    }

    async fn check_pin(&self, credentials: &Credentials, device: &DeviceName) -> Result<Authenticated, StoreError> {
        let user = self.verify_pin(credentials, device).await?;
        let login = LoginToken::generate();
        let now = self.now();
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO logins (token_hash, user_id, device, created_at, last_used) VALUES (?1, ?2, ?3, ?4, ?4)",
        )
        .bind(login.digest())
        .bind(user.id.0)
        .bind(device.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Authenticated { user, login })
    }

    async fn logout(&self, login: &LoginToken) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE logins SET ended_at = ?1, ended_why = 'logout' WHERE token_hash = ?2 AND ended_at IS NULL")
            .bind(self.now())
            .bind(login.digest())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn live_login(
        &self,
        login: &LoginToken,
        device: &DeviceName,
        register: RegisterId,
    ) -> Result<User, StoreError> {
        let mut tx = self.write().await?;
        let user = crate::login_user(&mut tx, login, device.as_str(), register, self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(user)
    }

    async fn set_pin(&self, name: &UserName, pin: &Pin, device: &DeviceName) -> Result<User, StoreError> {
        let hash = auth::hash_pin(pin.clone()).await?;
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::USER_BY_NAME)
            .bind(name.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        let user = till_sqlx::user(&row)?;
        sqlx::query("UPDATE users SET pin_hash = $1 WHERE id = $2")
            .bind(&hash.0)
            .bind(user.id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        crate::journal::journal_user(&mut tx, user.id.0, device.as_str(), self.now()).await?;
        let events = [(AuthEventKind::Unlocked, Some("PIN set by tillctl".to_string()))];
        let row = apply(&mut tx, &user, PinPolicy::cleared(), &events, device.as_str(), self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::user(&row)
    }

    async fn unlock_user(&self, unlock: UnlockUser) -> Result<User, StoreError> {
        // A manager's PIN is a PIN check like a login (counted, lockable).
        let by = match &unlock.by {
            Some(credentials) => {
                let manager = self.verify_pin(credentials, &unlock.device).await?;
                if !manager.role.is_manager() {
                    return Err(Refusal::Forbidden { user: manager.name, role: manager.role.to_string() }.into());
                }
                manager.name
            }
            None => "tillctl".to_string(),
        };
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::USER_BY_NAME)
            .bind(unlock.name.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, &unlock.name))?;
        let user = till_sqlx::user(&row)?;
        let events = [(AuthEventKind::Unlocked, Some(format!("by {by}")))];
        let row = apply(&mut tx, &user, PinPolicy::cleared(), &events, unlock.device.as_str(), self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::user(&row)
    }

    async fn list_auth_events(&self, limit: u32) -> Result<Vec<AuthEvent>, StoreError> {
        let rows =
            sqlx::query(sql::AUTH_EVENTS).bind(i64::from(limit)).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::auth_event).collect()
    }
}
