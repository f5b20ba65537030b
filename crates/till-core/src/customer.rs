//! What the customer display (a second window facing the customer) may show: the lines as they
//! are scanned, the total, what was paid and the change, then "Thank you" and the store's name,
//! in the location's locale. The type has room for nothing else, so no PIN, approval or
//! expected cash can reach the customer's screen: an unknown field is refused, not dropped.

use crate::error::InputError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Lines a customer view may hold (a cart is far smaller; a bigger view is a broken sender).
pub const MAX_CUSTOMER_LINES: usize = 500;
/// The longest name or store name shown, in characters.
pub const MAX_CUSTOMER_TEXT: usize = 200;

/// Where the customer is in the sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStage {
    /// No sale under way: the store's name.
    Welcome,
    /// Lines being rung up: each line and the total so far.
    Sale,
    /// Paid: the total, what was paid and the change, and "Thank you".
    Paid,
}

/// One line as the customer sees it: the product's name, how many, what it costs in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CustomerLine {
    pub name: String,
    pub quantity: i32,
    /// Quantity × unit price in minor units, as the register's cart shows the line.
    #[ts(type = "number")]
    pub amount: i64,
}

/// What the customer display shows now. Money is in minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CustomerView {
    pub stage: CustomerStage,
    pub store_name: String,
    /// BCP 47 tag the display formats money with (the location's, `de-DE`).
    pub locale: String,
    /// ISO 4217 code (`EUR`).
    pub currency: String,
    pub lines: Vec<CustomerLine>,
    /// The total: the cart's while it is rung up, the receipt's (cash rounding included) once paid.
    #[ts(type = "number")]
    pub total: i64,
    /// Tendered so far (0 before payment).
    #[ts(type = "number")]
    pub paid: i64,
    /// Given back (0 when none).
    #[ts(type = "number")]
    pub change: i64,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> InputError {
    InputError::Invalid { field, reason: reason.into() }
}

impl CustomerView {
    /// Checks what the main window sent before the display shows it: sizes bounded, amounts not
    /// negative (a refund is not shown to the customer as a sale), a currency and a locale.
    pub fn check(&self) -> Result<(), InputError> {
        let code = self.currency.as_bytes();
        if code.len() != 3 || !code.iter().all(u8::is_ascii_uppercase) {
            return Err(invalid(
                "currency",
                format!("{:?} is not an ISO 4217 code: use three capital letters (EUR)", self.currency),
            ));
        }
        if self.locale.is_empty()
            || self.locale.len() > 35
            || !self.locale.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(invalid(
                "locale",
                format!("{:?} is not a BCP 47 tag: use the location's (de-DE)", self.locale),
            ));
        }
        if self.store_name.chars().count() > MAX_CUSTOMER_TEXT {
            return Err(invalid(
                "store_name",
                format!("longer than {MAX_CUSTOMER_TEXT} characters: use the location's name"),
            ));
        }
        if self.lines.len() > MAX_CUSTOMER_LINES {
            return Err(invalid("lines", format!("more than {MAX_CUSTOMER_LINES} lines: send the cart's lines only")));
        }
        if let Some(line) = self.lines.iter().find(|l| l.name.chars().count() > MAX_CUSTOMER_TEXT) {
            return Err(invalid(
                "lines",
                format!("a name is longer than {MAX_CUSTOMER_TEXT} characters ({:.20}...)", line.name),
            ));
        }
        for (field, amount) in [("total", self.total), ("paid", self.paid), ("change", self.change)] {
            if amount < 0 {
                return Err(invalid(
                    field,
                    format!("{amount} is negative: send the amounts the customer pays and gets back"),
                ));
            }
        }
        Ok(())
    }
}
