//! What goes on the paper: receipts, X and Z reports and a test page as ESC/POS bytes, laid out
//! for the paper's columns (42 on 80 mm, 32 on 58 mm).
//!
//! The commands are the `escpos` crate's (its `Printer` writes into memory here, never to a
//! device: sending is [`crate::link`]'s, with timeouts escpos's blocking drivers do not have).
//! Till adds what escpos does not do:
//! - text is encoded by `oem_cp` (escpos's PC858 table sends '-' as a soft hyphen) after
//!   control characters are taken out (a product name cannot smuggle in a command), and a
//!   character the code page lacks prints as `?`, never as wrong bytes;
//! - the drawer kick carries the configured pulse (escpos's `cash_drawer` has a fixed one), and
//!   is the real-time `DLE DC4` pulse escpos lacks unless the drawer says otherwise;
//! - the stored (NV) logo is printed by its key (`FS p`), with no image decoding at print time.

use crate::settings::{CodePage, DrawerPin, DrawerSettings, Paper};
use chrono::{DateTime, Utc};
use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::printer_options::PrinterOptions;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};
use std::cell::RefCell;
use till_core::money::{Currency, Money};
use till_core::reports::{XReport, ZReport};
use till_core::sales::{Receipt, ReceiptKind};

/// How the printer is set up: what the layout depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub paper: Paper,
    pub code_page: CodePage,
    pub logo: Option<u8>,
}

/// The customer's first copy, or one a cashier asked for again (counted and journaled by the
/// store before it is printed). A job the queue sends again after a failure keeps the bytes it
/// was given: it is never a reprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copy {
    Original,
    Reprint,
}

/// An error of the escpos crate while building bytes in memory: a bug, not a printer problem.
#[derive(Debug, thiserror::Error)]
#[error("cannot lay out the print: {0}")]
pub struct RenderError(String);

impl From<escpos::errors::PrinterError> for RenderError {
    fn from(error: escpos::errors::PrinterError) -> Self {
        RenderError(error.to_string())
    }
}

/// escpos's driver for memory: what it flushes is the job.
#[derive(Default)]
struct Memory(RefCell<Vec<u8>>);

impl Driver for Memory {
    fn name(&self) -> String {
        "memory".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// The drawer kick, a job of its own. With `drawer.realtime` (the default) it is
/// `DLE DC4 1 m t`, the real-time pulse: `t` × 100 ms on the pin and as long off, carried out as
/// the bytes arrive, even while the printer is offline for paper end or an open cover (Epson's
/// ESC/POS reference: ignored only in an error state or while a pulse is already being output).
/// The configured on-time is rounded up to the next 100 ms (a drawer's solenoid needs at least
/// its on-time), 1..=8 steps. Otherwise `ESC p m t1 t2`: `t1` × 2 ms on, `t2` × 2 ms off, from
/// the print buffer, which a printer without paper does not process.
pub fn drawer_kick(drawer: &DrawerSettings) -> Vec<u8> {
    let pin = match drawer.pin {
        DrawerPin::Pin2 => 0,
        DrawerPin::Pin5 => 1,
    };
    if drawer.realtime {
        vec![DLE, DC4, 1, pin, drawer.realtime_steps()]
    } else {
        vec![0x1B, b'p', pin, drawer.pulse_units, drawer.pulse_units.saturating_mul(2)]
    }
}

const DLE: u8 = 0x10;
const DC4: u8 = 0x14;

/// Whether `bytes` are exactly one real-time pulse (`DLE DC4 1 m t`): a job the printer carries
/// out while it cannot print, so the queue sends it through paper end and an open cover.
pub fn is_realtime_kick(bytes: &[u8]) -> bool {
    matches!(bytes, [DLE, DC4, 1, 0 | 1, 1..=8])
}

/// A print job's bytes, built line by line.
struct Sheet {
    printer: Printer<Memory>,
    columns: usize,
    code_page: CodePage,
}

type Result<T> = std::result::Result<T, RenderError>;

impl Sheet {
    fn new(layout: &Layout) -> Result<Sheet> {
        let columns = layout.paper.columns();
        let options = PrinterOptions::new(Some(layout.code_page.escpos()), None, u8::try_from(columns).unwrap_or(42));
        let mut printer = Printer::new(Memory::default(), Protocol::default(), Some(options));
        printer.init()?.page_code(layout.code_page.escpos())?;
        if let Some(key) = layout.logo {
            printer.justify(JustifyMode::CENTER)?.custom(&[0x1C, b'p', key, 0])?.justify(JustifyMode::LEFT)?;
        }
        Ok(Sheet { printer, columns, code_page: layout.code_page })
    }

    /// Text in the code page; what it cannot carry prints as '?'.
    fn text(&mut self, text: &str) -> Result<()> {
        let bytes = self.code_page.encode(&printable(text));
        self.printer.custom(&bytes)?;
        Ok(())
    }

    fn line(&mut self, text: &str) -> Result<()> {
        self.text(text)?;
        self.printer.feed()?;
        Ok(())
    }

    /// A centred line (long text wraps).
    fn centred(&mut self, text: &str) -> Result<()> {
        self.printer.justify(JustifyMode::CENTER)?;
        for part in wrap(text, self.columns) {
            self.line(&part)?;
        }
        self.printer.justify(JustifyMode::LEFT)?;
        Ok(())
    }

    /// A double-width, double-height word (RECEIPT, REFUND, REPRINT, Z REPORT).
    fn big(&mut self, text: &str) -> Result<()> {
        self.printer.justify(JustifyMode::CENTER)?.size(2, 2)?;
        self.line(text)?;
        self.printer.reset_size()?.justify(JustifyMode::LEFT)?;
        Ok(())
    }

    /// Left text and right text on one line, the right one flush with the edge; a left text
    /// too long for both gets its own lines.
    fn row(&mut self, left: &str, right: &str) -> Result<()> {
        let (left, right) = (printable(left), printable(right));
        let room = self.columns.saturating_sub(right.chars().count() + 1);
        let mut parts = wrap(&left, room.max(1));
        let last = parts.pop().unwrap_or_default();
        for part in parts {
            self.line(&part)?;
        }
        let gap = self.columns.saturating_sub(last.chars().count() + right.chars().count()).max(1);
        self.line(&format!("{last}{}{right}", " ".repeat(gap)))
    }

    fn bold_row(&mut self, left: &str, right: &str) -> Result<()> {
        self.printer.bold(true)?;
        self.row(left, right)?;
        self.printer.bold(false)?;
        Ok(())
    }

    fn rule(&mut self) -> Result<()> {
        self.line(&"-".repeat(self.columns))
    }

    fn qr(&mut self, text: &str) -> Result<()> {
        self.printer.justify(JustifyMode::CENTER)?;
        self.printer.qrcode_option(text, QRCodeOption::new(QRCodeModel::Model2, 5, QRCodeCorrectionLevel::M))?;
        self.printer.feed()?.justify(JustifyMode::LEFT)?;
        Ok(())
    }

    /// Feeds past the cutter, cuts, and hands back the bytes.
    fn cut(mut self) -> Result<Vec<u8>> {
        self.printer.feeds(4)?.cut()?.print()?;
        Ok(self.printer.driver().0.into_inner())
    }
}

/// Typography the code pages lack, as the plain letters a receipt can carry: money's narrow
/// and no-break spaces and the Swiss apostrophe, the minus sign and dashes. Controls go.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' => ' ',
            '\u{2019}' | '\u{2018}' => '\'',
            '\u{2212}' | '\u{2013}' | '\u{2014}' => '-',
            '\u{d7}' => 'x',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

/// Words to lines of at most `width` characters (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let length = current.chars().count();
        if length > 0 && length + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// A receipt's words in the store's language (its locale's), as the screen's receipt has them.
struct Words {
    receipt: &'static str,
    refund: &'static str,
    reprint: &'static str,
    no: &'static str,
    refund_of: &'static str,
    date: &'static str,
    register: &'static str,
    shift: &'static str,
    cashier: &'static str,
    tax_no: &'static str,
    reason: &'static str,
    approved_by: &'static str,
    subtotal: &'static str,
    sale_discount: &'static str,
    rounding: &'static str,
    total: &'static str,
    refunded: &'static str,
    cash: &'static str,
    card: &'static str,
    change: &'static str,
    rate: &'static str,
    net: &'static str,
    tax: &'static str,
    gross: &'static str,
    incl: &'static str,
    thanks: &'static str,
}

const ENGLISH: Words = Words {
    receipt: "RECEIPT",
    refund: "REFUND",
    reprint: "REPRINT",
    no: "No.",
    refund_of: "Refund of",
    date: "Date",
    register: "Register",
    shift: "Shift",
    cashier: "Cashier",
    tax_no: "Tax no.",
    reason: "Reason",
    approved_by: "Approved by",
    subtotal: "Subtotal",
    sale_discount: "Sale discount",
    rounding: "Rounding",
    total: "Total",
    refunded: "Refunded",
    cash: "Cash",
    card: "Card",
    change: "Change",
    rate: "Rate",
    net: "Net",
    tax: "Tax",
    gross: "Gross",
    incl: "incl.",
    thanks: "Thank you",
};

const GERMAN: Words = Words {
    receipt: "BELEG",
    refund: "ERSTATTUNG",
    reprint: "KOPIE",
    no: "Nr.",
    refund_of: "Erstattung zu",
    date: "Datum",
    register: "Kasse",
    shift: "Schicht",
    cashier: "Kassierer",
    tax_no: "St.-Nr.",
    reason: "Grund",
    approved_by: "Genehmigt von",
    subtotal: "Zwischensumme",
    sale_discount: "Einkaufsrabatt",
    rounding: "Rundung",
    total: "Summe",
    refunded: "Erstattet",
    cash: "Bar",
    card: "Karte",
    change: "Rückgeld",
    rate: "Satz",
    net: "Netto",
    tax: "MwSt.",
    gross: "Brutto",
    incl: "inkl.",
    thanks: "Vielen Dank",
};

fn words(locale: &str) -> &'static Words {
    if locale.to_ascii_lowercase().starts_with("de") {
        &GERMAN
    } else {
        &ENGLISH
    }
}

/// "Ada" for "ada": how the screen shows a user name.
fn display_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The local date and time, as the location's language writes it.
pub fn local_time(at: DateTime<Utc>, time_zone: &str, locale: &str) -> String {
    let (at, zone) = match time_zone.parse::<chrono_tz::Tz>() {
        Ok(zone) => (at.with_timezone(&zone).naive_local(), ""),
        // A zone the store never had: UTC, said so, rather than a wrong local time.
        Err(_) => (at.naive_utc(), " UTC"),
    };
    let format = if locale.to_ascii_lowercase().starts_with("de") {
        "%d.%m.%Y, %H:%M"
    } else if locale.eq_ignore_ascii_case("en-US") || locale.eq_ignore_ascii_case("en") {
        "%b %-d, %Y, %-I:%M %p"
    } else {
        "%-d %b %Y, %H:%M"
    };
    format!("{}{zone}", at.format(format))
}

/// A tax rate in percent as the screen's receipt writes it (ui/src/money.ts `formatPercent`,
/// after Intl): `19 %`, `8,1 %` in German, `8.875%` in English and in Swiss German, with the
/// location's decimal mark and up to four decimals. A plain space stands for Intl's no-break
/// space, which the printer's code page lacks.
fn percent(ppm: u32, comma: bool, locale: &str) -> String {
    let whole = ppm / 10_000;
    let fraction = format!("{:04}", ppm % 10_000);
    let fraction = fraction.trim_end_matches('0');
    let locale = locale.to_ascii_lowercase();
    let sign = if locale.starts_with("en") || locale == "de-ch" { "%" } else { " %" };
    if fraction.is_empty() {
        format!("{whole}{sign}")
    } else {
        format!("{whole}{}{fraction}{sign}", if comma { ',' } else { '.' })
    }
}

/// Money as the location writes it ([`Money::localized`]), for one receipt or report.
struct Amounts<'a> {
    currency: Option<Currency>,
    locale: &'a str,
}

impl Amounts<'_> {
    fn of(&self, minor: i64) -> String {
        match self.currency {
            Some(currency) => Money::from_minor(minor, currency).localized(self.locale),
            // A report's currency code no longer known: the plain minor units, never a guess.
            None => minor.to_string(),
        }
    }

    /// Whether the location writes a decimal comma (read from its money, so there is one list).
    fn comma(&self) -> bool {
        self.currency.is_some_and(|c| c.decimals() > 0 && self.of(1).contains(','))
    }
}

/// A receipt, as the screen's receipt shows it.
pub fn receipt(receipt: &Receipt, copy: Copy, layout: &Layout) -> Result<Vec<u8>> {
    let w = words(&receipt.locale);
    let money = Amounts { currency: Some(receipt.currency), locale: &receipt.locale };
    let m = |minor: i64| money.of(minor);
    let refund = receipt.kind == ReceiptKind::Refund;
    let letter = |tax_rate_id| {
        let index = receipt.taxes.iter().position(|t| t.tax_rate_id == tax_rate_id).unwrap_or(0);
        char::from(b'A' + u8::try_from(index % 26).unwrap_or(0))
    };
    let mut sheet = Sheet::new(layout)?;
    sheet.printer.bold(true)?;
    sheet.centred(&receipt.location_name)?;
    sheet.printer.bold(false)?;
    if !receipt.location_address.is_empty() {
        sheet.centred(&receipt.location_address)?;
    }
    if !receipt.location_tax_number.is_empty() {
        sheet.centred(&format!("{} {}", w.tax_no, receipt.location_tax_number))?;
    }
    sheet.printer.feed()?;
    sheet.big(if refund { w.refund } else { w.receipt })?;
    if copy == Copy::Reprint {
        sheet.big(w.reprint)?;
    }
    sheet.row(w.no, &receipt.number)?;
    if let (true, Some(original)) = (refund, &receipt.refund_of) {
        sheet.row(w.refund_of, original)?;
    }
    sheet.row(w.date, &local_time(receipt.at, &receipt.time_zone, &receipt.locale))?;
    sheet.row(w.register, &format!("{}/{}", receipt.location_code, receipt.register_code))?;
    sheet.row(w.shift, &receipt.session_number)?;
    sheet.row(w.cashier, &display_name(&receipt.cashier))?;
    if let Some(approver) = &receipt.approved_by {
        sheet.row(w.approved_by, &display_name(approver))?;
    }
    if let (true, Some(reason)) = (refund, &receipt.refund_reason) {
        let text = reason.text.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
        for part in wrap(&format!("{}: {}{text}", w.reason, reason.kind.as_str().replace('_', " ")), sheet.columns) {
            sheet.line(&part)?;
        }
    }
    sheet.rule()?;
    for line in &receipt.lines {
        sheet.row(&line.name, &format!("{} {}", m(line.extended), letter(line.tax_rate_id)))?;
        let discount = if line.line_discount > 0 { format!(", -{}", m(line.line_discount)) } else { String::new() };
        sheet.line(&format!("  {} x {}{discount}", line.quantity, m(line.unit_price)))?;
    }
    sheet.rule()?;
    // The lines' own discounts are under each line; the sale discount is named apart, under the
    // subtotal it is taken from.
    if receipt.receipt_discount > 0 {
        sheet.row(w.subtotal, &m(receipt.subtotal))?;
        sheet.row(w.sale_discount, &format!("-{}", m(receipt.receipt_discount)))?;
    }
    if receipt.rounding != 0 {
        sheet.row(w.rounding, &m(receipt.rounding))?;
    }
    sheet.bold_row(if refund { w.refunded } else { w.total }, &m(receipt.total))?;
    for tender in &receipt.tenders {
        let name = match tender.kind.as_str() {
            "card" => format!("{}{}", w.card, tender.reference.as_deref().map(|r| format!(" {r}")).unwrap_or_default()),
            "cash" => w.cash.to_string(),
            other => other.to_string(),
        };
        sheet.row(&name, &m(tender.amount))?;
    }
    if receipt.change > 0 {
        sheet.bold_row(w.change, &m(receipt.change))?;
    }
    sheet.printer.feed()?;
    // The rate table: each rate on its line, its figures on the next (they never fit beside it
    // on 32 columns).
    sheet.line(&format!("{} / {} / {} / {}", w.rate, w.net, w.tax, w.gross))?;
    for tax in &receipt.taxes {
        let incl = if receipt.prices_include_tax { format!(" {}", w.incl) } else { String::new() };
        sheet.line(&format!(
            "{} {} {}{incl}",
            letter(tax.tax_rate_id),
            tax.name,
            percent(tax.rate_ppm, money.comma(), &receipt.locale)
        ))?;
        sheet.row("", &format!("{}  {}  {}", m(tax.net), m(tax.tax), m(tax.gross)))?;
    }
    sheet.printer.feed()?;
    sheet.centred(w.thanks)?;
    if let Some(anchor) = &receipt.anchor {
        sheet.qr(&anchor.text)?;
    }
    sheet.cut()
}

fn report_body(sheet: &mut Sheet, x: &XReport, m: &dyn Fn(i64) -> String) -> Result<()> {
    let h = &x.header;
    sheet.centred(&format!("{} {}", h.location_code, h.location_name))?;
    sheet.row("Register", &h.register)?;
    sheet.row("Session", &h.session_number)?;
    sheet.row("Business day", &h.business_day.to_string())?;
    sheet.row("Opened by", &h.opened_by)?;
    sheet.row("Opened", &local_time(h.opened_at, &h.time_zone, &h.locale))?;
    sheet.row("Made", &local_time(h.made_at, &h.time_zone, &h.locale))?;
    sheet.row("For", &h.requested_by)?;
    sheet.rule()?;
    let s = &x.sales;
    sheet.row("Receipts", &s.receipts.to_string())?;
    sheet.row("Gross sales, tax incl.", &m(s.gross_sales))?;
    sheet.row(&format!("Discounts ({})", s.discounts.count), &m(s.discounts.amount))?;
    sheet.row(&format!("Refunds ({})", s.refunds.count), &m(s.refunds.amount))?;
    sheet.bold_row("Net sales, tax incl.", &m(s.net_sales))?;
    if s.rounding != 0 {
        sheet.row("Rounding", &m(s.rounding))?;
    }
    for tax in &s.taxes {
        sheet.line(&tax.name)?;
        sheet.row("", &format!("{}  {}  {}", m(tax.net), m(tax.tax), m(tax.gross)))?;
    }
    for category in &s.categories {
        let name = if category.category.is_empty() { "(no category)" } else { &category.category };
        sheet.row(&format!("  {name} ({})", category.count), &m(category.amount))?;
    }
    sheet.rule()?;
    sheet.line("Tenders")?;
    for tender in &x.tenders {
        sheet.row(&format!("  {} ({})", tender.kind, tender.count), &m(tender.amount))?;
        if tender.kind == "cash" {
            sheet.row("    net of change", &m(x.drawer.cash_net_of_change))?;
        }
    }
    sheet.rule()?;
    let d = &x.drawer;
    sheet.line("Drawer")?;
    sheet.row("  Opening float", &m(d.opening_float))?;
    sheet.row("  Cash sales", &m(d.cash_sales))?;
    sheet.row("  Change given", &m(d.change_given))?;
    sheet.row("  Cash refunds", &m(d.cash_refunds))?;
    sheet.row(&format!("  Paid in ({})", d.paid_in.count), &m(d.paid_in.amount))?;
    sheet.row(&format!("  Paid out ({})", d.paid_out.count), &m(d.paid_out.amount))?;
    sheet.row(&format!("  Drops ({})", d.drops.count), &m(d.drops.amount))?;
    sheet.bold_row("Expected cash", &m(d.expected_cash))?;
    sheet.rule()?;
    sheet.row("No-sale opens", &x.no_sales.to_string())?;
    sheet.row("Reprints", &x.reprints.to_string())?;
    sheet.row(&format!("Voids ({})", x.voids), &m(x.voids_total))?;
    Ok(())
}

/// An X report: the session so far.
pub fn x_report(x: &XReport, layout: &Layout) -> Result<Vec<u8>> {
    let money = Amounts { currency: Currency::parse(&x.header.currency).ok(), locale: &x.header.locale };
    let mut sheet = Sheet::new(layout)?;
    sheet.big("X REPORT")?;
    report_body(&mut sheet, x, &|minor| money.of(minor))?;
    sheet.cut()
}

/// A Z report: the closed session and its count.
pub fn z_report(z: &ZReport, layout: &Layout) -> Result<Vec<u8>> {
    let h = &z.x.header;
    let money = Amounts { currency: Currency::parse(&h.currency).ok(), locale: &h.locale };
    let m = |minor: i64| money.of(minor);
    let counted = |v: Option<i64>| v.map_or_else(|| "not counted yet".to_string(), m);
    let mut sheet = Sheet::new(layout)?;
    sheet.big(&format!("Z REPORT {}", z.z.z_number))?;
    report_body(&mut sheet, &z.x, &m)?;
    sheet.rule()?;
    sheet.row(
        "Receipts",
        &format!("{} .. {}", z.z.first_receipt.as_deref().unwrap_or("-"), z.z.last_receipt.as_deref().unwrap_or("-")),
    )?;
    sheet.bold_row("Counted", &counted(z.counted_cash))?;
    sheet.bold_row("Variance", &counted(z.variance))?;
    if let Some(reason) = &z.variance_reason {
        sheet.line(&format!("  ({reason})"))?;
    }
    for count in &z.denominations {
        sheet.row(&format!("  {} x", m(count.denomination)), &count.count.to_string())?;
    }
    sheet.row("Closed by", z.closed_by.as_deref().unwrap_or("-"))?;
    if let Some(approver) = &z.approved_by {
        sheet.row("Signed off by", approver)?;
    }
    sheet.row("Cash removed", &counted(z.cash_removed))?;
    sheet.row("Float left", &counted(z.float_left))?;
    if let Some(reason) = &z.force_close_reason {
        sheet.line(&format!("Force-closed: {reason}"))?;
    }
    sheet.rule()?;
    sheet.row("Grand sales", &m(z.z.grand_sales))?;
    sheet.row("Grand refunds", &m(z.z.grand_refunds))?;
    sheet.bold_row("Grand net", &m(z.grand_net))?;
    sheet.row("Journal", &format!("#{}", z.z.journal_seq))?;
    if let Some(anchor) = &z.z.anchor {
        sheet.qr(&anchor.text)?;
    }
    sheet.cut()
}

/// The page `tillctl device check --print-test` prints: what the printer is, the letters of its
/// code page, and a ruler for the paper's columns.
pub fn test_page(layout: &Layout, connection: &str) -> Result<Vec<u8>> {
    let mut sheet = Sheet::new(layout)?;
    sheet.big("TEST PAGE")?;
    sheet.row("Printer", connection)?;
    sheet.row("Code page", layout.code_page.name())?;
    sheet.row("Columns", &sheet.columns.to_string())?;
    sheet.line("€ £ äöü ÄÖÜ ß éèê àç ñ ø å ÔÒ ¿ - ½")?;
    let ruler: String = (1..=sheet.columns).map(|i| char::from(b'0' + u8::try_from(i % 10).unwrap_or(0))).collect();
    sheet.line(&ruler)?;
    sheet.centred("Till")?;
    sheet.cut()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_cuts_only_overlong_ones() {
        assert_eq!(wrap("Bio Vollmilch 3,8 % Fett", 10), vec!["Bio", "Vollmilch", "3,8 % Fett"]);
        assert_eq!(wrap("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn percent_writes_the_locales_decimal_mark() {
        assert_eq!(percent(190_000, true, "de-DE"), "19 %");
        assert_eq!(percent(81_000, true, "de-AT"), "8,1 %");
        assert_eq!(percent(82_500, false, "en-US"), "8.25%");
        assert_eq!(percent(88_750, false, "en-GB"), "8.875%");
        assert_eq!(percent(81_000, false, "de-CH"), "8.1%");
        assert_eq!(percent(200_000, true, "fr-FR"), "20 %");
    }

    #[test]
    fn the_kick_carries_the_configured_pin_and_pulse() {
        let escp = DrawerSettings { pin: DrawerPin::Pin5, pulse_units: 60, ask_to_close: false, realtime: false };
        assert_eq!(drawer_kick(&escp), vec![0x1B, b'p', 1, 60, 120]);
        assert!(!is_realtime_kick(&drawer_kick(&escp)));
        // Real-time: 100 ms steps, rounded up, 1..=8.
        for (pulse_units, steps) in [(1, 1), (50, 1), (51, 2), (60, 2), (100, 2), (255, 6)] {
            let realtime = DrawerSettings { pulse_units, realtime: true, pin: DrawerPin::Pin2, ..escp };
            assert_eq!(drawer_kick(&realtime), vec![0x10, 0x14, 1, 0, steps], "{pulse_units}");
            assert!(is_realtime_kick(&drawer_kick(&realtime)));
        }
        assert!(!is_realtime_kick(&[0x10, 0x14, 1, 0, 1, 0x1B, b'@']), "a kick and more is not a kick alone");
    }
}
