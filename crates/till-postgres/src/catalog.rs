//! The catalog: tax rates, categories, products and barcodes. Written by IT (the owner role);
//! terminals only read it.

use crate::conn::map_err;
use crate::PostgresStore;
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::{Connection as _, PgConnection, Row as _};
use std::collections::HashMap;
use till_core::*;
use till_sqlx::catalog as sql;
use uuid::Uuid;

async fn location_id(conn: &mut PgConnection, code: &LocationCode) -> Result<Uuid, StoreError> {
    sqlx::query_scalar(sql::LOCATION_ID)
        .bind(code.as_str())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::not_found(Entity::Location, code))
}

/// [`sql::INSERT_TAX_RATE`] of `rate` at location `location_id`, bound (a new location's preset
/// rates go through it too).
pub(crate) fn insert_tax_rate(
    location_id: Uuid,
    rate: &NewTaxRate,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql::INSERT_TAX_RATE)
        .bind(TaxRateId::new().0)
        .bind(location_id)
        .bind(rate.code.as_str())
        .bind(&rate.name)
        .bind(i32::try_from(rate.rate.get()).unwrap_or(i32::MAX))
}

async fn with_barcodes(conn: &mut PgConnection, row: &PgRow) -> Result<Product, StoreError> {
    let id: Uuid = row.try_get("id").map_err(map_err)?;
    let barcodes = sqlx::query_scalar(sql::BARCODES_OF_PRODUCT).bind(id).fetch_all(conn).await.map_err(map_err)?;
    till_sqlx::product(row, barcodes)
}

/// `$1` location id, `$2` ids, `$3` SKUs, `$4` barcodes: the products any of them name, each
/// with its barcodes.
const PRODUCTS_BY_KEYS: &str = "SELECT p.*, t.code AS tax_code, t.rate_ppm, c.name AS category_name,
        ARRAY(SELECT b.barcode FROM product_barcodes b WHERE b.product_id = p.id ORDER BY b.barcode) AS barcode_list
    FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id LEFT JOIN categories c ON c.id = p.category_id
    WHERE p.location_id = $1 AND (p.id = ANY($2) OR p.sku = ANY($3)
        OR p.id IN (SELECT b.product_id FROM product_barcodes b WHERE b.location_id = $1 AND b.barcode = ANY($4)))";

/// A unique violation as "already exists", anything else mapped as usual.
fn exists_or(entity: Entity, key: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Refusal::AlreadyExists { entity, key }.into(),
        _ => map_err(e),
    }
}

/// The products' writes, in the caller's transaction.
async fn save(tx: &mut PgConnection, location: &LocationCode, products: &[NewProduct]) -> Result<usize, StoreError> {
    let location_id = location_id(tx, location).await?;
    let mut created = 0;
    let mut ids = Vec::with_capacity(products.len());
    for product in products {
        let new_id = ProductId::new().0;
        let id: Uuid = sqlx::query_scalar(sql::UPSERT_PRODUCT)
            .bind(new_id)
            .bind(location_id)
            .bind(product.sku.as_str())
            .bind(&product.name)
            .bind(product.price.minor())
            .bind(product.tax_rate.0)
            .bind(product.category.map(|c| c.0))
            .bind(product.active)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        created += usize::from(id == new_id);
        sqlx::query(sql::DELETE_BARCODES).bind(id).execute(&mut *tx).await.map_err(map_err)?;
        ids.push(id);
    }
    // Barcodes after every product's old ones are gone: one may move between products of the
    // batch.
    for (product, id) in products.iter().zip(ids) {
        for code in &product.barcodes {
            sqlx::query(sql::INSERT_BARCODE)
                .bind(code.as_str())
                .bind(location_id)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(exists_or(Entity::Barcode, code.to_string()))?;
        }
    }
    Ok(created)
}

#[async_trait]
impl CatalogStore for PostgresStore {
    async fn create_tax_rate(&self, location: &LocationCode, new: NewTaxRate) -> Result<TaxRate, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let row = insert_tax_rate(location_id, &new)
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail_unique(e, Entity::TaxRate, format!("{location} {}", new.code)))?;
        till_sqlx::tax_rate(&row)
    }

    async fn list_tax_rates(&self, location: &LocationCode) -> Result<Vec<TaxRate>, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let rows =
            sqlx::query(sql::TAX_RATES).bind(location_id).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::tax_rate).collect()
    }

    async fn create_category(&self, location: &LocationCode, new: NewCategory) -> Result<Category, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let row = sqlx::query(sql::INSERT_CATEGORY)
            .bind(CategoryId::new().0)
            .bind(location_id)
            .bind(&new.name)
            .bind(i32::from(new.position))
            .bind(new.colour.as_str())
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail_unique(e, Entity::Category, format!("{location} {}", new.name)))?;
        till_sqlx::category(&row)
    }

    async fn list_categories(&self, location: &LocationCode) -> Result<Vec<Category>, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let rows =
            sqlx::query(sql::CATEGORIES).bind(location_id).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::category).collect()
    }

    async fn save_products(&self, location: &LocationCode, products: Vec<NewProduct>) -> Result<usize, StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.db().begin().await.map_err(map_err)?;
        match save(&mut tx, location, &products).await {
            Ok(created) => {
                tx.commit().await.map_err(map_err)?;
                Ok(created)
            }
            Err(e) => {
                // Explicitly: a dropped transaction only queues its rollback on a pooled
                // connection.
                tx.rollback().await.map_err(map_err)?;
                Err(e)
            }
        }
    }

    async fn list_products(&self, location: &LocationCode, include_inactive: bool) -> Result<Vec<Product>, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let rows = sqlx::query(sql::PRODUCTS)
            .bind(location_id)
            .bind(include_inactive)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        let mut barcodes: HashMap<Uuid, Vec<String>> = HashMap::new();
        let rows_of_barcodes =
            sqlx::query(sql::BARCODES).bind(location_id).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        for row in rows_of_barcodes {
            barcodes
                .entry(row.try_get("product_id").map_err(map_err)?)
                .or_default()
                .push(row.try_get("barcode").map_err(map_err)?);
        }
        rows.iter()
            .map(|row| {
                let id: Uuid = row.try_get("id").map_err(map_err)?;
                till_sqlx::product(row, barcodes.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    async fn find_product(&self, location: &LocationCode, key: &ProductKey) -> Result<Product, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let query = match key {
            ProductKey::Id(id) => sqlx::query(sql::PRODUCT_BY_ID).bind(location_id).bind(id.0),
            ProductKey::Sku(sku) => sqlx::query(sql::PRODUCT_BY_SKU).bind(location_id).bind(sku.as_str()),
            ProductKey::Barcode(code) => sqlx::query(sql::PRODUCT_BY_BARCODE).bind(location_id).bind(code.as_str()),
        };
        let row = query
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Product, key))?;
        with_barcodes(conn.db(), &row).await
    }

    async fn find_products(&self, location: &LocationCode, keys: &[ProductKey]) -> Result<Vec<Product>, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        let (ids, skus, barcodes) = ProductKey::split(keys);
        let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        let rows = sqlx::query(PRODUCTS_BY_KEYS)
            .bind(location_id)
            .bind(&ids)
            .bind(&skus)
            .bind(&barcodes)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        let found = rows
            .iter()
            .map(|row| till_sqlx::product(row, row.try_get("barcode_list").map_err(map_err)?))
            .collect::<Result<Vec<_>, _>>()?;
        ProductKey::in_key_order(keys, &found)
    }

    async fn set_product_active(
        &self,
        location: &LocationCode,
        sku: &Sku,
        active: bool,
    ) -> Result<Product, StoreError> {
        let mut conn = self.conn().await?;
        let location_id = location_id(conn.db(), location).await?;
        sqlx::query(sql::SET_PRODUCT_ACTIVE)
            .bind(active)
            .bind(location_id)
            .bind(sku.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Product, format!("SKU {sku}")))?;
        let row = sqlx::query(sql::PRODUCT_BY_SKU)
            .bind(location_id)
            .bind(sku.as_str())
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        with_barcodes(conn.db(), &row).await
    }
}
