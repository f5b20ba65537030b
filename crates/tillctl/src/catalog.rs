//! `tillctl tax-rate|category|product`: a location's catalog. IT's commands (the owner's role
//! on PostgreSQL); every write goes through till-core's catalog use cases.

use crate::output::{Output, Printable};
use clap::Subcommand;
use till_core::service::{self, ImportReport, ProductInput};
use till_core::*;

#[derive(Subcommand)]
pub enum TaxRateCommand {
    /// Add a tax rate: a percentage kept exactly (8.875 is 88 750 parts per million).
    Add {
        #[arg(long)]
        location: String,
        /// Short code products and CSV files name it by (STD, FOOD).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// Percent, at most 4 decimals: 8.875
        #[arg(long)]
        rate: String,
    },
    List {
        #[arg(long)]
        location: String,
    },
}

#[derive(Subcommand)]
pub enum CategoryCommand {
    /// Add a quick-key category.
    Add {
        #[arg(long)]
        location: String,
        #[arg(long)]
        name: String,
        /// Quick keys are shown in ascending position.
        #[arg(long, default_value_t = 0)]
        position: u16,
        /// #rrggbb
        #[arg(long, default_value = "#4a5568")]
        colour: String,
    },
    List {
        #[arg(long)]
        location: String,
    },
}

#[derive(Subcommand)]
pub enum ProductCommand {
    /// Add a product, or replace the one with the same SKU.
    Add {
        #[arg(long)]
        location: String,
        #[arg(long)]
        sku: String,
        #[arg(long)]
        name: String,
        /// In the location's currency: 2.50
        #[arg(long, allow_hyphen_values = true)]
        price: String,
        /// The tax rate's code.
        #[arg(long)]
        tax_rate: String,
        #[arg(long)]
        category: Option<String>,
        /// Repeat for several barcodes.
        #[arg(long = "barcode")]
        barcodes: Vec<String>,
    },
    /// Products by SKU (active ones, unless --all).
    List {
        #[arg(long)]
        location: String,
        #[arg(long)]
        all: bool,
    },
    /// One product, by SKU or barcode.
    Show {
        #[arg(long)]
        location: String,
        #[arg(long, conflicts_with = "barcode", required_unless_present = "barcode")]
        sku: Option<String>,
        #[arg(long)]
        barcode: Option<String>,
    },
    /// Stop selling a product; its history stays.
    Deactivate {
        #[arg(long)]
        location: String,
        #[arg(long)]
        sku: String,
    },
    Activate {
        #[arg(long)]
        location: String,
        #[arg(long)]
        sku: String,
    },
    /// Import a catalog CSV: all or nothing. A bad file writes nothing and lists every bad line.
    /// Columns: sku,name,price,tax_rate[,category][,barcodes][,active] (docs/operations.md: catalog CSV).
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        location: String,
    },
}

pub async fn tax_rate(store: &dyn Store, out: Output, command: TaxRateCommand) -> Result<(), TillError> {
    match command {
        TaxRateCommand::Add { location, code, name, rate } => {
            out.print(&service::add_tax_rate(store, &location, &code, &name, &rate).await?)
        }
        TaxRateCommand::List { location } => out.print(&store.list_tax_rates(&LocationCode::parse(&location)?).await?),
    }
    Ok(())
}

pub async fn category(store: &dyn Store, out: Output, command: CategoryCommand) -> Result<(), TillError> {
    match command {
        CategoryCommand::Add { location, name, position, colour } => {
            out.print(&service::add_category(store, &location, &name, position, &colour).await?)
        }
        CategoryCommand::List { location } => {
            out.print(&store.list_categories(&LocationCode::parse(&location)?).await?)
        }
    }
    Ok(())
}

pub async fn product(store: &dyn Store, out: Output, command: ProductCommand) -> Result<(), TillError> {
    match command {
        ProductCommand::Add { location, sku, name, price, tax_rate, category, barcodes } => {
            let input = ProductInput {
                sku: &sku,
                name: &name,
                price: &price,
                tax_rate: &tax_rate,
                category: category.as_deref(),
                barcodes: &barcodes,
            };
            out.print(&service::add_product(store, &location, input).await?)
        }
        ProductCommand::List { location, all } => {
            out.print(&store.list_products(&LocationCode::parse(&location)?, all).await?)
        }
        ProductCommand::Show { location, sku, barcode } => {
            let key = match (sku, barcode) {
                (Some(sku), _) => ProductKey::Sku(Sku::parse(&sku)?),
                (None, Some(code)) => ProductKey::Barcode(Barcode::parse(&code)?),
                (None, None) => {
                    return Err(
                        InputError::Invalid { field: "product", reason: "give --sku or --barcode".into() }.into()
                    )
                }
            };
            out.print(&store.find_product(&LocationCode::parse(&location)?, &key).await?)
        }
        ProductCommand::Deactivate { location, sku } => {
            out.print(&service::set_product_active(store, &location, &sku, false).await?)
        }
        ProductCommand::Activate { location, sku } => {
            out.print(&service::set_product_active(store, &location, &sku, true).await?)
        }
        ProductCommand::Import { file, location } => {
            let text = std::fs::read_to_string(&file).map_err(|e| InputError::Invalid {
                field: "catalog CSV",
                reason: format!("cannot read {}: {e}", file.display()),
            })?;
            out.print(&service::import_products(store, &location, &text).await?)
        }
    }
    Ok(())
}

impl Printable for TaxRate {
    fn human(&self) -> String {
        format!("{:<8} {:<32} {}", self.code, self.name, self.rate)
    }
}

impl Printable for Vec<TaxRate> {
    fn human(&self) -> String {
        self.iter().map(Printable::human).collect::<Vec<_>>().join("\n")
    }
}

impl Printable for Category {
    fn human(&self) -> String {
        format!("{:>4}  {:<24} {}", self.position, self.name, self.colour)
    }
}

impl Printable for Vec<Category> {
    fn human(&self) -> String {
        self.iter().map(Printable::human).collect::<Vec<_>>().join("\n")
    }
}

impl Printable for Product {
    fn human(&self) -> String {
        format!(
            "{:<16} {:<32} {:>12} {:<6} {:<16} {}{}",
            self.sku,
            self.name,
            self.price_minor,
            self.tax_code,
            self.category.as_deref().unwrap_or("-"),
            self.barcodes.join(" "),
            if self.active { "" } else { "  (inactive)" }
        )
    }
}

impl Printable for Vec<Product> {
    fn human(&self) -> String {
        self.iter().map(Printable::human).collect::<Vec<_>>().join("\n")
    }
}

impl Printable for ImportReport {
    fn human(&self) -> String {
        format!("imported: {} new, {} updated", self.created, self.updated)
    }
}
