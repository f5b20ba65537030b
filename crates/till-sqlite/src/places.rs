//! Locations and registers.

use crate::{exists_or, map_err, SqliteStore};
use async_trait::async_trait;
use till_core::*;
use till_sqlx::sql;
use uuid::Uuid;

#[async_trait]
impl PlaceStore for SqliteStore {
    async fn create_location(&self, new: NewLocation) -> Result<Location, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(sql::INSERT_LOCATION)
            .bind(LocationId::new().0)
            .bind(new.code.as_str())
            .bind(&new.name)
            .bind(new.time_zone.name())
            .bind(new.cutoff.minutes())
            .bind(new.currency.code())
            .bind(new.locale.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(exists_or(Entity::Location, new.code.to_string()))?;
        let id: uuid::Uuid = sqlx::Row::try_get(&row, "id").map_err(map_err)?;
        sqlx::query(sql::DEFAULT_CASH_REASONS).bind(id).execute(&mut *tx).await.map_err(map_err)?;
        let row = till_sqlx::bind_location_change!(sqlx::query(sql::UPDATE_LOCATION), new.code.as_str(), &new.settings)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        for rate in &new.tax_rates {
            crate::catalog::insert_tax_rate(&mut tx, id, rate, &new.code).await?;
        }
        crate::journal::journal_location(&mut tx, id, "tillctl", self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::location(&row)
    }

    async fn list_locations(&self) -> Result<Vec<Location>, StoreError> {
        let rows = sqlx::query(sql::LOCATIONS).fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::location).collect()
    }

    async fn find_location(&self, code: &LocationCode) -> Result<Location, StoreError> {
        let row = sqlx::query(sql::LOCATION_BY_CODE)
            .bind(code.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Location, code))?;
        till_sqlx::location(&row)
    }

    async fn update_location(&self, code: &LocationCode, change: &LocationChange) -> Result<Location, StoreError> {
        let mut tx = self.write().await?;
        if change.currency.is_some() {
            let used: bool = sqlx::query_scalar(sql::LOCATION_HAS_SESSIONS)
                .bind(code.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
            if used {
                return Err(Refusal::Rejected(format!(
                    "{code} has had sessions in its currency: its currency is fixed (make a new location)"
                ))
                .into());
            }
        }
        let row = till_sqlx::bind_location_change!(sqlx::query(sql::UPDATE_LOCATION), code.as_str(), change)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Location, code))?;
        let id: uuid::Uuid = sqlx::Row::try_get(&row, "id").map_err(map_err)?;
        crate::journal::journal_location(&mut tx, id, "tillctl", self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::location(&row)
    }

    async fn create_register(&self, new: NewRegister) -> Result<Register, StoreError> {
        let key = format!("{}/{}", new.location, new.code);
        let mut tx = self.write().await?;
        let location: Uuid = sqlx::query_scalar("SELECT id FROM locations WHERE code = ?")
            .bind(new.location.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Location, &new.location))?;
        let id = RegisterId::new();
        sqlx::query("INSERT INTO registers (id, location_id, code, name) VALUES (?, ?, ?, ?)")
            .bind(id.0)
            .bind(location)
            .bind(new.code.as_str())
            .bind(&new.name)
            .execute(&mut *tx)
            .await
            .map_err(exists_or(Entity::Register, key))?;
        let row = sqlx::query(&format!("{} WHERE r.id = ?", till_sqlx::REGISTER_SELECT))
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::register(&row)
    }

    async fn list_registers(&self, location: Option<&LocationCode>) -> Result<Vec<Register>, StoreError> {
        let rows = sqlx::query(&format!(
            "{} WHERE ?1 IS NULL OR l.code = ?1 ORDER BY l.code, r.code",
            till_sqlx::REGISTER_SELECT
        ))
        .bind(location.map(LocationCode::as_str))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter().map(till_sqlx::register).collect()
    }

    async fn find_register(&self, register: &RegisterRef) -> Result<Register, StoreError> {
        let (id, location, code) = match register {
            RegisterRef::Id(id) => (Some(id.0), None, None),
            RegisterRef::Address { location, register } => (None, Some(location.as_str()), Some(register.as_str())),
        };
        let sql = format!("{} WHERE r.id = ?1 OR (l.code = ?2 AND r.code = ?3)", till_sqlx::REGISTER_SELECT);
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(location)
            .bind(code)
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Register, register))?;
        till_sqlx::register(&row)
    }
}
