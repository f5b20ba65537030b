//! The catalog's SQL, the same in both dialects (`$n` parameters).

/// `$1` code.
pub const LOCATION_ID: &str = "SELECT id FROM locations WHERE code = $1";
/// `$1` id, `$2` location id, `$3` code, `$4` name, `$5` rate (ppm).
pub const INSERT_TAX_RATE: &str =
    "INSERT INTO tax_rates (id, location_id, code, name, rate_ppm) VALUES ($1, $2, $3, $4, $5) RETURNING *";
/// `$1` location id.
pub const TAX_RATES: &str = "SELECT * FROM tax_rates WHERE location_id = $1 ORDER BY code";
/// `$1` id, `$2` location id, `$3` name, `$4` position, `$5` colour.
pub const INSERT_CATEGORY: &str =
    "INSERT INTO categories (id, location_id, name, position, colour) VALUES ($1, $2, $3, $4, $5) RETURNING *";
/// `$1` location id.
pub const CATEGORIES: &str = "SELECT * FROM categories WHERE location_id = $1 ORDER BY position, name";
/// The product columns with their tax rate's code and rate and their category's name.
macro_rules! product_select {
    () => {
        "SELECT p.*, t.code AS tax_code, t.rate_ppm, c.name AS category_name
        FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id LEFT JOIN categories c ON c.id = p.category_id"
    };
}
/// `$1` location id, `$2` include inactive.
pub const PRODUCTS: &str = concat!(product_select!(), " WHERE p.location_id = $1 AND ($2 OR p.active) ORDER BY p.sku");
/// `$1` location id, `$2` product id.
pub const PRODUCT_BY_ID: &str = concat!(product_select!(), " WHERE p.location_id = $1 AND p.id = $2");
/// `$1` location id, `$2` SKU.
pub const PRODUCT_BY_SKU: &str = concat!(product_select!(), " WHERE p.location_id = $1 AND p.sku = $2");
/// `$1` location id, `$2` barcode.
pub const PRODUCT_BY_BARCODE: &str = concat!(
    product_select!(),
    " WHERE p.id = (SELECT product_id FROM product_barcodes WHERE location_id = $1 AND barcode = $2)"
);
/// `$1` location id.
pub const BARCODES: &str = "SELECT product_id, barcode FROM product_barcodes WHERE location_id = $1 ORDER BY barcode";
/// `$1` product id.
pub const BARCODES_OF_PRODUCT: &str = "SELECT barcode FROM product_barcodes WHERE product_id = $1 ORDER BY barcode";
/// `$1` new id, `$2` location id, `$3` SKU, `$4` name, `$5` price, `$6` tax rate id,
/// `$7` category id, `$8` active. Returns the product's id: `$1` when it was inserted.
pub const UPSERT_PRODUCT: &str =
    "INSERT INTO products (id, location_id, sku, name, price_minor, tax_rate_id, category_id, active)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (location_id, sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
        tax_rate_id = excluded.tax_rate_id, category_id = excluded.category_id, active = excluded.active
    RETURNING id";
/// `$1` product id.
pub const DELETE_BARCODES: &str = "DELETE FROM product_barcodes WHERE product_id = $1";
/// `$1` barcode, `$2` location id, `$3` product id.
pub const INSERT_BARCODE: &str = "INSERT INTO product_barcodes (barcode, location_id, product_id) VALUES ($1, $2, $3)";
/// `$1` active, `$2` location id, `$3` SKU.
pub const SET_PRODUCT_ACTIVE: &str = "UPDATE products SET active = $1 WHERE location_id = $2 AND sku = $3 RETURNING id";
