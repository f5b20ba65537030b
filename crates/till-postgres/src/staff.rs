//! Users, PIN attempts and lockouts.

use crate::conn::map_err;
use crate::PostgresStore;
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use till_core::*;
use till_sqlx::sql::{self, USER_COLUMNS};

/// What a PIN the database checked opens: a login, or a manager's approval of one request.
enum PinFor<'a> {
    Login,
    Approval { action: &'a str, request: &'a serde_json::Value },
}

impl PostgresStore {
    /// Ends a login the database issued.
    async fn end_login(&self, token: &str) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query("SELECT till_logout($1)").bind(token).execute(conn.db()).await.map(drop).map_err(|e| conn.fail(e))
    }

    /// One PIN check in the database, in its two steps, each its own transaction: the check
    /// (till_pin_check, which compares and records, and answers nothing about the PIN), then,
    /// once that is committed, its result (till_pin_result for a login, till_pin_approval for an
    /// approval). Returns the outcome row.
    async fn pin_check(
        &self,
        credentials: &Credentials,
        device: &DeviceName,
        opens: PinFor<'_>,
    ) -> Result<PgRow, StoreError> {
        let mut conn = self.conn().await?;
        let attempt: uuid::Uuid = sqlx::query_scalar("SELECT till_pin_check($1, $2, $3)")
            .bind(credentials.name.as_str())
            .bind(credentials.pin.expose())
            .bind(device.as_str())
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        let result = match opens {
            PinFor::Login => sqlx::query("SELECT * FROM till_pin_result($1)").bind(attempt),
            PinFor::Approval { action, request } => sqlx::query("SELECT * FROM till_pin_approval($1, $2, $3)")
                .bind(attempt)
                .bind(action)
                .bind(sqlx::types::Json(request)),
        };
        result.fetch_one(conn.db()).await.map_err(|e| conn.fail(e))
    }

    /// The jsonb a write function takes: `request` with the actor's login and, when the actor
    /// carries a manager's name and PIN, the one-use approval the database issues for exactly
    /// this request (this login's) and `action` once it has checked that PIN.
    pub(crate) async fn acting(
        &self,
        action: &str,
        mut request: serde_json::Value,
        actor: &Actor,
        device: &str,
    ) -> Result<serde_json::Value, StoreError> {
        request["login"] = serde_json::Value::from(actor.login.expose());
        if let Some(manager) = &actor.approval {
            let device = DeviceName::parse(device).map_err(|e| Refusal::Rejected(e.to_string()))?;
            let row = self.pin_check(manager, &device, PinFor::Approval { action, request: &request }).await?;
            let (_, token) = Self::pin_answer(&row)?;
            request["approval"] = serde_json::Value::from(token);
        }
        Ok(request)
    }

    /// The database's answer to a PIN check (its outcome, and the user as the check left
    /// them): the user and the login's token, or the refusal.
    fn pin_answer(row: &PgRow) -> Result<(User, Option<String>), StoreError> {
        use sqlx::Row as _;
        let outcome: String = row.try_get("outcome").map_err(map_err)?;
        let token: Option<String> = row.try_get("token").map_err(map_err)?;
        let user = till_sqlx::user(row)?;
        match outcome.as_str() {
            "ok" => Ok((user, token)),
            // The database counts with the same limit (till_settle_pins.sql).
            "wrong_pin" => Err(PinPolicy::default().wrong_pin(user)),
            "inactive" => Err(Refusal::UserInactive(user.name).into()),
            "pin_reset_needed" => Err(Refusal::PinResetNeeded(user.name).into()),
            "not_a_manager" => Err(Refusal::Forbidden { user: user.name, role: user.role.to_string() }.into()),
            "locked" => Err(Refusal::UserLocked {
                until: user.locked_until.unwrap_or_else(till_core::clock::system_now),
                user: user.name,
            }
            .into()),
            other => Err(StoreFailure::Internal(format!("unknown PIN check outcome {other}")).into()),
        }
    }
}

#[async_trait]
impl StaffStore for PostgresStore {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        // The hash is made in the database (till_pin_hash: bcrypt, its cost chosen there).
        let query = format!(
            "INSERT INTO users (id, name, role, pin_hash) VALUES ($1, $2, $3, till_pin_hash($4)) RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&query)
            .bind(UserId::new().0)
            .bind(new.name.as_str())
            .bind(new.role.as_str())
            .bind(new.pin.expose())
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

    async fn check_pin(&self, credentials: &Credentials, device: &DeviceName) -> Result<Authenticated, StoreError> {
        let (user, token) = Self::pin_answer(&self.pin_check(credentials, device, PinFor::Login).await?)?;
        let token =
            token.ok_or_else(|| StoreFailure::Internal("the database opened no login for a right PIN".into()))?;
        Ok(Authenticated { user, login: LoginToken::new(token) })
    }

    async fn logout(&self, login: &LoginToken) -> Result<(), StoreError> {
        self.end_login(login.expose()).await
    }

    async fn live_login(
        &self,
        login: &LoginToken,
        device: &DeviceName,
        register: RegisterId,
    ) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        // The CTE runs the (volatile) function once; the user's row is then read as the role may.
        let request =
            serde_json::json!({ "login": login.expose(), "device": device.as_str(), "register_id": register.0 });
        let row = sqlx::query(&format!(
            "WITH who AS (SELECT till_live_login($1) AS who_id) SELECT {USER_COLUMNS} FROM users u JOIN who ON u.id = who.who_id"
        ))
        .bind(request)
        .fetch_one(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        till_sqlx::user(&row)
    }

    async fn set_pin(&self, name: &UserName, pin: &Pin, device: &DeviceName) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM till_set_pin($1, $2, $3)"))
            .bind(name.as_str())
            .bind(pin.expose())
            .bind(device.as_str())
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        till_sqlx::user(&row)
    }

    async fn unlock_user(&self, unlock: UnlockUser) -> Result<User, StoreError> {
        // A manager's unlock: the manager's PIN checked by the database, which issues a login
        // the unlock function takes (and which ends right after). IT's, with no manager: the
        // function accepts it only from the owner's role.
        let token = match &unlock.by {
            Some(credentials) => {
                Self::pin_answer(&self.pin_check(credentials, &unlock.device, PinFor::Login).await?)?.1
            }
            None => None,
        };
        let mut conn = self.conn().await?;
        let unlocked = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM till_unlock_user($1, $2, $3)"))
            .bind(token.as_deref())
            .bind(unlock.name.as_str())
            .bind(unlock.device.as_str())
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e));
        drop(conn);
        if let Some(token) = &token {
            self.end_login(token).await?;
        }
        till_sqlx::user(&unlocked?)
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
