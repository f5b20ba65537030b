//! Locations and registers.

use crate::PostgresStore;
use async_trait::async_trait;
use till_core::*;
use till_sqlx::sql;

#[async_trait]
impl PlaceStore for PostgresStore {
    async fn create_location(&self, new: NewLocation) -> Result<Location, StoreError> {
        let mut conn = self.conn().await?;
        let id = LocationId::new();
        // The location and its default cash reasons, in one transaction.
        let made: Result<sqlx::postgres::PgRow, sqlx::Error> = async {
            let mut tx = sqlx::Connection::begin(conn.db()).await?;
            sqlx::query(sql::INSERT_LOCATION)
                .bind(id.0)
                .bind(new.code.as_str())
                .bind(&new.name)
                .bind(new.time_zone.name())
                .bind(new.cutoff.minutes())
                .bind(new.currency.code())
                .bind(new.locale.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql::DEFAULT_CASH_REASONS).bind(id.0).execute(&mut *tx).await?;
            // Its settings and a preset's tax rates, in the same transaction (the trigger of
            // functions/till_journal_location.sql journals the location as made).
            let row =
                till_sqlx::bind_location_change!(sqlx::query(sql::UPDATE_LOCATION), new.code.as_str(), &new.settings)
                    .fetch_one(&mut *tx)
                    .await?;
            for rate in &new.tax_rates {
                crate::catalog::insert_tax_rate(id.0, rate).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(row)
        }
        .await;
        let row = made.map_err(|e| conn.fail_unique(e, Entity::Location, new.code.to_string()))?;
        till_sqlx::location(&row)
    }

    async fn list_locations(&self) -> Result<Vec<Location>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::LOCATIONS).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::location).collect()
    }

    async fn find_location(&self, code: &LocationCode) -> Result<Location, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::LOCATION_BY_CODE)
            .bind(code.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Location, code))?;
        till_sqlx::location(&row)
    }

    async fn update_location(&self, code: &LocationCode, change: &LocationChange) -> Result<Location, StoreError> {
        let mut conn = self.conn().await?;
        // The check and the change in one transaction, the location's row locked first.
        let changed: Result<Option<sqlx::postgres::PgRow>, sqlx::Error> = async {
            let mut tx = sqlx::Connection::begin(conn.db()).await?;
            sqlx::query("SELECT 1 FROM locations WHERE code = $1 FOR UPDATE")
                .bind(code.as_str())
                .execute(&mut *tx)
                .await?;
            if change.currency.is_some() {
                // A start opening a session reads the currency under its register's lock: take
                // the location's registers too, so no session opens in the old currency after
                // the check.
                sqlx::query(
                    "SELECT 1 FROM registers r JOIN locations l ON l.id = r.location_id WHERE l.code = $1
                       FOR NO KEY UPDATE OF r",
                )
                .bind(code.as_str())
                .execute(&mut *tx)
                .await?;
                let used: bool =
                    sqlx::query_scalar(sql::LOCATION_HAS_SESSIONS).bind(code.as_str()).fetch_one(&mut *tx).await?;
                if used {
                    return Ok(None);
                }
            }
            let row = till_sqlx::bind_location_change!(sqlx::query(sql::UPDATE_LOCATION), code.as_str(), change)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(row)
        }
        .await;
        match changed.map_err(|e| conn.fail(e))? {
            Some(row) => till_sqlx::location(&row),
            None if change.currency.is_some() && self.find_location(code).await.is_ok() => Err(Refusal::Rejected(
                format!("{code} has had sessions in its currency: its currency is fixed (make a new location)"),
            )
            .into()),
            None => Err(StoreError::not_found(Entity::Location, code)),
        }
    }

    async fn create_register(&self, new: NewRegister) -> Result<Register, StoreError> {
        let mut conn = self.conn().await?;
        let key = format!("{}/{}", new.location, new.code);
        let id = RegisterId::new();
        let inserted = sqlx::query(
            "INSERT INTO registers (id, location_id, code, name)
             SELECT $1, l.id, $3, $4 FROM locations l WHERE l.code = $2",
        )
        .bind(id.0)
        .bind(new.location.as_str())
        .bind(new.code.as_str())
        .bind(&new.name)
        .execute(conn.db())
        .await
        .map_err(|e| conn.fail_unique(e, Entity::Register, key))?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::not_found(Entity::Location, &new.location));
        }
        drop(conn);
        self.find_register(&RegisterRef::Id(id)).await
    }

    async fn list_registers(&self, location: Option<&LocationCode>) -> Result<Vec<Register>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(&format!(
            "{} WHERE $1::text IS NULL OR l.code = $1 ORDER BY l.code, r.code",
            till_sqlx::REGISTER_SELECT
        ))
        .bind(location.map(LocationCode::as_str))
        .fetch_all(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::register).collect()
    }

    async fn find_register(&self, register: &RegisterRef) -> Result<Register, StoreError> {
        let mut conn = self.conn().await?;
        let (id, location, code) = match register {
            RegisterRef::Id(id) => (Some(id.0), None, None),
            RegisterRef::Address { location, register } => (None, Some(location.as_str()), Some(register.as_str())),
        };
        let sql = format!("{} WHERE r.id = $1 OR (l.code = $2 AND r.code = $3)", till_sqlx::REGISTER_SELECT);
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(location)
            .bind(code)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Register, register))?;
        till_sqlx::register(&row)
    }
}
