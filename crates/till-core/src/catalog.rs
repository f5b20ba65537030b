//! A location's catalog: tax rates, quick-key categories, and products with their barcodes.
//!
//! The catalog is per location: tax rates differ by state and country, and with them prices and
//! assortments. A chain rolls one catalog out by importing the same CSV into each location.
//! Prices are integer minor units of the location's currency; tax rates are exact integers, in
//! parts per million ([`Ppm`]: 8.875 % is 88 750).

use crate::domain::{CategoryId, LocationId, ProductId, TaxRateId};
use crate::error::{InputError, LineError, StoreError};
use crate::money::{Currency, Money};
use crate::pricing::{Ppm, ProductSnapshot};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

fn invalid(field: &'static str, reason: impl Into<String>) -> InputError {
    InputError::Invalid { field, reason: reason.into() }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:expr, $rule:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, InputError> {
                let text = text.trim();
                let check: fn(&str) -> bool = $check;
                if check(text) {
                    Ok(Self(text.to_string()))
                } else {
                    Err(invalid($field, format!("{:?}: {}", text.chars().take(60).collect::<String>(), $rule)))
                }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A product's stock-keeping unit, unique within its location: 1 to 32 letters, digits,
    /// `.`, `_` or `-`, starting with a letter or digit (`COF-12OZ`).
    Sku,
    "SKU",
    |t| {
        (1..=32).contains(&t.len())
            && t.starts_with(|c: char| c.is_ascii_alphanumeric())
            && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    },
    "1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"
);
text_type!(
    /// What a scanner types for a product: 1 to 48 letters, digits or `-` (EAN-13, UPC-A, or a
    /// Code 128 label), unique within the location.
    Barcode,
    "barcode",
    |t| (1..=48).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
    "1 to 48 letters, digits or '-'"
);
text_type!(
    /// A tax rate's short code, unique within the location (`STD`, `FOOD`).
    TaxCode,
    "tax rate code",
    |t| {
        (1..=16).contains(&t.len())
            && t.starts_with(|c: char| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    },
    "1 to 16 upper-case letters, digits or '_', starting with a letter"
);
text_type!(
    /// A quick-key colour, `#rrggbb` in lower case.
    Colour,
    "colour",
    |t| t.len() == 7 && t.starts_with('#') && t[1..].chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
    "#rrggbb with lower-case hex digits, like #2f7d32"
);

/// A name shown on screens and receipts: 1 to `max` printable characters.
fn parse_name(field: &'static str, text: &str, max: usize) -> Result<String, InputError> {
    let name = crate::domain::parse_display_name(field, text)?;
    if name.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    Ok(name)
}

#[derive(Debug, Clone)]
pub struct NewTaxRate {
    pub code: TaxCode,
    pub name: String,
    pub rate: Ppm,
}

impl NewTaxRate {
    pub fn parse(code: &str, name: &str, percent: &str) -> Result<NewTaxRate, InputError> {
        Ok(NewTaxRate {
            code: TaxCode::parse(&code.to_ascii_uppercase())?,
            name: parse_name("tax rate name", name, 100)?,
            rate: Ppm::parse_percent(percent)?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewCategory {
    pub name: String,
    /// Quick keys are shown in ascending position.
    pub position: u16,
    pub colour: Colour,
}

impl NewCategory {
    pub fn parse(name: &str, position: u16, colour: &str) -> Result<NewCategory, InputError> {
        if position > 9999 {
            return Err(invalid("category position", "0 to 9999"));
        }
        Ok(NewCategory {
            name: parse_name("category name", name, 40)?,
            position,
            colour: Colour::parse(&colour.to_ascii_lowercase())?,
        })
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Category {
    #[ts(type = "string")]
    pub id: CategoryId,
    #[ts(type = "string")]
    pub location_id: LocationId,
    pub name: String,
    pub position: u16,
    pub colour: String,
}

/// A product to create, or to update when its SKU exists in the location (an import).
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: Sku,
    pub name: String,
    pub price: Money,
    pub tax_rate: TaxRateId,
    pub category: Option<CategoryId>,
    /// Replaces the product's barcodes.
    pub barcodes: Vec<Barcode>,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Product {
    #[ts(type = "string")]
    pub id: ProductId,
    #[ts(type = "string")]
    pub location_id: LocationId,
    pub sku: String,
    pub name: String,
    /// Minor units of the location's currency, as the shelf shows it (with or without tax,
    /// as the location says).
    pub price_minor: i64,
    #[ts(type = "string")]
    pub tax_rate_id: TaxRateId,
    pub tax_code: String,
    pub rate: Ppm,
    #[ts(type = "string | null")]
    pub category_id: Option<CategoryId>,
    pub category: Option<String>,
    pub barcodes: Vec<String>,
    pub active: bool,
}

impl Product {
    /// A product the catalog prices 0.00 is an open item: what the cashier sells an item the
    /// catalog does not know (an unknown barcode) as, at a price they type. That price is a
    /// price override, so a manager approves it with a reason, as any new price.
    pub fn is_open_item(&self) -> bool {
        self.active && self.price_minor == 0
    }

    /// What pricing needs of the product, as the catalog has it now.
    pub fn snapshot(&self) -> ProductSnapshot {
        ProductSnapshot {
            id: self.id,
            sku: self.sku.clone(),
            name: self.name.clone(),
            unit_price: self.price_minor,
            tax_rate_id: self.tax_rate_id,
            category: self.category.clone().unwrap_or_default(),
        }
    }
}

/// How a product is looked up.
#[derive(Debug, Clone)]
pub enum ProductKey {
    Id(ProductId),
    Sku(Sku),
    Barcode(Barcode),
}

impl fmt::Display for ProductKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductKey::Id(id) => write!(f, "product {id}"),
            ProductKey::Sku(sku) => write!(f, "SKU {sku}"),
            ProductKey::Barcode(code) => write!(f, "barcode {code}"),
        }
    }
}

impl ProductKey {
    /// Whether `product` is the one this key names.
    pub fn names(&self, product: &Product) -> bool {
        match self {
            ProductKey::Id(id) => product.id == *id,
            ProductKey::Sku(sku) => product.sku == sku.as_str(),
            ProductKey::Barcode(code) => product.barcodes.iter().any(|b| b == code.as_str()),
        }
    }

    /// The keys' ids, SKUs and barcodes, each kind apart (what a batch lookup binds).
    pub fn split(keys: &[ProductKey]) -> (Vec<ProductId>, Vec<&str>, Vec<&str>) {
        let (mut ids, mut skus, mut barcodes) = (Vec::new(), Vec::new(), Vec::new());
        for key in keys {
            match key {
                ProductKey::Id(id) => ids.push(*id),
                ProductKey::Sku(sku) => skus.push(sku.as_str()),
                ProductKey::Barcode(code) => barcodes.push(code.as_str()),
            }
        }
        (ids, skus, barcodes)
    }

    /// The products a batch lookup found, one per key in the keys' order; the first key that
    /// found none is `product_not_found`.
    pub fn in_key_order(keys: &[ProductKey], found: &[Product]) -> Result<Vec<Product>, StoreError> {
        keys.iter()
            .map(|key| {
                found
                    .iter()
                    .find(|p| key.names(p))
                    .cloned()
                    .ok_or_else(|| StoreError::not_found(crate::error::Entity::Product, key))
            })
            .collect()
    }
}

/// A catalog import's limits: a file larger than this is refused before it is read further.
pub const MAX_IMPORT_ROWS: usize = 100_000;
/// The columns of a catalog CSV (any order; `category`, `barcodes` and `active` optional).
pub const CSV_COLUMNS: [&str; 7] = ["sku", "name", "price", "tax_rate", "category", "barcodes", "active"];
const REQUIRED_COLUMNS: [&str; 4] = ["sku", "name", "price", "tax_rate"];

/// One parsed line of a catalog CSV, before its tax rate and category are looked up.
#[derive(Debug, Clone)]
pub struct CsvProduct {
    pub line: usize,
    pub sku: Sku,
    pub name: String,
    pub price: Money,
    pub tax_code: TaxCode,
    pub category: Option<String>,
    pub barcodes: Vec<Barcode>,
    pub active: bool,
}

/// Parses a catalog CSV (UTF-8, comma-separated, a header line naming the columns in
/// [`CSV_COLUMNS`], quotes as in RFC 4180). Reports every bad line, not only the first: a
/// malformed field, a duplicate SKU or barcode within the file. Prices are in `currency`,
/// with a decimal point (`2.50`). Barcodes are separated by `|` or spaces.
pub fn parse_catalog_csv(text: &str, currency: Currency) -> Result<Vec<CsvProduct>, InputError> {
    let (products, errors) = parse_catalog_lines(text, currency)?;
    if !errors.is_empty() {
        return Err(InputError::BadLines { field: "catalog CSV", lines: errors });
    }
    Ok(products)
}

/// [`parse_catalog_csv`]'s lines: the products of the good lines and every bad line's problem,
/// so an import can check the good lines against the store too and report every bad line of
/// the file in one answer. A bad header, or a file with no product, is an error at once.
pub fn parse_catalog_lines(text: &str, currency: Currency) -> Result<(Vec<CsvProduct>, Vec<LineError>), InputError> {
    const FIELD: &str = "catalog CSV";
    let bad = |lines: Vec<LineError>| InputError::BadLines { field: FIELD, lines };
    let one = |line: usize, reason: String| bad(vec![LineError { line, reason }]);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(one(1, format!("cannot read the header: {e}"))),
    };
    let mut index = HashMap::new();
    for (i, name) in headers.iter().enumerate() {
        if !CSV_COLUMNS.contains(&name.as_str()) {
            return Err(one(1, format!("unknown column {name:?}; the columns are {}", CSV_COLUMNS.join(", "))));
        }
        if index.insert(name.clone(), i).is_some() {
            return Err(one(1, format!("column {name:?} appears twice")));
        }
    }
    if let Some(missing) = REQUIRED_COLUMNS.iter().find(|c| !index.contains_key(**c)) {
        return Err(one(1, format!("the header lacks the {missing:?} column")));
    }
    let mut products = Vec::new();
    let mut errors = Vec::new();
    let mut skus: HashMap<String, usize> = HashMap::new();
    let mut barcodes: HashMap<String, usize> = HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if n >= MAX_IMPORT_ROWS {
            errors.push(LineError { line, reason: format!("more than {MAX_IMPORT_ROWS} products in one file") });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(LineError { line, reason: format!("not a CSV line with {} fields: {e}", headers.len()) });
                continue;
            }
        };
        match parse_csv_line(line, &Fields { index: &index, record: &record }, currency) {
            Ok(product) => {
                if let Some(first) = skus.insert(product.sku.as_str().to_string(), line) {
                    errors.push(LineError { line, reason: format!("SKU {} is also on line {first}", product.sku) });
                }
                for code in &product.barcodes {
                    if let Some(first) = barcodes.insert(code.as_str().to_string(), line) {
                        errors.push(LineError { line, reason: format!("barcode {code} is also on line {first}") });
                    }
                }
                products.push(product);
            }
            Err(reason) => errors.push(LineError { line, reason }),
        }
    }
    if products.is_empty() && errors.is_empty() {
        return Err(one(1, "the file has no products".into()));
    }
    Ok((products, errors))
}

/// One CSV record's fields by column name (an absent optional column reads as empty).
struct Fields<'a> {
    index: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
}

impl Fields<'_> {
    fn get(&self, name: &str) -> &str {
        self.index.get(name).and_then(|&i| self.record.get(i)).unwrap_or("").trim()
    }
}

fn parse_csv_line(line: usize, fields: &Fields<'_>, currency: Currency) -> Result<CsvProduct, String> {
    let field = |name: &str| fields.get(name);
    let active = match field("active").to_ascii_lowercase().as_str() {
        "" | "yes" | "true" | "1" => true,
        "no" | "false" | "0" => false,
        other => return Err(format!("active must be yes or no, not {other:?}")),
    };
    let category = match field("category") {
        "" => None,
        name => Some(parse_name("category", name, 40).map_err(|e| e.to_string())?),
    };
    let barcodes = field("barcodes")
        .split(|c: char| c == '|' || c.is_whitespace())
        .filter(|code| !code.is_empty())
        .map(Barcode::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(CsvProduct {
        line,
        sku: Sku::parse(field("sku")).map_err(|e| e.to_string())?,
        name: parse_name("name", field("name"), 100).map_err(|e| e.to_string())?,
        price: Money::parse_cash(field("price"), currency).map_err(|e| e.to_string())?,
        tax_code: TaxCode::parse(&field("tax_rate").to_ascii_uppercase()).map_err(|e| e.to_string())?,
        category,
        barcodes,
        active,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_colours() {
        assert!(Sku::parse("COF-12OZ").is_ok());
        assert!(Sku::parse("-x").is_err());
        assert!(Barcode::parse("0012345678905").is_ok());
        assert!(Barcode::parse("12 34").is_err());
        assert!(Colour::parse("#2f7d32").is_ok());
        assert!(Colour::parse("red").is_err());
        assert!(TaxCode::parse("STD").is_ok());
        assert!(TaxCode::parse("std").is_err());
    }

    #[test]
    fn a_good_csv_parses_with_quotes_and_optional_columns() {
        let csv = "sku,name,price,tax_rate,category,barcodes\n\
                   COF-1,\"Coffee, large\",2.50,std,Drinks,0012345678905|0012345678912\n\
                   TEA-1,Tea,1.75,FOOD,,\n";
        let products = parse_catalog_csv(csv, Currency::USD).unwrap();
        assert_eq!(products.len(), 2);
        assert_eq!(products[0].name, "Coffee, large");
        assert_eq!(products[0].price.minor(), 250);
        assert_eq!(products[0].tax_code.as_str(), "STD");
        assert_eq!(products[0].barcodes.len(), 2);
        assert_eq!(products[1].category, None);
        assert!(products[1].active);
    }

    #[test]
    fn a_bad_csv_lists_every_bad_line() {
        let csv = "sku,name,price,tax_rate,barcodes,active\n\
                   A1,Apple,0.50,STD,111,yes\n\
                   B1,,1.00,STD,,yes\n\
                   C1,Cherry,-1,STD,,yes\n\
                   A1,Apple again,0.60,STD,,yes\n\
                   D1,Date,1.005,STD,111,maybe\n\
                   E1,Elder,1.00,STD,222 111,no\n";
        let err = parse_catalog_csv(csv, Currency::USD).unwrap_err();
        let InputError::BadLines { lines, .. } = err else { panic!("{err:?}") };
        let numbers: Vec<usize> = lines.iter().map(|l| l.line).collect();
        assert_eq!(numbers, vec![3, 4, 5, 6, 7], "{lines:?}");
        assert!(lines[2].reason.contains("also on line 2"), "{lines:?}");
        assert!(lines[4].reason.contains("barcode 111"), "{lines:?}");
    }

    #[test]
    fn the_header_is_checked() {
        for (csv, why) in [
            ("sku,name,price\nA,B,1\n", "tax_rate"),
            ("sku,name,price,tax_rate,colour\n", "unknown column"),
            ("sku,name,price,tax_rate\n", "no products"),
        ] {
            let err = parse_catalog_csv(csv, Currency::USD).unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
    }
}
