//! A location's settings, as tillctl and the app's new-store wizard take them, and the country
//! presets that fill the usual ones. Every setting a location has is here, parsed once: the
//! stores write a [`LocationChange`] in one statement and journal the result on the staff chain.

use crate::catalog::NewTaxRate;
use crate::domain::{check_text, Locale, TimeZone};
use crate::error::InputError;
use crate::money::{Currency, Money};
use crate::pricing::{Ppm, MAX_CASH_ROUNDING_INCREMENT};
use serde::Serialize;

/// A change to a location's settings: `None` leaves a setting as it is. Parsed from text by
/// [`SettingsInput::parse`]; the database's CHECKs bound the same figures again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationChange {
    pub name: Option<String>,
    pub currency: Option<Currency>,
    pub locale: Option<Locale>,
    pub prices_include_tax: Option<bool>,
    /// The cash rounding increment in minor units (5 for CHF 0.05; 1: no rounding).
    pub cash_rounding_minor: Option<i64>,
    /// The discount above which a manager approves, as a share of the line (ppm).
    pub discount_limit_ppm: Option<u32>,
    /// Printed on receipts, one line.
    pub address: Option<String>,
    /// VAT ID, Steuernummer, UID or EIN, printed on receipts.
    pub tax_number: Option<String>,
    pub cash_out_limit_minor: Option<i64>,
    pub variance_limit_minor: Option<i64>,
    pub blind_close: Option<bool>,
    pub session_limit_minutes: Option<i32>,
    pub login_idle_minutes: Option<i32>,
    pub manager_pin_min_length: Option<u8>,
    /// A card tender must carry the card terminal's approval reference.
    pub card_reference_required: Option<bool>,
    /// The store's own bills (minor units, largest first); empty: the currency's usual ones.
    pub bills: Option<Vec<i64>>,
    pub coins: Option<Vec<i64>>,
}

impl LocationChange {
    /// True when nothing changes (a `location set` with no setting named).
    pub fn is_empty(&self) -> bool {
        *self == LocationChange::default()
    }
}

/// The settings as typed (tillctl's flags, the wizard's fields): amounts in the location's
/// currency (`0.05`, `50.00`), the discount limit in percent, limits in minutes.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsInput<'a> {
    pub name: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub prices_include_tax: Option<bool>,
    pub cash_rounding: Option<&'a str>,
    pub discount_limit_percent: Option<&'a str>,
    pub address: Option<&'a str>,
    pub tax_number: Option<&'a str>,
    pub cash_out_limit: Option<&'a str>,
    pub variance_limit: Option<&'a str>,
    pub blind_close: Option<bool>,
    pub session_limit_minutes: Option<i32>,
    pub login_idle_minutes: Option<i32>,
    pub manager_pin_min_length: Option<u8>,
    pub card_reference_required: Option<bool>,
    /// Amounts in the currency, comma-separated ("100.00,50.00,20.00"); empty: the currency's usual.
    pub bills: Option<&'a str>,
    pub coins: Option<&'a str>,
}

/// The longest a location may let a login sit idle (its `login_idle_minutes`; the schema's CHECK
/// says the same). A session operation on a session that does not exist, naming no register,
/// judges its login by the shortest limit any location sets (0028), and by this one only when
/// there is no location at all (SQLite's `logged_in`; till_session_actor's `coalesce(…, 1440)`).
pub const LONGEST_LOGIN_IDLE_MINUTES: i32 = 1_440;

/// The most bills, or coins, a store lists.
pub const MAX_DENOMINATIONS: usize = 16;

/// A store's bills or coins as typed ("100.00, 50.00"): each a positive cash amount in
/// `currency`, no repeats, at most [`MAX_DENOMINATIONS`]; largest first. Empty: none (the
/// currency's usual ones).
pub fn parse_denominations(field: &'static str, text: &str, currency: Currency) -> Result<Vec<i64>, InputError> {
    let mut values = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let minor = Money::parse_cash(part, currency).map_err(|e| invalid(field, format!("{part:?}: {e}")))?.minor();
        if minor <= 0 {
            return Err(invalid(field, format!("{part:?}: each is more than zero")));
        }
        if minor > crate::cash::MAX_DENOMINATION_MINOR {
            let most = Money::from_minor(crate::cash::MAX_DENOMINATION_MINOR, currency);
            return Err(invalid(field, format!("{part:?}: at most {most}, the largest a count takes")));
        }
        if values.contains(&minor) {
            return Err(invalid(field, format!("{part:?} is listed twice")));
        }
        values.push(minor);
    }
    if values.len() > MAX_DENOMINATIONS {
        return Err(invalid(field, format!("at most {MAX_DENOMINATIONS}, not {}", values.len())));
    }
    values.sort_unstable_by(|a, b| b.cmp(a));
    Ok(values)
}

/// How the database keeps a list of bills or coins: minor units, comma-separated.
pub fn denominations_text(values: &[i64]) -> String {
    values.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// [`denominations_text`] read back.
pub fn parse_denominations_text(text: &str) -> Result<Vec<i64>, std::num::ParseIntError> {
    text.split(',').filter(|p| !p.is_empty()).map(str::parse).collect()
}

fn invalid(field: &'static str, reason: impl Into<String>) -> InputError {
    InputError::Invalid { field, reason: reason.into() }
}

/// A one-line text printed on receipts: at most `max` characters, no control characters.
fn printed_line(field: &'static str, text: &str, max: usize) -> Result<String, InputError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    check_text(field, text, false)?;
    Ok(text.to_string())
}

impl SettingsInput<'_> {
    /// The change these settings make at a location whose money is `currency`.
    pub fn parse(&self, currency: Currency) -> Result<LocationChange, InputError> {
        let amount = |text: Option<&str>| text.map(|t| Money::parse_cash(t, currency).map(|m| m.minor())).transpose();
        let cash_rounding_minor = amount(self.cash_rounding)?;
        if let Some(increment) = cash_rounding_minor {
            if !(1..=MAX_CASH_ROUNDING_INCREMENT).contains(&increment) {
                return Err(invalid(
                    "cash rounding",
                    format!(
                        "the smallest cash amount, from {} (no rounding) to {}: 0.05 rounds cash to five cents",
                        Money::from_minor(1, currency),
                        Money::from_minor(MAX_CASH_ROUNDING_INCREMENT, currency)
                    ),
                ));
            }
        }
        let minutes = |field: &'static str, value: Option<i32>, range: std::ops::RangeInclusive<i32>| match value {
            Some(v) if !range.contains(&v) => {
                Err(invalid(field, format!("{} to {} minutes, not {v}", range.start(), range.end())))
            }
            _ => Ok(value),
        };
        if let Some(digits) = self.manager_pin_min_length.filter(|d| !(4..=8).contains(d)) {
            return Err(invalid("manager PIN length", format!("4 to 8 digits, not {digits}")));
        }
        Ok(LocationChange {
            name: self.name.map(|n| crate::domain::parse_display_name("location name", n)).transpose()?,
            currency: None,
            locale: self.locale.map(Locale::parse).transpose()?,
            prices_include_tax: self.prices_include_tax,
            cash_rounding_minor,
            discount_limit_ppm: self.discount_limit_percent.map(Ppm::parse_percent).transpose()?.map(|p| p.0),
            address: self.address.map(|a| printed_line("address", a, 200)).transpose()?,
            tax_number: self.tax_number.map(|t| printed_line("tax number", t, 40)).transpose()?,
            cash_out_limit_minor: amount(self.cash_out_limit)?,
            variance_limit_minor: amount(self.variance_limit)?,
            blind_close: self.blind_close,
            session_limit_minutes: minutes("session limit", self.session_limit_minutes, 60..=10_080)?,
            login_idle_minutes: minutes("login idle limit", self.login_idle_minutes, 1..=LONGEST_LOGIN_IDLE_MINUTES)?,
            manager_pin_min_length: self.manager_pin_min_length,
            card_reference_required: self.card_reference_required,
            bills: self.bills.map(|b| parse_denominations("bills", b, currency)).transpose()?,
            coins: self.coins.map(|c| parse_denominations("coins", c, currency)).transpose()?,
        })
    }
}

/// A country's usual settings: what `--preset` fills (explicit flags win).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Preset {
    pub code: &'static str,
    pub country: &'static str,
    pub currency: &'static str,
    pub locale: &'static str,
    pub time_zone: &'static str,
    pub prices_include_tax: bool,
    /// The cash rounding increment in minor units.
    pub cash_rounding_minor: i64,
    /// (code, name, percent) of each usual rate.
    pub tax_rates: &'static [(&'static str, &'static str, &'static str)],
    /// The bills and coins a till there takes, in minor units, largest first (empty: the
    /// currency's usual ones): no 500 € note in a German till.
    pub bills: &'static [i64],
    pub coins: &'static [i64],
    /// Where the figures came from (and when they were last checked).
    pub source: &'static str,
}

/// The presets, as docs/operations.md lists them. Rates as in force on 2026-12-01.
pub const PRESETS: &[Preset] = &[
    Preset {
        code: "de",
        country: "Germany",
        currency: "EUR",
        locale: "de-DE",
        time_zone: "Europe/Berlin",
        prices_include_tax: true,
        cash_rounding_minor: 1,
        tax_rates: &[("STD", "MwSt 19 %", "19"), ("RED", "MwSt 7 %", "7")],
        bills: &[20000, 10000, 5000, 2000, 1000, 500],
        coins: &[200, 100, 50, 20, 10, 5, 2, 1],
        source: "§ 12 UStG (Umsatzsteuergesetz)",
    },
    Preset {
        code: "at",
        country: "Austria",
        currency: "EUR",
        locale: "de-AT",
        time_zone: "Europe/Vienna",
        prices_include_tax: true,
        cash_rounding_minor: 1,
        tax_rates: &[("STD", "USt 20 %", "20"), ("RED", "USt 10 %", "10"), ("RED2", "USt 13 %", "13")],
        bills: &[20000, 10000, 5000, 2000, 1000, 500],
        coins: &[200, 100, 50, 20, 10, 5, 2, 1],
        source: "§ 10 UStG 1994 (Austria)",
    },
    Preset {
        code: "fr",
        country: "France",
        currency: "EUR",
        locale: "fr-FR",
        time_zone: "Europe/Paris",
        prices_include_tax: true,
        cash_rounding_minor: 1,
        tax_rates: &[
            ("STD", "TVA 20 %", "20"),
            ("INT", "TVA 10 %", "10"),
            ("RED", "TVA 5,5 %", "5.5"),
            ("SUP", "TVA 2,1 %", "2.1"),
        ],
        bills: &[20000, 10000, 5000, 2000, 1000, 500],
        coins: &[200, 100, 50, 20, 10, 5, 2, 1],
        source: "Code général des impôts, articles 278 to 281 nonies",
    },
    Preset {
        code: "ch",
        country: "Switzerland",
        currency: "CHF",
        locale: "de-CH",
        time_zone: "Europe/Zurich",
        prices_include_tax: true,
        cash_rounding_minor: 5,
        tax_rates: &[("NOR", "MWST 8,1 %", "8.1"), ("RED", "MWST 2,6 %", "2.6"), ("HOT", "MWST 3,8 %", "3.8")],
        bills: &[20000, 10000, 5000, 2000, 1000],
        coins: &[500, 200, 100, 50, 20, 10, 5],
        source: "MWSTG Art. 25 (rates since 2024-01-01); cash rounded to 0.05 as Swiss coins are",
    },
    Preset {
        code: "uk",
        country: "United Kingdom",
        currency: "GBP",
        locale: "en-GB",
        time_zone: "Europe/London",
        prices_include_tax: true,
        cash_rounding_minor: 1,
        tax_rates: &[("STD", "VAT 20%", "20"), ("RED", "VAT 5%", "5"), ("ZERO", "VAT 0%", "0")],
        bills: &[],
        coins: &[],
        source: "HMRC, VAT rates on different goods and services (VAT Act 1994)",
    },
    Preset {
        code: "us-ny",
        country: "United States, New York City",
        currency: "USD",
        locale: "en-US",
        time_zone: "America/New_York",
        prices_include_tax: false,
        cash_rounding_minor: 1,
        tax_rates: &[("TAX", "NYC sales tax 8.875%", "8.875"), ("FOOD", "Groceries", "0")],
        bills: &[],
        coins: &[],
        source: "NY State Department of Taxation, Publication 718 (4% state + 4.5% city + 0.375% MCTD)",
    },
    Preset {
        code: "ca-on",
        country: "Canada, Ontario",
        currency: "CAD",
        locale: "en-CA",
        time_zone: "America/Toronto",
        prices_include_tax: false,
        cash_rounding_minor: 5,
        tax_rates: &[("HST", "HST 13%", "13"), ("ZERO", "Zero-rated", "0")],
        bills: &[],
        coins: &[],
        source: "Canada Revenue Agency, GST/HST rates; cash rounded to 0.05 since the penny's withdrawal (2013)",
    },
];

impl Preset {
    /// The preset named `code` (`de`, `ch`, `us-ny`...), or an error that lists them.
    pub fn find(code: &str) -> Result<&'static Preset, InputError> {
        let code = code.trim().to_ascii_lowercase();
        PRESETS
            .iter()
            .find(|p| p.code == code)
            .ok_or_else(|| invalid("preset", format!("{code:?} is not a preset; choose one of {}", Preset::codes())))
    }

    /// `de|at|fr|ch|uk|us-ny|ca-on`.
    pub fn codes() -> String {
        PRESETS.iter().map(|p| p.code).collect::<Vec<_>>().join("|")
    }

    /// The preset's tax rates, as a new location gets them.
    pub fn new_tax_rates(&self) -> Result<Vec<NewTaxRate>, InputError> {
        self.tax_rates.iter().map(|(code, name, percent)| NewTaxRate::parse(code, name, percent)).collect()
    }

    pub fn currency(&self) -> Currency {
        Currency::parse(self.currency).unwrap_or_default()
    }

    pub fn time_zone(&self) -> Result<TimeZone, InputError> {
        TimeZone::parse(self.time_zone)
    }
}

/// A preset as the app's new-store screen shows it (the country to choose, the tax rates it will
/// create).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PresetView {
    pub code: String,
    pub country: String,
    pub currency: String,
    pub locale: String,
    pub time_zone: String,
    pub prices_include_tax: bool,
    #[ts(type = "number")]
    pub cash_rounding_minor: i64,
    pub tax_rates: Vec<PresetRate>,
}

/// One of a preset's tax rates: its code, name and percentage as typed (`8.1`).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PresetRate {
    pub code: String,
    pub name: String,
    pub percent: String,
}

/// Every preset, for the new-store screen.
pub fn preset_views() -> Vec<PresetView> {
    PRESETS
        .iter()
        .map(|p| PresetView {
            code: p.code.into(),
            country: p.country.into(),
            currency: p.currency.into(),
            locale: p.locale.into(),
            time_zone: p.time_zone.into(),
            prices_include_tax: p.prices_include_tax,
            cash_rounding_minor: p.cash_rounding_minor,
            tax_rates: p
                .tax_rates
                .iter()
                .map(|(code, name, percent)| PresetRate {
                    code: (*code).into(),
                    name: (*name).into(),
                    percent: (*percent).into(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses() {
        for preset in PRESETS {
            assert_eq!(Currency::parse(preset.currency).unwrap().code(), preset.currency, "{}", preset.code);
            Locale::parse(preset.locale).unwrap();
            preset.time_zone().unwrap();
            assert!(!preset.new_tax_rates().unwrap().is_empty(), "{}", preset.code);
            assert!((1..=MAX_CASH_ROUNDING_INCREMENT).contains(&preset.cash_rounding_minor));
        }
        assert_eq!(Preset::find("CH").unwrap().cash_rounding_minor, 5);
        let unknown = Preset::find("xx").unwrap_err().to_string();
        assert!(unknown.contains("de|at|fr|ch|uk|us-ny|ca-on"), "{unknown}");
    }

    #[test]
    fn settings_parse_in_the_locations_currency() {
        let chf = Currency::parse("CHF").unwrap();
        let input = SettingsInput {
            cash_rounding: Some("0.05"),
            discount_limit_percent: Some("15"),
            cash_out_limit: Some("200"),
            tax_number: Some(" CHE-123.456.789 MWST "),
            ..SettingsInput::default()
        };
        let change = input.parse(chf).unwrap();
        assert_eq!(change.cash_rounding_minor, Some(5));
        assert_eq!(change.discount_limit_ppm, Some(150_000));
        assert_eq!(change.cash_out_limit_minor, Some(20_000));
        assert_eq!(change.tax_number.as_deref(), Some("CHE-123.456.789 MWST"));
        for bad in [
            SettingsInput { cash_rounding: Some("0"), ..SettingsInput::default() },
            SettingsInput { cash_rounding: Some("0.001"), ..SettingsInput::default() },
            SettingsInput { session_limit_minutes: Some(30), ..SettingsInput::default() },
            SettingsInput { manager_pin_min_length: Some(9), ..SettingsInput::default() },
            SettingsInput { tax_number: Some("DE\u{7}1"), ..SettingsInput::default() },
            SettingsInput { discount_limit_percent: Some("101"), ..SettingsInput::default() },
        ] {
            assert!(bad.parse(chf).is_err(), "{bad:?}");
        }
        assert!(SettingsInput::default().parse(chf).unwrap().is_empty());
    }
}
