//! Tax rates, categories and products.

use super::{ppm, read, unexpected};
use sqlx::{FromRow, Row};
use till_core::{Category, CategoryId, LocationId, Product, ProductId, StoreError, TaxRate, TaxRateId};
use uuid::Uuid;

columns! {
    /// A row of `tax_rates`.
    pub struct TaxRateRow {
        id: Uuid,
        code: String,
        name: String,
        rate_ppm: i32,
    }
}

impl TryFrom<TaxRateRow> for TaxRate {
    type Error = StoreError;

    fn try_from(row: TaxRateRow) -> Result<TaxRate, StoreError> {
        Ok(TaxRate { id: TaxRateId(row.id), code: row.code, name: row.name, rate: ppm(row.rate_ppm)? })
    }
}

/// Decodes a row of `tax_rates`.
pub fn tax_rate<'r, R: Row>(row: &'r R) -> Result<TaxRate, StoreError>
where
    TaxRateRow: FromRow<'r, R>,
{
    read::<TaxRateRow, R>(row)?.try_into()
}

columns! {
    /// A row of `categories`.
    pub struct CategoryRow {
        id: Uuid,
        location_id: Uuid,
        name: String,
        position: i32,
        colour: String,
    }
}

impl TryFrom<CategoryRow> for Category {
    type Error = StoreError;

    fn try_from(row: CategoryRow) -> Result<Category, StoreError> {
        let position = row.position;
        Ok(Category {
            id: CategoryId(row.id),
            location_id: LocationId(row.location_id),
            name: row.name,
            position: u16::try_from(position).map_err(|_| unexpected("category position", &position.to_string()))?,
            colour: row.colour,
        })
    }
}

/// Decodes a row of `categories`.
pub fn category<'r, R: Row>(row: &'r R) -> Result<Category, StoreError>
where
    CategoryRow: FromRow<'r, R>,
{
    read::<CategoryRow, R>(row)?.try_into()
}

columns! {
    /// A product with its tax rate's code and rate and its category's name, as
    /// [`crate::catalog::PRODUCTS`] reads it. The barcodes are another read (each backend
    /// aggregates them its own way).
    pub struct ProductRow {
        id: Uuid,
        location_id: Uuid,
        sku: String,
        name: String,
        price_minor: i64,
        tax_rate_id: Uuid,
        tax_code: String,
        rate_ppm: i32,
        category_id: Option<Uuid>,
        category_name: Option<String>,
        active: bool,
    }
}

/// The product without its barcodes.
impl TryFrom<ProductRow> for Product {
    type Error = StoreError;

    fn try_from(row: ProductRow) -> Result<Product, StoreError> {
        Ok(Product {
            id: ProductId(row.id),
            location_id: LocationId(row.location_id),
            sku: row.sku,
            name: row.name,
            price_minor: row.price_minor,
            tax_rate_id: TaxRateId(row.tax_rate_id),
            tax_code: row.tax_code,
            rate: ppm(row.rate_ppm)?,
            category_id: row.category_id.map(CategoryId),
            category: row.category_name,
            barcodes: Vec::new(),
            active: row.active,
        })
    }
}

/// Decodes a row of `catalog::PRODUCTS`; the barcodes are read separately.
pub fn product<'r, R: Row>(row: &'r R, barcodes: Vec<String>) -> Result<Product, StoreError>
where
    ProductRow: FromRow<'r, R>,
{
    let product: Product = read::<ProductRow, R>(row)?.try_into()?;
    Ok(Product { barcodes, ..product })
}
