//! The catalog: tax rates, categories, products and barcodes.

use crate::{exists_or, map_err, SqliteStore};
use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, SqliteConnection};
use std::collections::HashMap;
use till_core::*;
use till_sqlx::catalog as sql;
use uuid::Uuid;

async fn location_id(conn: &mut SqliteConnection, code: &LocationCode) -> Result<Uuid, StoreError> {
    sqlx::query_scalar(sql::LOCATION_ID)
        .bind(code.as_str())
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::not_found(Entity::Location, code))
}

/// Inserts a tax rate of location `location_id` (`location`, for the error) in `tx`.
pub(crate) async fn insert_tax_rate(
    tx: &mut SqliteConnection,
    location_id: Uuid,
    new: &NewTaxRate,
    location: &LocationCode,
) -> Result<TaxRate, StoreError> {
    let row = sqlx::query(sql::INSERT_TAX_RATE)
        .bind(TaxRateId::new().0)
        .bind(location_id)
        .bind(new.code.as_str())
        .bind(&new.name)
        .bind(i64::from(new.rate.get()))
        .fetch_one(&mut *tx)
        .await
        .map_err(exists_or(Entity::TaxRate, format!("{location} {}", new.code)))?;
    till_sqlx::tax_rate(&row)
}

async fn with_barcodes(conn: &mut SqliteConnection, row: &SqliteRow) -> Result<Product, StoreError> {
    let id: Uuid = row.try_get("id").map_err(map_err)?;
    let barcodes = sqlx::query_scalar(sql::BARCODES_OF_PRODUCT).bind(id).fetch_all(conn).await.map_err(map_err)?;
    till_sqlx::product(row, barcodes)
}

/// `?1` location id, `?2` ids (JSON array of simple-form UUIDs), `?3` SKUs, `?4` barcodes (JSON
/// arrays): the products any of them name, each with its barcodes (digits, space-separated).
const PRODUCTS_BY_KEYS: &str = "SELECT p.*, t.code AS tax_code, t.rate_ppm, c.name AS category_name,
        coalesce((SELECT group_concat(barcode, ' ') FROM (SELECT b.barcode FROM product_barcodes b
                   WHERE b.product_id = p.id ORDER BY b.barcode)), '') AS barcode_list
    FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id LEFT JOIN categories c ON c.id = p.category_id
    WHERE p.location_id = ?1 AND (lower(hex(p.id)) IN (SELECT value FROM json_each(?2))
        OR p.sku IN (SELECT value FROM json_each(?3))
        OR p.id IN (SELECT b.product_id FROM product_barcodes b
                     WHERE b.location_id = ?1 AND b.barcode IN (SELECT value FROM json_each(?4))))";

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn create_tax_rate(&self, location: &LocationCode, new: NewTaxRate) -> Result<TaxRate, StoreError> {
        let mut tx = self.write().await?;
        let location_id = location_id(&mut tx, location).await?;
        let rate = insert_tax_rate(&mut tx, location_id, &new, location).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(rate)
    }

    async fn list_tax_rates(&self, location: &LocationCode) -> Result<Vec<TaxRate>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let location_id = location_id(&mut conn, location).await?;
        let rows = sqlx::query(sql::TAX_RATES).bind(location_id).fetch_all(&mut *conn).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::tax_rate).collect()
    }

    async fn create_category(&self, location: &LocationCode, new: NewCategory) -> Result<Category, StoreError> {
        let mut tx = self.write().await?;
        let location_id = location_id(&mut tx, location).await?;
        let row = sqlx::query(sql::INSERT_CATEGORY)
            .bind(CategoryId::new().0)
            .bind(location_id)
            .bind(&new.name)
            .bind(i64::from(new.position))
            .bind(new.colour.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(exists_or(Entity::Category, format!("{location} {}", new.name)))?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::category(&row)
    }

    async fn list_categories(&self, location: &LocationCode) -> Result<Vec<Category>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let location_id = location_id(&mut conn, location).await?;
        let rows = sqlx::query(sql::CATEGORIES).bind(location_id).fetch_all(&mut *conn).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::category).collect()
    }

    async fn save_products(&self, location: &LocationCode, products: Vec<NewProduct>) -> Result<usize, StoreError> {
        let mut tx = self.write().await?;
        let location_id = location_id(&mut tx, location).await?;
        let mut created = 0;
        let mut ids = Vec::with_capacity(products.len());
        // A dropped transaction rolls back: any error below writes nothing.
        for product in &products {
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
        // Barcodes after every product's old ones are gone: one may move between products of
        // the batch.
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
        tx.commit().await.map_err(map_err)?;
        Ok(created)
    }

    async fn list_products(&self, location: &LocationCode, include_inactive: bool) -> Result<Vec<Product>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let location_id = location_id(&mut conn, location).await?;
        let rows = sqlx::query(sql::PRODUCTS)
            .bind(location_id)
            .bind(include_inactive)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
        let mut barcodes: HashMap<Uuid, Vec<String>> = HashMap::new();
        for row in sqlx::query(sql::BARCODES).bind(location_id).fetch_all(&mut *conn).await.map_err(map_err)? {
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
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let location_id = location_id(&mut conn, location).await?;
        let query = match key {
            ProductKey::Id(id) => sqlx::query(sql::PRODUCT_BY_ID).bind(location_id).bind(id.0),
            ProductKey::Sku(sku) => sqlx::query(sql::PRODUCT_BY_SKU).bind(location_id).bind(sku.as_str()),
            ProductKey::Barcode(code) => sqlx::query(sql::PRODUCT_BY_BARCODE).bind(location_id).bind(code.as_str()),
        };
        let row = query
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Product, key))?;
        with_barcodes(&mut conn, &row).await
    }

    async fn find_products(&self, location: &LocationCode, keys: &[ProductKey]) -> Result<Vec<Product>, StoreError> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        let location_id = location_id(&mut conn, location).await?;
        let (ids, skus, barcodes) = ProductKey::split(keys);
        let ids: Vec<String> = ids.iter().map(|id| id.0.simple().to_string()).collect();
        let json = |list: &[&str]| serde_json::to_string(list).map_err(|e| StoreFailure::Internal(e.to_string()));
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let rows = sqlx::query(PRODUCTS_BY_KEYS)
            .bind(location_id)
            .bind(json(&ids)?)
            .bind(json(&skus)?)
            .bind(json(&barcodes)?)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
        let found = rows
            .iter()
            .map(|row| {
                let list: String = row.try_get("barcode_list").map_err(map_err)?;
                till_sqlx::product(row, list.split_whitespace().map(str::to_string).collect())
            })
            .collect::<Result<Vec<_>, _>>()?;
        ProductKey::in_key_order(keys, &found)
    }

    async fn set_product_active(
        &self,
        location: &LocationCode,
        sku: &Sku,
        active: bool,
    ) -> Result<Product, StoreError> {
        let mut tx = self.write().await?;
        let location_id = location_id(&mut tx, location).await?;
        sqlx::query(sql::SET_PRODUCT_ACTIVE)
            .bind(active)
            .bind(location_id)
            .bind(sku.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Product, format!("SKU {sku}")))?;
        let row = sqlx::query(sql::PRODUCT_BY_SKU)
            .bind(location_id)
            .bind(sku.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        let product = with_barcodes(&mut tx, &row).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(product)
    }
}
