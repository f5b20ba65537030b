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
            let row = sqlx::query(sql::INSERT_LOCATION)
                .bind(id.0)
                .bind(new.code.as_str())
                .bind(&new.name)
                .bind(new.time_zone.name())
                .bind(new.cutoff.minutes())
                .bind(new.currency.code())
                .bind(new.locale.as_str())
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(sql::DEFAULT_CASH_REASONS).bind(id.0).execute(&mut *tx).await?;
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

    async fn set_manager_pin_min_length(&self, code: &LocationCode, digits: u8) -> Result<Location, StoreError> {
        let mut conn = self.conn().await?;
        let updated = sqlx::query("UPDATE locations SET manager_pin_min_length = $1 WHERE code = $2")
            .bind(i32::from(digits))
            .bind(code.as_str())
            .execute(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        drop(conn);
        if updated.rows_affected() == 0 {
            return Err(StoreError::not_found(Entity::Location, code));
        }
        self.find_location(code).await
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
