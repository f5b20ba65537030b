//! The browser tests' shop, provisioned through till-core's services as IT would with tillctl:
//! Downtown (New York, USD, prices without tax) with two registers, Uptown Berlin (EUR, de-DE)
//! with one, four users (dave deactivated), two tax rates, three categories (one empty) and a
//! small catalog with one product taken off sale.

use till_core::location::SettingsInput;
use till_core::service::{self, LocationInput, ProductInput};
use till_core::{Store, TillError, UserName};

/// Users and their PINs: the screens' tests type these.
pub const USERS: [(&str, &str, &str); 4] = [
    ("alice", "cashier", "1234"),
    ("bob", "manager", "9999"),
    ("carol", "cashier", "5555"),
    ("dave", "cashier", "0000"),
];

/// sku, name, price, tax rate, category, barcode.
const PRODUCTS: [(&str, &str, &str, &str, &str, &str); 6] = [
    ("COF-1", "Coffee", "2.50", "FOOD", "Drinks", "012345678905"),
    ("TEA-1", "Green tea", "1.99", "FOOD", "Drinks", "012345678912"),
    ("COLA-1", "Cola 0.5 l", "1.79", "STD", "Drinks", "012345678929"),
    ("CHIP-1", "Potato chips", "3.49", "STD", "Snacks", "012345678936"),
    ("CHOC-1", "Chocolate bar", "1.25", "STD", "Snacks", "012345678943"),
    ("GUM-1", "Chewing gum", "0.99", "STD", "Snacks", "012345678950"),
];

pub async fn provision(store: &dyn Store) -> Result<(), TillError> {
    for (code, name, zone, currency, locale) in [
        ("DT", "Downtown", "America/New_York", "USD", "en-US"),
        ("UT", "Uptown Berlin", "Europe/Berlin", "EUR", "de-DE"),
    ] {
        let input = LocationInput {
            code,
            name,
            time_zone: Some(zone),
            cutoff: None,
            currency: Some(currency),
            locale: Some(locale),
            preset: None,
            settings: SettingsInput { prices_include_tax: Some(false), ..SettingsInput::default() },
        };
        service::add_location(store, input).await?;
        service::add_tax_rate(store, code, "STD", "Sales tax", "8").await?;
        service::add_tax_rate(store, code, "FOOD", "Food tax", "2").await?;
        for (position, (category, colour)) in
            [("Drinks", "#0a4fb5"), ("Snacks", "#0b6b3a"), ("Seasonal", "#b45309")].into_iter().enumerate()
        {
            service::add_category(store, code, category, u16::try_from(position + 1).unwrap_or(1), colour).await?;
        }
        for (sku, name, price, tax_rate, category, barcode) in PRODUCTS {
            let barcodes = [barcode.to_string()];
            let product = ProductInput { sku, name, price, tax_rate, category: Some(category), barcodes: &barcodes };
            service::add_product(store, code, product).await?;
        }
        service::set_product_active(store, code, "GUM-1", false).await?;
        // The open item (priced 0.00, no barcode, no quick key): what an unknown barcode is sold as.
        let open = ProductInput {
            sku: "OPEN-STD",
            name: "Open item",
            price: "0.00",
            tax_rate: "STD",
            category: None,
            barcodes: &[],
        };
        service::add_product(store, code, open).await?;
    }
    for (location, code, name) in
        [("DT", "R1", "Front counter"), ("DT", "R2", "Back counter"), ("UT", "R1", "Till by the door")]
    {
        service::add_register(store, location, code, Some(name)).await?;
    }
    for (name, role, pin) in USERS {
        service::add_user(store, name, role, pin).await?;
    }
    store.set_user_active(&UserName::parse("dave")?, false).await?;
    Ok(())
}
