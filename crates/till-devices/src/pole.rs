//! The pole display: two lines of 20 characters on a serial port, facing the customer, showing
//! what the customer display's window shows ([`CustomerView`]): each line as it is scanned with
//! the total, then what was paid and the change, then "Thank you" and the store's name.
//!
//! [`screens`] lays a view out (a pure function); [`setup`] and [`screen_bytes`] are the ESC/POS
//! line-display commands (Epson's DM-D series and the displays that copy them); [`Pole`] keeps
//! the latest view and writes it from a task of its own, so showing a view never waits for the
//! display, and a display that is missing or unplugged is logged and reported, never fatal.

use crate::link::SerialLine;
use crate::render::printable;
use crate::settings::CodePage;
use std::path::PathBuf;
use std::time::Duration;
use till_core::money::{Currency, Money};
use till_core::{CustomerStage, CustomerView};
use tokio::sync::watch;
use tokio::time::timeout;

/// Characters on each of the display's two lines.
pub const COLUMNS: usize = 20;

/// What the display shows at once: its two lines, each exactly [`COLUMNS`] characters.
pub type Screen = [String; 2];

/// The code page the display is switched to: € and Western European letters, as the printer's.
const CODE_PAGE: CodePage = CodePage::Pc858;
/// `ESC t n`'s number for PC858.
const PC858_TABLE: u8 = 19;

/// The display's words per language (the locale's first part), as its window has them.
struct Words {
    welcome: &'static str,
    total: &'static str,
    paid: &'static str,
    change: &'static str,
    thanks: &'static str,
}

const ENGLISH: Words =
    Words { welcome: "Welcome", total: "Total", paid: "Paid", change: "Change", thanks: "Thank you" };
const GERMAN: Words =
    Words { welcome: "Willkommen", total: "Summe", paid: "Gegeben", change: "Rückgeld", thanks: "Vielen Dank" };
const FRENCH: Words = Words { welcome: "Bienvenue", total: "Total", paid: "Payé", change: "Rendu", thanks: "Merci" };

fn words(locale: &str) -> &'static Words {
    let language = locale.split('-').next().unwrap_or("").to_ascii_lowercase();
    match language.as_str() {
        "de" => &GERMAN,
        "fr" => &FRENCH,
        _ => &ENGLISH,
    }
}

/// At most `width` characters of `text` (in the display's letters), trailing spaces dropped.
fn cut(text: &str, width: usize) -> String {
    let text: String = printable(text).split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(width).collect::<String>().trim_end().to_string()
}

/// `text` centred on a line.
fn centred(text: &str) -> String {
    let text = cut(text, COLUMNS);
    let left = (COLUMNS - text.chars().count()) / 2;
    format!("{:<COLUMNS$}", format!("{}{text}", " ".repeat(left)))
}

/// `label` on the left, cut to leave room for `amount` flush right; the amount is never cut
/// (a customer reads the money, not the last letters of a name).
fn row(label: &str, amount: &str) -> String {
    let amount = cut(amount, COLUMNS);
    let room = COLUMNS - amount.chars().count();
    let label = cut(label, room.saturating_sub(1));
    format!("{label:<room$}{amount:>width$}", width = COLUMNS - room)
}

/// The screens a view shows, in order: one while a sale is rung up or between sales; for a paid
/// sale, what was paid and the change, then "Thank you" and the store's name (the display has
/// room for one at a time: [`Pole`] holds the first a few seconds).
pub fn screens(view: &CustomerView) -> Vec<Screen> {
    let w = words(&view.locale);
    let currency = Currency::parse(&view.currency).ok();
    // A currency Till does not know (the view was checked to carry a code): the minor units,
    // never a guessed format.
    let money = |minor: i64| match currency {
        Some(currency) => Money::from_minor(minor, currency).localized(&view.locale),
        None => minor.to_string(),
    };
    match view.stage {
        CustomerStage::Welcome => vec![[centred(w.welcome), centred(&view.store_name)]],
        CustomerStage::Sale => {
            let last = match view.lines.last() {
                Some(line) if line.quantity == 1 => row(&line.name, &money(line.amount)),
                Some(line) => row(&format!("{}x {}", line.quantity, line.name), &money(line.amount)),
                None => " ".repeat(COLUMNS),
            };
            vec![[last, row(w.total, &money(view.total))]]
        }
        CustomerStage::Paid => {
            let paid = if view.change > 0 {
                [row(w.paid, &money(view.paid)), row(w.change, &money(view.change))]
            } else {
                [row(w.total, &money(view.total)), row(w.paid, &money(view.paid))]
            };
            vec![paid, [centred(w.thanks), centred(&view.store_name)]]
        }
    }
}

/// What a display is sent once it is opened: initialise, overwrite mode (text replaces what
/// was there, no scrolling), the code page, and a clear screen.
pub fn setup() -> Vec<u8> {
    vec![0x1B, b'@', 0x1F, 0x01, 0x1B, b't', PC858_TABLE, 0x0C]
}

/// A screen's bytes: each line written whole from its first column (`US $ x y`), so no
/// clearing, and no flicker, between scans.
pub fn screen_bytes(screen: &Screen) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(2 * (4 + COLUMNS));
    for (row, text) in (1u8..).zip(screen) {
        bytes.extend_from_slice(&[0x1F, b'$', 1, row]);
        bytes.extend(CODE_PAGE.encode(text));
    }
    bytes
}

/// How long the display waits and holds.
#[derive(Debug, Clone, Copy)]
pub struct PoleTiming {
    /// A write's limit (opening the port included): a display that never drains costs this.
    pub write: Duration,
    /// How long a paid sale's amounts stay before "Thank you" and the store's name.
    pub hold: Duration,
    /// After a failed write, how long until the latest view is tried again (the display
    /// plugged back in), unless a newer view comes first.
    pub retry: Duration,
}

impl Default for PoleTiming {
    fn default() -> Self {
        PoleTiming { write: Duration::from_secs(2), hold: Duration::from_secs(5), retry: Duration::from_secs(5) }
    }
}

/// A pole display on a serial port, written by a task of its own. Dropping it stops the task.
pub struct Pole {
    views: watch::Sender<Option<CustomerView>>,
    problem: watch::Receiver<Option<String>>,
    writer: tokio::task::JoinHandle<()>,
}

impl Drop for Pole {
    fn drop(&mut self) {
        self.writer.abort();
    }
}

impl Pole {
    /// Starts the writer on the current tokio runtime. Opens nothing yet: the first view does.
    pub fn start(device: PathBuf, baud: u32, timing: PoleTiming) -> Pole {
        let (views, latest) = watch::channel(None);
        let (report, problem) = watch::channel(None);
        let line = SerialLine::new(device.clone(), baud, timing.write, "customer_display.device");
        let writer = tokio::spawn(write_views(line, device, latest, report, timing));
        Pole { views, problem, writer }
    }

    /// Shows `view` as soon as the display takes it. Never waits: a newer view replaces one not
    /// written yet (the display only ever needs the latest).
    pub fn show(&self, view: &CustomerView) {
        self.views.send_replace(Some(view.clone()));
    }

    /// Why the display cannot be written to ("Customer display: cannot be reached (…)"), while
    /// it cannot.
    pub fn problem(&self) -> Option<String> {
        self.problem.borrow().clone()
    }
}

/// How showing a view's screens ended.
enum Shown {
    All,
    /// A newer view came while a screen was held: show it next.
    Replaced,
    Failed,
}

async fn write_views(
    mut line: SerialLine,
    device: PathBuf,
    mut views: watch::Receiver<Option<CustomerView>>,
    report: watch::Sender<Option<String>>,
    timing: PoleTiming,
) {
    let preamble = setup();
    loop {
        let view = views.borrow_and_update().clone();
        let shown = match &view {
            None => Shown::All,
            Some(view) => {
                let mut shown = Shown::All;
                for (i, screen) in screens(view).iter().enumerate() {
                    if i > 0 && timeout(timing.hold, views.changed()).await.is_ok() {
                        shown = Shown::Replaced;
                        break;
                    }
                    if let Err(problem) = line.write(&preamble, &screen_bytes(screen)).await {
                        let words = problem.words().replacen("Printer:", "Customer display:", 1);
                        if report.borrow().as_deref() != Some(words.as_str()) {
                            tracing::warn!(device = %device.display(), "pole display: {words}");
                            report.send_replace(Some(words));
                        }
                        shown = Shown::Failed;
                        break;
                    }
                    if report.borrow().is_some() {
                        tracing::info!(device = %device.display(), "pole display: writing again");
                        report.send_replace(None);
                    }
                }
                shown
            }
        };
        let news = match shown {
            Shown::Replaced => continue,
            Shown::All => views.changed().await,
            Shown::Failed => match timeout(timing.retry, views.changed()).await {
                Ok(news) => news,
                Err(_) => Ok(()),
            },
        };
        if news.is_err() {
            // The Pole is gone.
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use till_core::CustomerLine;

    fn view(stage: CustomerStage, locale: &str, currency: &str, lines: &[(&str, i32, i64)]) -> CustomerView {
        CustomerView {
            stage,
            store_name: "Downtown".into(),
            locale: locale.into(),
            currency: currency.into(),
            lines: lines
                .iter()
                .map(|(name, quantity, amount)| CustomerLine {
                    name: (*name).into(),
                    quantity: *quantity,
                    amount: *amount,
                })
                .collect(),
            total: lines.iter().map(|l| l.2).sum(),
            paid: 0,
            change: 0,
        }
    }

    fn texts(screens: &[Screen]) -> Vec<[&str; 2]> {
        screens.iter().map(|[a, b]| [a.as_str(), b.as_str()]).collect()
    }

    #[test]
    fn each_stage_lays_out_on_two_lines_of_twenty() {
        let mut paid = view(CustomerStage::Paid, "en-US", "USD", &[("Latte", 1, 450), ("Muffin", 2, 500)]);
        (paid.paid, paid.change) = (2000, 1050);
        let mut exact = paid.clone();
        (exact.paid, exact.change) = (950, 0);
        let mut german = paid.clone();
        german.locale = "de-DE".into();
        german.currency = "EUR".into();
        for (view, want) in [
            (view(CustomerStage::Welcome, "en-US", "USD", &[]), vec![["      Welcome       ", "      Downtown      "]]),
            (view(CustomerStage::Sale, "en-US", "USD", &[]), vec![["                    ", "Total          $0.00"]]),
            (
                view(CustomerStage::Sale, "en-US", "USD", &[("Latte", 1, 450), ("Muffin", 2, 500)]),
                vec![["2x Muffin      $5.00", "Total          $9.50"]],
            ),
            (
                paid,
                vec![
                    ["Paid          $20.00", "Change        $10.50"],
                    ["     Thank you      ", "      Downtown      "],
                ],
            ),
            (
                exact,
                vec![
                    ["Total          $9.50", "Paid           $9.50"],
                    ["     Thank you      ", "      Downtown      "],
                ],
            ),
            // The location's words and money (German: a comma, the € after the amount).
            (
                german,
                vec![
                    ["Gegeben      20,00 €", "Rückgeld     10,50 €"],
                    ["    Vielen Dank     ", "      Downtown      "],
                ],
            ),
            (view(CustomerStage::Welcome, "fr-FR", "EUR", &[]), vec![["     Bienvenue      ", "      Downtown      "]]),
        ] {
            let screens = screens(&view);
            assert_eq!(texts(&screens), want, "{view:?}");
            assert!(screens.iter().flatten().all(|line| line.chars().count() == COLUMNS));
        }
    }

    #[test]
    fn long_names_are_cut_and_the_amount_is_kept_whole() {
        for (name, quantity, amount, want) in [
            // Cut to the room the amount leaves, one space before it.
            ("Bio Vollmilch 3,8 % Fett 1 l", 1, 129, "Bio Vollmilch 1,29 €"),
            ("Bio Vollmilch 3,8 % Fett 1 l", 12, 1548, "12x Bio Voll 15,48 €"),
            // Cut at a space: no trailing blank before the gap.
            ("Brot und Butter", 1, 123_456, "Brot und  1.234,56 €"),
            // Runs of spaces close up; a control character shows as '?', never as a command.
            ("Tee\n\tgrün   lose", 1, 350, "Tee??grün los 3,50 €"),
        ] {
            let sale = view(CustomerStage::Sale, "de-DE", "EUR", &[(name, quantity, amount)]);
            let [first, _] = &screens(&sale)[0];
            assert_eq!(first, want, "{name}");
            assert_eq!(first.chars().count(), COLUMNS);
        }
    }

    #[test]
    fn a_screen_is_two_positioned_lines_in_the_code_page() {
        let screen: Screen = [format!("{:<20}", "Summe 9,50 €"), format!("{:<20}", "Grüße")];
        let bytes = screen_bytes(&screen);
        assert_eq!(&bytes[..4], &[0x1F, b'$', 1, 1]);
        assert_eq!(&bytes[24..28], &[0x1F, b'$', 1, 2]);
        assert_eq!(bytes.len(), 2 * (4 + COLUMNS));
        // € is 0xD5 in PC858, ü 0x81, ß 0xE1.
        assert_eq!(bytes[4 + 11], 0xD5);
        assert_eq!(&bytes[28..33], &[b'G', b'r', 0x81, 0xE1, b'e']);
        assert_eq!(setup(), vec![0x1B, b'@', 0x1F, 0x01, 0x1B, b't', 19, 0x0C]);
    }
}
