//! Voids: lines taken off a sale before it is paid (a line removed, a quantity lowered, the
//! whole sale cleared). "Ring it up, take the cash, void it" is the classic till fraud, so every
//! void leaves a trace: recorded in the register's open session by the logged-in user, counted
//! and summed on the session (the X and Z show both), and journaled.
//!
//! The till sends only what it took off, products and quantities, never money. The store prices
//! the void itself, from the location's catalog: [`amount`].

use crate::domain::{DeviceName, ProductId, RegisterId, SessionId, VoidId};
use crate::error::{InputError, TillError};
use crate::money::{Currency, Money};
use crate::pricing::{PricingError, MAX_LINES, MAX_QUANTITY};
use crate::store::LoginToken;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the cashier did. The database holds the same list (a CHECK on `voids.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum VoidKind {
    /// A line taken off the cart.
    LineRemoved,
    /// A line's quantity lowered: the void holds the units taken off.
    QuantityLowered,
    /// The whole cart cleared before it was paid.
    SaleCleared,
}

impl VoidKind {
    pub const ALL: [VoidKind; 3] = [VoidKind::LineRemoved, VoidKind::QuantityLowered, VoidKind::SaleCleared];

    /// The word stored in the database and sent by the UI.
    pub fn as_str(&self) -> &'static str {
        match self {
            VoidKind::LineRemoved => "line_removed",
            VoidKind::QuantityLowered => "quantity_lowered",
            VoidKind::SaleCleared => "sale_cleared",
        }
    }

    pub fn parse(text: &str) -> Result<VoidKind, InputError> {
        let text = text.trim();
        VoidKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| InputError::Invalid {
            field: "void kind",
            reason: format!("{text:?} is not one of line_removed, quantity_lowered, sale_cleared"),
        })
    }
}

/// One line taken off a sale: the product and how many of its units (for a lowered quantity,
/// the units taken off). No price: anything else in it is refused, not ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct VoidLine {
    #[ts(type = "string")]
    pub product_id: ProductId,
    /// 1 to [`MAX_QUANTITY`], as a sale line's.
    pub quantity: i32,
}

/// The lines' shape, written once (the service checks it before reading anything, the SQLite
/// store again in its transaction; PostgreSQL's copy is in till_record_void.sql): 1 to
/// [`MAX_LINES`] lines, as a sale has, each of 1 to [`MAX_QUANTITY`] units. The codes are the
/// sale's: `invalid_input` for no lines or too many, `invalid_quantity` for a quantity.
pub fn check_lines(lines: &[VoidLine]) -> Result<(), TillError> {
    if lines.is_empty() {
        return Err(InputError::Invalid { field: "void", reason: "a void takes off at least one line".into() }.into());
    }
    if lines.len() > MAX_LINES {
        let reason = format!("a void takes off at most {MAX_LINES} lines, as a sale has; this one has {}", lines.len());
        return Err(InputError::Invalid { field: "void", reason }.into());
    }
    if let Some((line, bad)) = lines.iter().enumerate().find(|(_, l)| !(1..=MAX_QUANTITY).contains(&l.quantity)) {
        return Err(PricingError::InvalidQuantity { line, quantity: bad.quantity }.into());
    }
    Ok(())
}

/// A void's amount: the sum of each line's catalog unit price times its quantity, given as
/// `(unit price, quantity)` pairs. The catalog's list price, before any discount or price
/// override the cart had: a figure the store reads itself and a dishonest till cannot shrink (a
/// cart discounted to nothing still voids its full price). At most [`Money::MAX_CASH_MINOR`],
/// as any sale's total (`invalid_amount` above). PostgreSQL's copy is in till_record_void.sql.
pub fn amount(lines: impl IntoIterator<Item = (i64, i32)>) -> Result<i64, PricingError> {
    let mut total: i128 = 0;
    for (unit_price, quantity) in lines {
        total += i128::from(unit_price) * i128::from(quantity);
    }
    i64::try_from(total)
        .ok()
        .filter(|t| (0..=Money::MAX_CASH_MINOR).contains(t))
        .ok_or(PricingError::TooLarge("the void"))
}

/// A void as the store records it: the till's lines as sent (the store prices them).
#[derive(Debug, Clone)]
pub struct NewVoid {
    pub id: VoidId,
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub kind: VoidKind,
    pub lines: Vec<VoidLine>,
    /// Who acts: the database resolves the user from the live login.
    pub login: LoginToken,
    pub device: DeviceName,
    /// The request's fingerprint: a repeat of `id` must carry the same.
    pub request_hash: String,
}

/// One line of a recorded void, priced from the catalog when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct VoidedLine {
    #[ts(type = "string")]
    pub product_id: ProductId,
    pub quantity: i32,
    /// The catalog's unit price then, in minor units.
    #[ts(type = "number")]
    pub unit_price: i64,
    /// `unit_price × quantity`.
    #[ts(type = "number")]
    pub amount: i64,
}

/// A recorded void: what `record_void` answers, the same for every retry of its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct VoidRecorded {
    #[ts(type = "string")]
    pub id: VoidId,
    #[ts(type = "string")]
    pub session_id: SessionId,
    pub kind: VoidKind,
    /// The lines' catalog prices times their quantities ([`amount`]), in integer minor units of
    /// `currency`.
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "string")]
    pub currency: Currency,
    pub lines: Vec<VoidedLine>,
    /// The user who voided (the login's).
    pub user: String,
    pub device: String,
    /// When, by the database's clock.
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i32) -> VoidLine {
        VoidLine { product_id: ProductId::new(), quantity }
    }

    #[test]
    fn lines_are_bounded_as_a_sales_are() {
        let code = |lines: &[VoidLine]| check_lines(lines).map_or_else(|e| e.code(), |()| "ok");
        assert_eq!(code(&[]), "invalid_input");
        assert_eq!(code(&[line(1)]), "ok");
        assert_eq!(code(&[line(MAX_QUANTITY)]), "ok");
        assert_eq!(code(&[line(1), line(0)]), "invalid_quantity");
        assert_eq!(code(&[line(-3)]), "invalid_quantity");
        assert_eq!(code(&[line(MAX_QUANTITY + 1)]), "invalid_quantity");
        assert_eq!(code(&vec![line(1); MAX_LINES]), "ok");
        assert_eq!(code(&vec![line(1); MAX_LINES + 1]), "invalid_input");
    }

    #[test]
    fn the_amount_is_the_list_price_times_the_quantity_and_bounded() {
        assert_eq!(amount([(450, 2), (229, 1)]), Ok(1_129));
        assert_eq!(amount([(0, 5)]), Ok(0));
        assert_eq!(amount([(Money::MAX_CASH_MINOR, 1)]), Ok(Money::MAX_CASH_MINOR));
        assert_eq!(amount([(Money::MAX_CASH_MINOR, 1), (1, 1)]), Err(PricingError::TooLarge("the void")));
        // The largest a void can name does not overflow on the way.
        let most = std::iter::repeat_n((Money::MAX_CASH_MINOR, MAX_QUANTITY), MAX_LINES);
        assert_eq!(amount(most), Err(PricingError::TooLarge("the void")));
    }

    #[test]
    fn kinds_parse_from_their_words_only() {
        for kind in VoidKind::ALL {
            assert_eq!(VoidKind::parse(kind.as_str()), Ok(kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::Value::from(kind.as_str())));
        }
        assert_eq!(VoidKind::parse("refund").map_err(|e| e.code()), Err("invalid_input"));
        assert!(serde_json::from_value::<VoidKind>(serde_json::json!("price_changed")).is_err());
    }

    #[test]
    fn a_line_with_a_price_is_refused() {
        let sent = serde_json::json!({ "product_id": ProductId::new(), "quantity": 1, "unit_price": 1 });
        assert!(serde_json::from_value::<VoidLine>(sent).is_err());
    }
}
