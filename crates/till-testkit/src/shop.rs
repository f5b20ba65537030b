//! The shop the contract tests sell in, written once: DT (USD, prices without tax) with
//! `registers` registers, NY's 8.875 % sales tax (TAX) and untaxed groceries (FOOD), a Drinks
//! category, and three products: Latte 4.50 (TAX, Drinks, barcode 111), Muffin 2.95 (TAX, 222)
//! and Milk 2.29 (FOOD, 333). The fixture's alice (cashier, 1234) is logged in on
//! [`CASHIER_DEVICE`], bob (manager, 9999) on [`MANAGER_DEVICE`].
#![allow(clippy::unwrap_used)] // test support: a fixture that cannot be built has failed the test

use crate::{provision, Backend, Fixture, TestDatabase, CASHIER_DEVICE, MANAGER_DEVICE};
use std::path::PathBuf;
use std::sync::Arc;
use till_core::service::{self, ProductInput, SaleLineRequest};
use till_core::{Credentials, DeviceName, RegisterRef, Store};

pub struct Shop {
    /// Dropping it drops the database.
    pub db: TestDatabase,
    pub store: Arc<dyn Store>,
    pub fx: Fixture,
}

impl Shop {
    /// The SQLite file behind the store (a SQLite shop only).
    pub fn sqlite_file(&self) -> PathBuf {
        PathBuf::from(self.db.url.strip_prefix("sqlite://").expect("a SQLite shop"))
    }
}

pub async fn shop(backend: Backend, registers: usize) -> Shop {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), registers).await;
    let s = store.as_ref();
    service::add_tax_rate(s, "DT", "TAX", "NY sales tax", "8.875").await.unwrap();
    service::add_tax_rate(s, "DT", "FOOD", "Groceries", "0").await.unwrap();
    service::add_category(s, "DT", "Drinks", 1, "#2B6CB0").await.unwrap();
    for (sku, name, price, tax, category, code) in [
        ("LATTE", "Latte", "4.50", "TAX", Some("Drinks"), "111"),
        ("MUFFIN", "Muffin", "2.95", "TAX", None, "222"),
        ("MILK", "Milk", "2.29", "FOOD", None, "333"),
    ] {
        let barcodes = [code.to_string()];
        let input = ProductInput { sku, name, price, tax_rate: tax, category, barcodes: &barcodes };
        service::add_product(s, "DT", input).await.unwrap();
    }
    Shop { db, store, fx }
}

pub fn dt_r1() -> RegisterRef {
    RegisterRef::parse("DT/R1").unwrap()
}

pub fn device(name: &str) -> DeviceName {
    DeviceName::parse(name).unwrap()
}

/// The register's PC, where the fixture's cashier (alice) is logged in.
pub fn pc1() -> DeviceName {
    device(CASHIER_DEVICE)
}

/// The back office's PC, where the fixture's manager (bob) is logged in.
pub fn office() -> DeviceName {
    device(MANAGER_DEVICE)
}

/// bob's name and PIN, as a manager types them to approve at the register.
pub fn bob_approves() -> Credentials {
    service::approval("bob", "9999").unwrap()
}

/// A scanned line: `quantity` of the product with `barcode`.
pub fn line(barcode: &str, quantity: i32) -> SaleLineRequest {
    SaleLineRequest {
        product_id: None,
        sku: None,
        barcode: Some(barcode.into()),
        quantity,
        discount: None,
        price_override: None,
        reason: None,
    }
}
