//! Till's core: the domain types, the pricing of a sale ([`pricing`]), the store traits every
//! backend implements (split by area), and the use cases (start shift, close shift, logins,
//! provisioning) that the CLI and the desktop app share.
//!
//! Nothing here talks to a database directly: the atomic work (one open session per register,
//! gapless numbering, PIN lockout counts) lives in the stores, enforced by the database itself.

pub mod anchor;
pub mod auth;
pub mod cash;
pub mod catalog;
pub mod clock;
pub mod customer;
pub mod domain;
pub mod error;
pub mod journal;
pub mod location;
pub mod money;
pub mod pricing;
pub mod reports;
pub mod sales;
pub mod service;
pub mod store;
pub mod voids;

pub use auth::{IdleLimit, Login, PinDecision, PinPolicy, PinState};
pub use cash::{
    CashMovement, CashReason, CloseCount, DenominationCount, ForgottenRule, MovementKind, NewCashMovement, SignOff,
    VarianceLimit,
};
pub use catalog::{
    Barcode, Category, Colour, CsvProduct, NewCategory, NewProduct, NewTaxRate, Product, ProductKey, Sku, TaxCode,
};
pub use clock::Clock;
pub use customer::{CustomerLine, CustomerStage, CustomerView};
pub use domain::*;
pub use error::{
    locked_message, Entity, ErrorCode, InputError, LineError, LoggedOut, Refusal, StoreError, StoreFailure, TillError,
};
pub use location::{LocationChange, Preset, SettingsInput};
pub use money::{CashAmount, Currency, Money};
pub use pricing::{
    price_cart, settle, Approval, Cart, CartLine, Discount, Ppm, PricedCart, PricedLine, PricingError, PricingSettings,
    ProductSnapshot, Settlement, TaxLine, TaxRate, Tender,
};
pub use sales::{
    CategoryTotal, NewReceipt, Receipt, ReceiptHeader, ReceiptKind, ReceiptLine, ReceiptTax, ReceiptTender, Recorded,
    SessionTotals, TenderTotal,
};
pub use store::*;
pub use voids::{NewVoid, VoidKind, VoidLine, VoidRecorded, VoidedLine};
