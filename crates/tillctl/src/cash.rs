//! `tillctl cash`, `tillctl report`, `tillctl journal`, and `tillctl session force-close|late-count`:
//! the same core operations as the app's cash, report and close screens.

use crate::output::{Output, Printable};
use crate::PinArgs;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use till_core::anchor::JournalAnchor;
use till_core::journal::{JournalEntry, VerifyReport};
use till_core::reports::{XReport, ZReport};
use till_core::service::{self, MovementRequest, ZRow};
use till_core::*;

/// Where and by whom a movement is made (tillctl's common flags).
#[derive(Args)]
pub struct MovementArgs {
    /// The register: LOCATION/REGISTER (DT/R1).
    #[arg(long)]
    register: String,
    /// In the location's currency (`20.00`).
    #[arg(long, allow_hyphen_values = true)]
    amount: Option<String>,
    /// A reason code the location offers for this kind (`tillctl cash reasons`).
    #[arg(long)]
    reason: String,
    #[arg(long)]
    note: Option<String>,
    #[arg(long)]
    user: String,
    #[command(flatten)]
    pin: PinArgs,
    /// A manager who approves a paid out or drop above the location's limit (their PIN is read
    /// like --pin: --approver-pin, or asked).
    #[arg(long)]
    approver: Option<String>,
    #[arg(long)]
    approver_pin: Option<String>,
    /// A UUID you choose: running the command again with it answers the same movement.
    #[arg(long)]
    id: Option<uuid::Uuid>,
    #[arg(long)]
    device: Option<String>,
}

#[derive(Subcommand)]
pub enum CashCommand {
    /// Cash put into the drawer (a float top-up, say).
    PaidIn(MovementArgs),
    /// Cash paid out of the drawer (supplies, a delivery).
    PaidOut(MovementArgs),
    /// Cash taken from the drawer to the safe.
    Drop(MovementArgs),
    /// The drawer opened without a sale (no --amount).
    NoSale(MovementArgs),
    /// The reasons a location offers.
    Reasons {
        #[arg(long)]
        location: String,
    },
    /// Add a reason: --kind paid-in|paid-out|drop|no-sale --code supplies --label "Supplies".
    AddReason {
        #[arg(long)]
        location: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        label: String,
        #[arg(long, default_value_t = 5)]
        position: i32,
    },
    /// A session's movements.
    List {
        #[arg(long)]
        session: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// The X report of a session (open or closed): it resets nothing.
    X {
        #[arg(long)]
        session: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The Z report of a closed session (--session), or, for the bookkeeper, one CSV or JSON
    /// row per Z of a location's business days (--location --from --to).
    Z {
        #[arg(long)]
        session: Option<String>,
        #[arg(long)]
        location: Option<String>,
        /// First business day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last business day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

#[derive(Subcommand)]
pub enum JournalCommand {
    /// Recompute every hash chain and check it against the business rows and each Z's anchor;
    /// exits 1 and names every bad entry of each broken chain.
    Verify {
        /// A file of anchors an auditor holds: the texts of receipts' and Zs' QR codes
        /// (`TILL1;R;…` or `TILL1;Z;…`), one per line; blank lines and lines starting with `#`
        /// are skipped. Each must still be the entry at its position: this catches a journal
        /// an owner re-chained, which checks out against itself.
        #[arg(long, value_name = "FILE")]
        anchors: Option<PathBuf>,
    },
    /// Write every entry, chain by chain in order, as JSON Lines (default) or CSV.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// The file to write (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

fn movement_kind(command: &CashCommand) -> Option<(MovementKind, &MovementArgs)> {
    match command {
        CashCommand::PaidIn(a) => Some((MovementKind::PaidIn, a)),
        CashCommand::PaidOut(a) => Some((MovementKind::PaidOut, a)),
        CashCommand::Drop(a) => Some((MovementKind::Drop, a)),
        CashCommand::NoSale(a) => Some((MovementKind::NoSale, a)),
        _ => None,
    }
}

pub async fn cash(store: &dyn Store, out: Output, command: CashCommand) -> Result<(), TillError> {
    if let Some((kind, args)) = movement_kind(&command) {
        let device = crate::device(args.device.as_deref())?;
        let approval = match &args.approver {
            Some(name) => {
                let pin = match &args.approver_pin {
                    Some(pin) => pin.clone(),
                    None => rpassword::prompt_password(format!("PIN for {name}: "))
                        .map_err(|_| InputError::InvalidPin("no approver PIN given: use --approver-pin or type it"))?,
                };
                // Checked by the store with this movement (PostgreSQL: by the database).
                Some(service::approval(name, &pin)?)
            }
            None => None,
        };
        let request = MovementRequest {
            id: args.id.map_or_else(MovementId::new, MovementId),
            kind,
            amount: args.amount.as_deref().map(CashAmount::Typed),
            reason: &args.reason,
            note: args.note.as_deref(),
        };
        let register = RegisterRef::parse(&args.register)?;
        let who = crate::log_in(store, &args.user, &args.pin, &device).await?;
        let movement = service::record_movement(store, &who, approval, &register, &device, request).await;
        crate::log_out(store, &who).await;
        out.print(&movement?);
        return Ok(());
    }
    match command {
        CashCommand::Reasons { location } => out.print(&store.cash_reasons(&LocationCode::parse(&location)?).await?),
        CashCommand::AddReason { location, kind, code, label, position } => {
            let code = code.trim().to_string();
            if code.is_empty()
                || code.len() > 32
                || !code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(
                    InputError::Invalid { field: "code", reason: "lowercase letters, digits and _".into() }.into()
                );
            }
            let reason =
                CashReason { kind: MovementKind::parse(&kind)?, code, label: label.trim().to_string(), position };
            out.print(&store.add_cash_reason(&LocationCode::parse(&location)?, reason).await?);
        }
        CashCommand::List { session } => {
            let session = store.find_session(&SessionRef::parse(&session)?).await?;
            out.print(&store.list_movements(session.id).await?);
        }
        _ => unreachable!("movements are handled above"),
    }
    Ok(())
}

/// Who a report names as "asked by": tillctl is IT's tool, run by an OS user.
fn reporter() -> String {
    format!("{} (tillctl)", std::env::var("USER").unwrap_or_else(|_| "IT".into()))
}

fn print_as<T: Printable + serde::Serialize>(out: Output, format: Format, value: &T, csv: impl Fn(&T) -> String) {
    match format {
        Format::Text => out.print(value),
        Format::Json => Output { json: true }.print(value),
        Format::Csv => print!("{}", csv(value)),
    }
}

pub async fn report(store: &dyn Store, out: Output, command: ReportCommand) -> Result<(), TillError> {
    let asker = reporter();
    match command {
        ReportCommand::X { session, format } => {
            let report = service::x_report(store, &SessionRef::parse(&session)?, service::Asker::It(&asker)).await?;
            print_as(out, format, &report, x_csv);
        }
        ReportCommand::Z { session: Some(session), format, .. } => {
            let report = service::z_report(store, &SessionRef::parse(&session)?, service::Asker::It(&asker)).await?;
            print_as(out, format, &report, z_csv);
        }
        ReportCommand::Z { session: None, location, from, to, format } => {
            let filter = ZFilter {
                location: location.as_deref().map(LocationCode::parse).transpose()?,
                register: None,
                from,
                to,
            };
            let rows = service::z_rows(store, &filter, service::Asker::It(&asker)).await?;
            match format {
                Format::Json | Format::Text if out.json || matches!(format, Format::Json) => {
                    Output { json: true }.print(&rows)
                }
                Format::Text => out.print(&rows),
                _ => print!("{}", z_rows_csv(&rows)),
            }
        }
    }
    Ok(())
}

/// A text cell of every CSV export. A cell a spreadsheet would read as a formula (one that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return: a product or reason named
/// `=HYPERLINK(..)` in a bookkeeper's export) gets a leading `'`, which spreadsheets show as
/// text (OWASP's CSV injection advice); then RFC 4180 quoting. Amounts are written as numbers,
/// never through here, so a refund's `-1000` stays a number.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The X report as `section,item,count,amount` rows (amounts in minor units).
fn x_csv(x: &XReport) -> String {
    let mut rows = vec!["section,item,count,amount".to_string()];
    x_rows(x, &mut rows);
    rows.join("\n") + "\n"
}

/// The X report's rows of the one `section,item,count,amount` table.
fn x_rows(x: &XReport, rows: &mut Vec<String>) {
    let mut row = |section: &str, item: &str, count: Option<i64>, amount: i64| {
        rows.push(format!(
            "{section},{},{},{amount}",
            csv_field(item),
            count.map(|c| c.to_string()).unwrap_or_default()
        ));
    };
    row("sales", "receipts", Some(x.sales.receipts), 0);
    row("sales", "gross", None, x.sales.gross_sales);
    row("sales", "discounts", Some(x.sales.discounts.count), x.sales.discounts.amount);
    row("sales", "refunds", Some(x.sales.refunds.count), x.sales.refunds.amount);
    row("sales", "net", None, x.sales.net_sales);
    for t in &x.sales.taxes {
        row("tax", &format!("{} base", t.name), None, t.net);
        row("tax", &format!("{} tax", t.name), None, t.tax);
        row("tax", &format!("{} gross", t.name), None, t.gross);
    }
    for c in &x.sales.categories {
        row("category", &c.category, Some(c.count), c.amount);
    }
    for t in &x.tenders {
        row("tender", &t.kind, Some(t.count), t.amount);
    }
    let d = &x.drawer;
    row("drawer", "opening float", None, d.opening_float);
    row("drawer", "cash sales", None, d.cash_sales);
    row("drawer", "change given", None, d.change_given);
    row("drawer", "cash refunds", None, d.cash_refunds);
    row("drawer", "paid in", Some(d.paid_in.count), d.paid_in.amount);
    row("drawer", "paid out", Some(d.paid_out.count), d.paid_out.amount);
    row("drawer", "drops", Some(d.drops.count), d.drops.amount);
    row("drawer", "expected cash", None, d.expected_cash);
    row("counter", "no sale", Some(x.no_sales), 0);
    row("counter", "reprints", Some(x.reprints), 0);
    row("counter", "voids", Some(x.voids), x.voids_total);
}

/// The Z report as one `section,item,count,amount` table, the X's rows then the close's
/// (section `z`): one header for the whole file, so a bookkeeper's import reads it as one
/// table (it was two tables, each with its own header, in one file). A force-closed Z waiting
/// for its count has no counted-cash, variance, cash-removed or float rows.
fn z_csv(z: &ZReport) -> String {
    let mut rows = vec!["section,item,count,amount".to_string()];
    x_rows(&z.x, &mut rows);
    let mut row = |item: &str, count: Option<i64>, amount: i64| {
        rows.push(format!("z,{},{},{amount}", csv_field(item), count.map(|c| c.to_string()).unwrap_or_default()));
    };
    row("z number", Some(z.z.z_number), 0);
    for (item, value) in [
        ("counted cash", z.counted_cash),
        ("variance", z.variance),
        ("cash removed", z.cash_removed),
        ("float left", z.float_left),
    ] {
        if let Some(amount) = value {
            row(item, None, amount);
        }
    }
    if let Some(reason) = z.variance_reason.as_deref() {
        row(&format!("variance reason: {reason}"), None, 0);
    }
    row("grand sales", None, z.z.grand_sales);
    row("grand refunds", None, z.z.grand_refunds);
    row("grand net", None, z.grand_net);
    row(&format!("journal head {}", z.z.journal_head), Some(z.z.journal_seq), 0);
    rows.join("\n") + "\n"
}

/// One row per Z, for the bookkeeper (amounts in minor units of `currency`).
fn z_rows_csv(rows: &[ZRow]) -> String {
    let mut text = String::from(
        "location,register,z_number,session,business_day,closed_at,currency,first_receipt,last_receipt,receipts,\
         gross_sales,discounts,refunds,net_sales,tax,cash_sales,expected_cash,counted_cash,variance,variance_reason,\
         grand_sales,grand_refunds,grand_net,journal_head\n",
    );
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for r in rows {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.location,
            r.register,
            r.z_number,
            r.session,
            r.business_day,
            r.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.currency,
            r.first_receipt.as_deref().unwrap_or(""),
            r.last_receipt.as_deref().unwrap_or(""),
            r.receipts,
            r.gross_sales,
            r.discounts,
            r.refunds,
            r.net_sales,
            r.tax,
            r.cash_sales,
            r.expected_cash,
            opt(r.counted_cash),
            opt(r.variance),
            csv_field(r.variance_reason.as_deref().unwrap_or("")),
            r.grand_sales,
            r.grand_refunds,
            r.grand_net,
            r.journal_head
        ));
    }
    text
}

/// The anchors of an auditor's file (see [`JournalCommand::Verify`]); a line that is not an
/// anchor is refused with its line number, so a mistyped file never verifies less than it says.
fn read_anchors(path: &std::path::Path) -> Result<Vec<JournalAnchor>, TillError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::Invalid {
        field: "anchors",
        reason: format!("cannot read {}: {e}", path.display()),
    })?;
    let mut anchors = Vec::new();
    // A file saved by a Windows editor may begin with a byte-order mark.
    for (n, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let anchor = JournalAnchor::parse(line).map_err(|e| InputError::Invalid {
            field: "anchors",
            reason: format!("{} line {}: {e}", path.display(), n + 1),
        })?;
        anchors.push(anchor);
    }
    // A file with nothing to check must not read as "verified against the anchors".
    if anchors.is_empty() {
        return Err(InputError::Invalid {
            field: "anchors",
            reason: format!("{} holds no anchor (one TILL1;… text per line)", path.display()),
        }
        .into());
    }
    Ok(anchors)
}

/// `verify` exits 1 when a chain is broken or an anchor does not match.
pub async fn journal(store: &dyn Store, out: Output, command: JournalCommand) -> Result<bool, TillError> {
    match command {
        JournalCommand::Verify { anchors } => {
            let anchors = match anchors {
                Some(path) => read_anchors(&path)?,
                None => Vec::new(),
            };
            let report = service::verify_journal(store, &anchors).await?;
            out.print(&report);
            Ok(report.ok)
        }
        JournalCommand::Export { format: Format::Text, .. } => Err(InputError::Invalid {
            field: "format",
            reason:
                "journal export writes json (JSON Lines, the default) or csv; `journal verify` is the readable check"
                    .into(),
        }
        .into()),
        JournalCommand::Export { format, output } => {
            let mut sink: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::fs::File::create(path).map_err(|e| InputError::Invalid {
                    field: "output",
                    reason: format!("cannot write {}: {e}", path.display()),
                })?),
                None => Box::new(std::io::stdout().lock()),
            };
            let fail =
                |e: std::io::Error| TillError::from(InputError::Invalid { field: "output", reason: e.to_string() });
            if matches!(format, Format::Csv) {
                writeln!(sink, "chain_id,seq,at,device,user_id,event,ref_id,prev_hash,hash,body").map_err(fail)?;
            }
            for head in store.journal_heads().await? {
                for e in service::chain_entries(store, head.chain_id).await? {
                    let line = match format {
                        Format::Csv => csv_entry(&e),
                        _ => serde_json::to_string(&e)
                            .map_err(|e| InputError::Invalid { field: "entry", reason: e.to_string() })?,
                    };
                    writeln!(sink, "{line}").map_err(fail)?;
                }
            }
            Ok(true)
        }
    }
}

fn csv_entry(e: &JournalEntry) -> String {
    let opt = |v: Option<uuid::Uuid>| v.map(|v| v.to_string()).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{},{}",
        e.chain_id,
        e.seq,
        e.at.to_rfc3339(),
        csv_field(&e.device),
        opt(e.user_id),
        e.event,
        opt(e.ref_id),
        e.prev_hash,
        e.hash,
        csv_field(&e.body)
    )
}

/// `--denominations 20.00x3,5.00x2,0.25x4`: value x count, in the session's currency.
pub fn parse_denominations(text: Option<&str>, currency: Currency) -> Result<Vec<DenominationCount>, TillError> {
    let Some(text) = text else { return Ok(Vec::new()) };
    let bad = |item: &str| InputError::Invalid {
        field: "denominations",
        reason: format!("{item:?} is not VALUExCOUNT (20.00x3)"),
    };
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (value, count) = item.split_once(['x', 'X']).ok_or_else(|| bad(item))?;
            let value = Money::parse_cash(value, currency)?;
            let count: u32 = count.trim().parse().map_err(|_| bad(item))?;
            Ok(DenominationCount { denomination: value.minor(), count })
        })
        .collect()
}

fn money(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Ok(c) => Money::from_minor(minor, c).to_string(),
        Err(_) => minor.to_string(),
    }
}

/// Money as the report's location writes it (`27,93 €` in de-DE): text output only.
fn local_money(minor: i64, header: &till_core::reports::ReportHeader) -> String {
    match Currency::parse(&header.currency) {
        Ok(c) => Money::from_minor(minor, c).localized(&header.locale),
        Err(_) => minor.to_string(),
    }
}

/// A moment in the report's location's time zone, named (`2026-12-06 10:15 Europe/Zurich`).
fn local_time(at: chrono::DateTime<chrono::Utc>, header: &till_core::reports::ReportHeader) -> String {
    crate::output::Local::new(&header.time_zone, &header.locale).time(at, "%Y-%m-%d %H:%M")
}

impl Printable for CashMovement {
    fn human(&self) -> String {
        format!(
            "{} {} ({}{}) by {} on {} at {}",
            self.kind.as_str(),
            Money::from_minor(self.amount, self.currency),
            self.reason,
            self.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default(),
            self.user,
            self.device,
            self.at.format("%Y-%m-%d %H:%M:%S UTC")
        )
    }
}

impl Printable for Vec<CashMovement> {
    fn human(&self) -> String {
        self.iter().map(Printable::human).collect::<Vec<_>>().join("\n")
    }
}

impl Printable for Vec<CashReason> {
    fn human(&self) -> String {
        self.iter().map(|r| format!("{:<9} {:<22} {}", r.kind.as_str(), r.code, r.label)).collect::<Vec<_>>().join("\n")
    }
}

impl Printable for CashReason {
    fn human(&self) -> String {
        format!("reason {} {} \"{}\"", self.kind.as_str(), self.code, self.label)
    }
}

impl Printable for XReport {
    fn human(&self) -> String {
        let h = &self.header;
        let m = |minor: i64| local_money(minor, h);
        let mut t = format!(
            "X REPORT  {} {}  {}\nsession {} (business day {}), opened by {} at {}\nmade {} for {}\n\n",
            h.location_code,
            h.location_name,
            h.register,
            h.session_number,
            h.business_day,
            h.opened_by,
            local_time(h.opened_at, h),
            local_time(h.made_at, h),
            h.requested_by
        );
        let s = &self.sales;
        t.push_str(&format!("receipts {:>29}\n", s.receipts));
        t.push_str(&format!("gross sales {:>26}\n", m(s.gross_sales)));
        t.push_str(&format!("discounts ({}) {:>22}\n", s.discounts.count, m(s.discounts.amount)));
        t.push_str(&format!("refunds ({}) {:>24}\n", s.refunds.count, m(s.refunds.amount)));
        t.push_str(&format!("net sales {:>28}\n", m(s.net_sales)));
        for tax in &s.taxes {
            t.push_str(&format!(
                "  {:<16} base {:>8} tax {:>8} gross {:>8}\n",
                tax.name,
                m(tax.net),
                m(tax.tax),
                m(tax.gross)
            ));
        }
        for cat in &s.categories {
            t.push_str(&format!(
                "  {:<24} {:>4} {:>10}\n",
                if cat.category.is_empty() { "(no category)" } else { &cat.category },
                cat.count,
                m(cat.amount)
            ));
        }
        t.push_str("\ntenders\n");
        for tender in &self.tenders {
            t.push_str(&format!("  {:<24} {:>4} {:>10}\n", tender.kind, tender.count, m(tender.amount)));
        }
        let d = &self.drawer;
        t.push_str(&format!(
            "\ndrawer\n  opening float {:>23}\n  cash sales {:>26}\n  change given {:>24}\n  cash refunds {:>24}\n  paid in ({}) {:>23}\n  paid out ({}) {:>22}\n  drops ({}) {:>25}\n  EXPECTED CASH {:>23}\n",
            m(d.opening_float), m(d.cash_sales), m(d.change_given), m(d.cash_refunds), d.paid_in.count, m(d.paid_in.amount),
            d.paid_out.count, m(d.paid_out.amount), d.drops.count, m(d.drops.amount), m(d.expected_cash)
        ));
        if let (Some(expected), Some(difference)) = (d.float_expected, d.opening_difference) {
            t.push_str(&format!(
                "  (float left by the last close {}, opening difference {})\n",
                m(expected),
                m(difference)
            ));
        }
        t.push_str(&format!("\nno-sale opens {}   reprints {}\n", self.no_sales, self.reprints));
        t.push_str(&format!("voids ({}) {:>29}\n", self.voids, m(self.voids_total)));
        t
    }
}

impl Printable for ZReport {
    fn human(&self) -> String {
        let m = |minor: i64| local_money(minor, &self.x.header);
        let opt = |v: Option<i64>| v.map(m).unwrap_or_else(|| "(not counted yet)".into());
        let mut t = self.x.human().replacen("X REPORT", &format!("Z REPORT {}", self.z.z_number), 1);
        t.push_str(&format!(
            "\nreceipts {} .. {}\ncounted {:>29}\nvariance {:>28}{}\nclosed by {}{}\ncash removed {:>24}\nfloat left {:>26}\n",
            self.z.first_receipt.as_deref().unwrap_or("-"),
            self.z.last_receipt.as_deref().unwrap_or("-"),
            opt(self.counted_cash),
            opt(self.variance),
            self.variance_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
            self.closed_by.as_deref().unwrap_or("-"),
            self.approved_by.as_deref().map(|a| format!(", signed off by {a}")).unwrap_or_default(),
            opt(self.cash_removed),
            opt(self.float_left),
        ));
        for d in &self.denominations {
            t.push_str(&format!("  {:>10} x {}\n", m(d.denomination), d.count));
        }
        if let Some(reason) = &self.force_close_reason {
            t.push_str(&format!("force-closed: {reason}\n"));
        }
        t.push_str(&format!(
            "GRAND TOTALS  sales {}  refunds {}  net {}\njournal head at close: #{} {}\n",
            m(self.z.grand_sales),
            m(self.z.grand_refunds),
            m(self.grand_net),
            self.z.journal_seq,
            self.z.journal_head
        ));
        if let Some(anchor) = &self.z.anchor {
            t.push_str(&format!("anchor: {}\n", anchor.text));
        }
        t
    }
}

impl Printable for Vec<ZRow> {
    fn human(&self) -> String {
        self.iter()
            .map(|r| {
                format!(
                    "{:<10} Z{:<4} {} {} net {} variance {}",
                    r.register,
                    r.z_number,
                    r.business_day,
                    r.session,
                    money(r.net_sales, &r.currency),
                    r.variance.map(|v| money(v, &r.currency)).unwrap_or_else(|| "pending".into())
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Printable for VerifyReport {
    fn human(&self) -> String {
        let mut lines = Vec::new();
        for c in &self.chains {
            let name = match (&c.register, c.chain_id.is_nil()) {
                (_, true) => "staff".to_string(),
                (Some(address), false) => format!("register {address} ({})", c.chain_id),
                (None, false) => format!("chain {} (no register)", c.chain_id),
            };
            if c.problems.is_empty() {
                lines.push(format!("ok   {name}: {} entries, head #{} {}", c.entries, c.head_seq, c.head_hash));
            }
            for p in &c.problems {
                lines.push(format!("BAD  {name}: entry #{}: {}", p.seq, p.what));
            }
        }
        for a in &self.anchors {
            match &a.problem {
                None => lines.push(format!("ok   anchor {}", a.anchor)),
                Some(problem) => lines.push(format!("BAD  anchor {}: {problem}", a.anchor)),
            }
        }
        if lines.is_empty() {
            lines.push("the journal is empty".into());
        }
        lines.push(if self.ok { "journal verified".into() } else { "JOURNAL BROKEN".into() });
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_text() {
        for (cell, written) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
            ("supplies, misc", "\"supplies, misc\""),
            ("a 10 paid out", "a 10 paid out"),
            ("", ""),
        ] {
            assert_eq!(csv_field(cell), written, "{cell:?}");
        }
    }
}
