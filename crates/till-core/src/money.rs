//! Money as integer minor units of an ISO 4217 currency. There is no floating point here.

use crate::error::InputError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An ISO 4217 currency that has a fixed number of minor-unit digits (USD 2, JPY 0, KWD 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: iso_currency::Currency,
    decimals: u8,
}

impl Currency {
    pub const USD: Currency = Currency { code: iso_currency::Currency::USD, decimals: 2 };

    /// Parses a three-letter code (`"usd"` is accepted). Currencies without minor units
    /// (gold, SDR, "no currency") are refused: a cash drawer cannot count them.
    pub fn parse(text: &str) -> Result<Currency, InputError> {
        let upper = text.trim().to_ascii_uppercase();
        let code = iso_currency::Currency::from_code(&upper).ok_or_else(|| InputError::Invalid {
            field: "currency",
            reason: format!("{text:?} is not an ISO 4217 currency code"),
        })?;
        let decimals = code.exponent().ok_or_else(|| InputError::Invalid {
            field: "currency",
            reason: format!("{upper} has no minor units a cash drawer can count"),
        })?;
        let decimals = u8::try_from(decimals).map_err(|_| InputError::Invalid {
            field: "currency",
            reason: format!("{upper} has too many minor digits"),
        })?;
        Ok(Currency { code, decimals })
    }

    pub fn code(&self) -> &'static str {
        self.code.code()
    }

    /// How many digits follow the decimal point (2 for USD, 0 for JPY).
    pub fn decimals(&self) -> u8 {
        self.decimals
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = InputError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_string()
    }
}

impl FromStr for Currency {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

/// A cash amount as its caller sent it, before the register's currency is known: decimal text
/// as a person typed it (tillctl's flags), or integer minor units (the app, whose screens count
/// and compute in them). The service makes it [`Money`] in the currency, with one bound for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CashAmount<'a> {
    Typed(&'a str),
    Minor(i64),
}

impl CashAmount<'_> {
    pub fn in_currency(self, currency: Currency) -> Result<Money, InputError> {
        match self {
            CashAmount::Typed(text) => Money::parse_cash(text, currency),
            CashAmount::Minor(minor) => Money::cash(minor, currency),
        }
    }

    /// As the caller sent it, for an error message.
    pub fn as_sent(self) -> String {
        match self {
            CashAmount::Typed(text) => text.chars().take(40).collect(),
            CashAmount::Minor(minor) => minor.to_string(),
        }
    }
}

/// An amount of cash: integer minor units plus the currency they count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// The largest amount of cash Till accepts: 10^12 minor units (ten billion dollars). Far
    /// above any drawer, and low enough that sums of millions of amounts never overflow i64.
    /// The database's CHECK constraints hold the same bound.
    pub const MAX_CASH_MINOR: i64 = 1_000_000_000_000;

    /// Any amount, including negative differences (variance). For values read back from the
    /// database or computed from checked ones.
    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// An amount of cash: 0 to [`Money::MAX_CASH_MINOR`] minor units.
    pub fn cash(minor: i64, currency: Currency) -> Result<Money, InputError> {
        if !(0..=Self::MAX_CASH_MINOR).contains(&minor) {
            return Err(InputError::InvalidAmount {
                input: minor.to_string(),
                reason: format!("cash must be between 0 and {}", Money::from_minor(Self::MAX_CASH_MINOR, currency)),
            });
        }
        Ok(Money { minor, currency })
    }

    /// Parses a cash amount typed by a person: `200`, `200.5`, `200.50`.
    ///
    /// Cash in a drawer is never negative, so a sign is refused, as are more decimals than the
    /// currency has, exponents, `NaN`, thousands separators, empty or whitespace-only text, and
    /// anything that does not fit in i64 minor units. Surrounding whitespace is ignored.
    pub fn parse_cash(text: &str, currency: Currency) -> Result<Money, InputError> {
        let invalid = |reason: &str| InputError::InvalidAmount {
            input: text.chars().take(40).collect(),
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(invalid("an amount is required"));
        }
        if trimmed.starts_with('-') {
            return Err(invalid("the amount cannot be negative"));
        }
        let (whole, fraction) = match trimmed.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (trimmed, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) {
            return Err(invalid("use digits with an optional decimal point, like 200.50"));
        }
        let decimals = usize::from(currency.decimals());
        let fraction_digits = match fraction {
            None => "",
            Some(f) if !all_digits(f) => return Err(invalid("use digits with an optional decimal point, like 200.50")),
            Some(f) if f.len() > decimals => {
                return Err(invalid(&format!("{} allows at most {decimals} decimal places", currency.code())))
            }
            Some(f) => f,
        };
        let too_large = || {
            invalid(&format!("the amount is too large (at most {})", Money::from_minor(Self::MAX_CASH_MINOR, currency)))
        };
        let mut minor: i64 = 0;
        let padded = fraction_digits.bytes().chain(std::iter::repeat(b'0')).take(decimals);
        for digit in whole.bytes().chain(padded) {
            minor = minor.checked_mul(10).and_then(|m| m.checked_add(i64::from(digit - b'0'))).ok_or_else(too_large)?;
        }
        if minor > Self::MAX_CASH_MINOR {
            return Err(too_large());
        }
        Ok(Money { minor, currency })
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl Money {
    /// As a person in `locale` reads money (BCP 47, `de-DE`): `27,93 €`, `$1,234.50`,
    /// `CHF 1’234.50`, `1 234,50 €`. For text output (tillctl's receipts and reports); the
    /// screens use the browser's `Intl.NumberFormat`, which these follow for Till's locales.
    /// JSON keeps minor units.
    pub fn localized(&self, locale: &str) -> String {
        let (language, region) = locale.split_once('-').unwrap_or((locale, ""));
        let swiss = matches!(region, "CH" | "LI");
        const COMMA_DECIMAL: &[&str] = &[
            "de", "fr", "es", "it", "nl", "pt", "da", "sv", "nb", "nn", "no", "fi", "pl", "cs", "sk", "ru", "tr", "el",
            "hu", "ro", "hr", "sl", "lt", "lv", "et",
        ];
        let comma = COMMA_DECIMAL.contains(&language) && !swiss;
        let (decimal, group) = match (language, comma) {
            (_, false) if swiss => ('.', '\u{2019}'),
            ("fr", true) => (',', '\u{202f}'),
            ("sv" | "nb" | "nn" | "no" | "fi" | "pl" | "cs" | "sk" | "ru" | "hu" | "et" | "lt" | "lv", true) => {
                (',', '\u{a0}')
            }
            (_, true) => (',', '.'),
            (_, false) => ('.', ','),
        };
        let plain = Money { minor: self.minor.abs(), currency: self.currency }.to_string();
        let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(group);
            }
            grouped.push(digit);
        }
        let number = if fraction.is_empty() { grouped } else { format!("{grouped}{decimal}{fraction}") };
        let symbol = match (self.currency.code(), region) {
            ("EUR", _) => "€",
            ("USD", "US" | "") | ("CAD", "CA") => "$",
            ("USD", _) => "US$",
            ("GBP", _) => "£",
            ("JPY", _) => "¥",
            (code, _) => code,
        };
        let sign = if self.minor < 0 { "-" } else { "" };
        let alphabetic = symbol.chars().all(|c| c.is_ascii_alphabetic());
        if comma {
            format!("{sign}{number}\u{a0}{symbol}")
        } else if alphabetic {
            format!("{sign}{symbol}\u{a0}{number}")
        } else {
            format!("{sign}{symbol}{number}")
        }
    }
}

impl fmt::Display for Money {
    /// The plain decimal form, `200.00` or `-2.50` (no symbol): what the CLI and the JSON show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decimals = u32::from(self.currency.decimals());
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        if decimals == 0 {
            return write!(f, "{sign}{magnitude}");
        }
        let scale = 10u64.pow(decimals);
        let width = decimals as usize;
        write!(f, "{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Result<i64, InputError> {
        Money::parse_cash(text, Currency::USD).map(|m| m.minor())
    }

    #[test]
    fn accepts_plain_amounts() {
        assert_eq!(usd("200").unwrap(), 20_000);
        assert_eq!(usd("200.5").unwrap(), 20_050);
        assert_eq!(usd("200.50").unwrap(), 20_050);
        assert_eq!(usd(" 0.01 ").unwrap(), 1);
        assert_eq!(usd("0").unwrap(), 0);
    }

    #[test]
    fn rejects_what_a_drawer_cannot_hold() {
        for bad in [
            "",
            "   ",
            "-1",
            "-0.01",
            "1.234",
            "NaN",
            "nan",
            "inf",
            "1e3",
            "1E3",
            "2,000",
            "1.",
            ".5",
            "+5",
            "0x10",
            "1 000",
            "１２",
            "92233720368547758.08",
            "99999999999999999999",
        ] {
            assert!(matches!(usd(bad), Err(InputError::InvalidAmount { .. })), "{bad:?} should be refused");
        }
    }

    #[test]
    fn amounts_are_bounded_so_sums_never_overflow() {
        assert_eq!(usd("10000000000.00").unwrap(), Money::MAX_CASH_MINOR);
        assert!(matches!(usd("10000000000.01"), Err(InputError::InvalidAmount { .. })));
        assert!(matches!(usd("92233720368547758.07"), Err(InputError::InvalidAmount { .. })));
        assert!(Money::cash(-1, Currency::USD).is_err());
        assert!(Money::cash(Money::MAX_CASH_MINOR + 1, Currency::USD).is_err());
        assert_eq!(Money::cash(0, Currency::USD).map(|m| m.minor()), Ok(0));
    }

    #[test]
    fn respects_the_currency_decimals() {
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(Money::parse_cash("500", jpy).unwrap().minor(), 500);
        assert!(Money::parse_cash("500.5", jpy).is_err());
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::parse_cash("1.005", kwd).unwrap().minor(), 1005);
        assert_eq!(Money::from_minor(1005, kwd).to_string(), "1.005");
        assert_eq!(Money::from_minor(500, jpy).to_string(), "500");
    }

    #[test]
    fn formats_with_sign_and_padding() {
        assert_eq!(Money::from_minor(20_000, Currency::USD).to_string(), "200.00");
        assert_eq!(Money::from_minor(-250, Currency::USD).to_string(), "-2.50");
        assert_eq!(Money::from_minor(5, Currency::USD).to_string(), "0.05");
        assert_eq!(Money::from_minor(i64::MIN, Currency::USD).to_string(), "-92233720368547758.08");
    }

    #[test]
    fn refuses_currencies_a_drawer_cannot_count() {
        assert!(Currency::parse("XAU").is_err());
        assert!(Currency::parse("ZZZ").is_err());
        assert_eq!(Currency::parse("eur").unwrap().code(), "EUR");
    }
}

#[cfg(test)]
mod localized {
    use super::*;

    #[test]
    fn money_reads_as_the_locale_writes_it() {
        let m = |minor: i64, code: &str| Money::from_minor(minor, Currency::parse(code).unwrap());
        assert_eq!(m(123_450, "USD").localized("en-US"), "$1,234.50");
        assert_eq!(m(2_793, "EUR").localized("de-DE"), "27,93\u{a0}€");
        assert_eq!(m(123_450, "EUR").localized("de-DE"), "1.234,50\u{a0}€");
        assert_eq!(m(123_450, "CHF").localized("de-CH"), "CHF\u{a0}1\u{2019}234.50");
        assert_eq!(m(123_450, "EUR").localized("fr-FR"), "1\u{202f}234,50\u{a0}€");
        assert_eq!(m(-250, "GBP").localized("en-GB"), "-£2.50");
        assert_eq!(m(99, "CAD").localized("en-CA"), "$0.99");
        assert_eq!(m(1_000_000, "EUR").localized("de-AT"), "10.000,00\u{a0}€");
    }
}
