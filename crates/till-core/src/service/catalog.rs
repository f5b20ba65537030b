//! The catalog's use cases, shared by tillctl and the app: input parsed here, written by the
//! store in one transaction.

use crate::catalog::*;
use crate::domain::{CategoryId, LocationCode};
use crate::error::{InputError, LineError, TillError};
use crate::money::Money;
use crate::pricing::TaxRate;
use crate::store::Store;
use std::collections::HashMap;

pub async fn add_tax_rate(
    store: &dyn Store,
    location: &str,
    code: &str,
    name: &str,
    percent: &str,
) -> Result<TaxRate, TillError> {
    let location = LocationCode::parse(location)?;
    Ok(store.create_tax_rate(&location, NewTaxRate::parse(code, name, percent)?).await?)
}

pub async fn add_category(
    store: &dyn Store,
    location: &str,
    name: &str,
    position: u16,
    colour: &str,
) -> Result<Category, TillError> {
    let location = LocationCode::parse(location)?;
    Ok(store.create_category(&location, NewCategory::parse(name, position, colour)?).await?)
}

/// A product as typed by IT: the price in the location's currency (`2.50`), the tax rate by
/// code and the category by name.
#[derive(Debug, Clone)]
pub struct ProductInput<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub price: &'a str,
    pub tax_rate: &'a str,
    pub category: Option<&'a str>,
    pub barcodes: &'a [String],
}

/// Adds a product, or replaces the one with the same SKU.
pub async fn add_product(store: &dyn Store, location: &str, input: ProductInput<'_>) -> Result<Product, TillError> {
    let code = LocationCode::parse(location)?;
    let currency = store.find_location(&code).await?.currency;
    let csv_like = CsvProduct {
        line: 0,
        sku: Sku::parse(input.sku)?,
        name: crate::domain::parse_display_name("name", input.name)?,
        price: Money::parse_cash(input.price, currency)?,
        tax_code: TaxCode::parse(&input.tax_rate.to_ascii_uppercase())?,
        category: input.category.map(|c| crate::domain::parse_display_name("category", c)).transpose()?,
        barcodes: input.barcodes.iter().map(|b| Barcode::parse(b)).collect::<Result<_, _>>()?,
        active: true,
    };
    let sku = csv_like.sku.clone();
    let (products, problems) = resolve(store, &code, vec![csv_like]).await?;
    match problems.as_slice() {
        [] => {}
        // One product: its one problem, without a line number.
        [one] => return Err(InputError::Invalid { field: "product", reason: one.reason.clone() }.into()),
        _ => return Err(InputError::BadLines { field: "product", lines: problems }.into()),
    }
    store.save_products(&code, products).await?;
    Ok(store.find_product(&code, &ProductKey::Sku(sku)).await?)
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
}

/// Imports a catalog CSV (format: [`parse_catalog_csv`]) into a location: all or nothing. A bad
/// file writes nothing and lists every bad line with its number and reason, including tax
/// rates and categories the location does not have, and barcodes that belong to another
/// product of the location.
pub async fn import_products(store: &dyn Store, location: &str, csv: &str) -> Result<ImportReport, TillError> {
    let code = LocationCode::parse(location)?;
    let currency = store.find_location(&code).await?.currency;
    // Every bad line in one answer: the lines that parse are checked against the store (tax
    // rates, categories, barcodes) even when others did not parse.
    let (rows, mut errors) = parse_catalog_lines(csv, currency)?;
    let count = rows.len();
    let (products, unresolved) = resolve(store, &code, rows).await?;
    errors.extend(unresolved);
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(InputError::BadLines { field: "catalog CSV", lines: errors }.into());
    }
    let created = store.save_products(&code, products).await?;
    Ok(ImportReport { created, updated: count - created })
}

/// Looks the rows' tax rates and categories up, and checks their barcodes against the
/// location's other products, collecting every problem by line.
async fn resolve(
    store: &dyn Store,
    location: &LocationCode,
    rows: Vec<CsvProduct>,
) -> Result<(Vec<NewProduct>, Vec<LineError>), TillError> {
    let rates: HashMap<String, TaxRate> =
        store.list_tax_rates(location).await?.into_iter().map(|r| (r.code.clone(), r)).collect();
    let categories: HashMap<String, CategoryId> =
        store.list_categories(location).await?.into_iter().map(|c| (c.name.to_lowercase(), c.id)).collect();
    let owners: HashMap<String, String> = store
        .list_products(location, true)
        .await?
        .into_iter()
        .flat_map(|p| p.barcodes.into_iter().map(move |b| (b, p.sku.clone())))
        .collect();
    let moving: HashMap<&str, &[Barcode]> = rows.iter().map(|r| (r.sku.as_str(), r.barcodes.as_slice())).collect();
    let mut errors = Vec::new();
    let mut products = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut problems = Vec::new();
        let rate = rates.get(row.tax_code.as_str());
        if rate.is_none() {
            let known: Vec<&str> = rates.keys().map(String::as_str).collect();
            problems.push(format!(
                "tax rate {} is not one of {location}'s ({}): use one of those, or add it with `tillctl tax-rate add --location {location} --code {} --name NAME --rate PERCENT`",
                row.tax_code,
                known.join(", "),
                row.tax_code
            ));
        }
        let category = match &row.category {
            None => None,
            Some(name) => match categories.get(&name.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    problems.push(format!(
                        "category {name:?} does not exist at {location}: add it with `tillctl category add --location {location} --name {name:?}`"
                    ));
                    None
                }
            },
        };
        for code in &row.barcodes {
            // Taken by a product this file does not touch, or one it touches that keeps it.
            if let Some(owner) = owners.get(code.as_str()).filter(|owner| owner.as_str() != row.sku.as_str()) {
                let released = moving.get(owner.as_str()).is_some_and(|codes| !codes.contains(code));
                if !released {
                    problems.push(format!("barcode {code} already belongs to {owner}"));
                }
            }
        }
        match (rate, problems.is_empty()) {
            (Some(rate), true) => products.push(NewProduct {
                sku: row.sku.clone(),
                name: row.name.clone(),
                price: row.price,
                tax_rate: rate.id,
                category,
                barcodes: row.barcodes.clone(),
                active: row.active,
            }),
            _ => errors.extend(problems.into_iter().map(|reason| LineError { line: row.line, reason })),
        }
    }
    Ok((products, errors))
}

pub async fn set_product_active(
    store: &dyn Store,
    location: &str,
    sku: &str,
    active: bool,
) -> Result<Product, TillError> {
    Ok(store.set_product_active(&LocationCode::parse(location)?, &Sku::parse(sku)?, active).await?)
}
