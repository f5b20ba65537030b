//! The history checked against the database. Every check names what it found; each finding is
//! an anomaly with the request it concerns. The rules:
//!
//! - every acknowledged write (exit 0 with JSON) is in the database exactly once, as answered;
//! - every later answer to the same id is its first acknowledged outcome (same receipt number,
//!   movement id, session), or, for an id first refused, the same refusal;
//! - a write refused with a code wrote nothing; a write never answered (killed, or the database
//!   gone) is either wholly there (its receipt with every line, tender, tax and journal entry)
//!   or absent;
//! - receipt numbers per register and session numbers per location and day are gapless, and
//!   so are Z numbers per register, with grand totals that add up session by session;
//! - no refund exceeds its line, and a line refunded in full gives back exactly its total and tax;
//! - each session's running totals are the sum of its receipts and movements; every X and Z
//!   answer adds up, and one made after the close equals what the database holds;
//! - every `journal verify` answered ok, the last one included.

use crate::db::{LineRow, SaleRow, SessionRow, Snapshot, TOTAL_COLUMNS};
use crate::history::{Answer, Event, Op, Request};
use crate::tillctl::{cut, TRANSIENT};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub struct Anomaly {
    pub what: String,
    /// The request it concerns, as sent.
    pub request: Option<String>,
}

pub struct Report {
    pub anomalies: Vec<Anomaly>,
    pub summary: Vec<String>,
}

/// How an answer ended (the same rule as `tillctl::classify`).
enum Class<'a> {
    Ack(&'a Value),
    Refused(&'a str),
    Transient,
    Killed,
    TimedOut,
    Garbled,
    NotOk(&'a Value),
}

fn class(a: &Answer) -> Class<'_> {
    if a.signal.is_some() {
        return if a.timed_out { Class::TimedOut } else { Class::Killed };
    }
    let Some(json) = &a.json else { return Class::Garbled };
    if let Some(code) = a.error_code() {
        return if TRANSIENT.contains(&code) { Class::Transient } else { Class::Refused(code) };
    }
    if a.exit == Some(0) {
        Class::Ack(json)
    } else {
        Class::NotOk(json)
    }
}

/// The refusals an operation may meet in this workload (a session closed under it, a refund
/// racing others); any other code is an anomaly. `user_locked` is counted apart.
fn expected_refusals(op: Op) -> &'static [&'static str] {
    match op {
        Op::CloseShift => &["session_already_closed", "variance_needs_signoff"],
        Op::Sale | Op::PaidIn | Op::NoSale => &["no_open_session", "session_closed"],
        Op::Refund => &["no_open_session", "session_closed", "refund_exceeds_sale"],
        // A paid out racing another may find the limit passed and its approval unspent.
        Op::PaidOut | Op::Drop => &["no_open_session", "session_closed", "forbidden"],
        _ => &[],
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn int(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// `"-14.55"` → -1455 (the soak's locations use two decimals).
pub fn minor(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "00"));
    if fraction.len() != 2 {
        return None;
    }
    let value = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(fraction.parse::<i64>().ok()?)?;
    Some(if negative { -value } else { value })
}

/// What an acknowledged answer says happened: two answers to one id must say the same.
fn identity(op: Op, json: &Value) -> String {
    let s = |p| text(json, p).unwrap_or("?").to_string();
    let i = |p| int(json, p).map_or("?".to_string(), |v| v.to_string());
    match op {
        Op::Sale | Op::Refund => format!("receipt {} (id {}, total {})", s("/number"), s("/id"), i("/total")),
        Op::PaidIn | Op::PaidOut | Op::Drop | Op::NoSale => {
            format!("movement {} ({} {})", s("/id"), s("/kind"), i("/amount"))
        }
        Op::StartShift => format!(
            "session {} (id {}, joined {})",
            s("/session/number"),
            s("/session/id"),
            json.pointer("/joined").and_then(Value::as_bool).map_or("?".into(), |b| b.to_string())
        ),
        Op::CloseShift => format!(
            "close of {} (id {}) at {}, counted {}, expected {}",
            s("/number"),
            s("/id"),
            s("/closed_at"),
            s("/counted_cash"),
            s("/expected_cash")
        ),
        _ => String::new(),
    }
}

fn describe(r: &Request) -> String {
    let content = r.content.as_ref().map(|c| format!(" with {c}")).unwrap_or_default();
    let replay = if r.replay { " (replay)" } else { "" };
    format!("{} {} attempt {}{replay}: tillctl {}{content}", r.op.as_str(), r.key, r.attempt, r.args.join(" "))
}

fn describe_answer(a: &Answer) -> String {
    match (&a.json, a.signal) {
        (_, Some(signal)) => format!("signal {signal}"),
        (Some(json), _) => format!("exit {} {}", a.exit.unwrap_or(-1), cut(&json.to_string(), 300)),
        (None, _) => format!(
            "exit {} without JSON: stdout {:?} stderr {:?}",
            a.exit.unwrap_or(-1),
            cut(&a.stdout, 200),
            cut(&a.stderr, 300)
        ),
    }
}

/// One id's requests and answers, in order.
struct KeyLog<'a> {
    op: Op,
    requests: Vec<&'a Request>,
    answers: Vec<&'a Answer>,
}

/// Where a write's id is in the database, and what is wrong with what is there.
struct Found {
    places: Vec<String>,
    problems: Vec<String>,
}

struct Audit<'a> {
    snap: &'a Snapshot,
    out: Vec<Anomaly>,
    sales_by_id: HashMap<Uuid, &'a SaleRow>,
    sales_by_number: HashMap<&'a str, &'a SaleRow>,
    lines: HashMap<Uuid, Vec<&'a LineRow>>,
    sessions_by_id: HashMap<Uuid, &'a SessionRow>,
    sessions_by_number: HashMap<&'a str, &'a SessionRow>,
    /// (event, ref id) → entries.
    journal: HashMap<(&'a str, Uuid), usize>,
    /// Each session's recomputed totals (columns, then tender/tax/category parts).
    recomputed: HashMap<Uuid, Recomputed>,
    /// Location code → whether its prices include tax.
    include_tax: HashMap<&'a str, bool>,
}

#[derive(Default, Clone)]
struct Recomputed {
    columns: BTreeMap<&'static str, i64>,
    tenders: BTreeMap<String, (i64, i64)>,
    taxes: BTreeMap<String, (i64, i64, i64)>,
    categories: BTreeMap<String, (i64, i64)>,
    receipts: Vec<String>,
}

impl<'a> Audit<'a> {
    fn flag(&mut self, what: impl Into<String>, request: Option<&Request>) {
        self.out.push(Anomaly { what: what.into(), request: request.map(describe) });
    }

    fn entries(&self, event: &str, reference: Uuid) -> usize {
        self.journal.get(&(event, reference)).copied().unwrap_or(0)
    }

    /// A receipt as stored is whole: lines, tenders, taxes, journal entry, all adding up.
    fn receipt_problems(&self, sale: &SaleRow, content: Option<&Value>, about: &Value) -> Vec<String> {
        let mut p = Vec::new();
        let lines = self.lines.get(&sale.id).cloned().unwrap_or_default();
        let tenders: Vec<_> = self.snap.tenders.iter().filter(|t| t.sale_id == sale.id).collect();
        let taxes: Vec<_> = self.snap.taxes.iter().filter(|t| t.sale_id == sale.id).collect();
        if lines.is_empty() {
            p.push(format!("receipt {} has no lines", sale.number));
        }
        if taxes.is_empty() {
            p.push(format!("receipt {} has no tax rows", sale.number));
        }
        if tenders.is_empty() && sale.total != 0 {
            p.push(format!("receipt {} has no tenders", sale.number));
        }
        let sum = |f: &dyn Fn(&LineRow) -> i64| lines.iter().map(|l| f(l)).sum::<i64>();
        if sum(&|l| l.total) != sale.total {
            p.push(format!("receipt {}: lines' totals {} ≠ total {}", sale.number, sum(&|l| l.total), sale.total));
        }
        if sum(&|l| l.tax) != sale.tax || taxes.iter().map(|t| t.tax).sum::<i64>() != sale.tax {
            p.push(format!("receipt {}: lines' or tax rows' tax ≠ tax {}", sale.number, sale.tax));
        }
        let tendered: i64 = tenders.iter().map(|t| t.amount).sum();
        if tendered != sale.tendered || sale.tendered - sale.change != sale.total + sale.rounding {
            p.push(format!(
                "receipt {}: tenders {tendered}, tendered {}, change {}, total {}, rounding {} do not balance",
                sale.number, sale.tendered, sale.change, sale.total, sale.rounding
            ));
        }
        let cash: i64 = tenders.iter().filter(|t| t.kind == "cash").map(|t| t.amount).sum();
        let drawer = if sale.kind == "sale" { cash - sale.change } else { -cash };
        if drawer != sale.cash_net {
            p.push(format!("receipt {}: cash_net {} ≠ cash tendered less change {drawer}", sale.number, sale.cash_net));
        }
        let entries = self.entries(&sale.kind, sale.id);
        if entries != 1 {
            p.push(format!("receipt {} has {entries} journal entries ({})", sale.number, sale.kind));
        }
        // The lines are what was asked: a cart's SKUs and quantities, a refund's lines.
        let asked = content.and_then(|c| c.get("lines")).and_then(Value::as_array);
        if let Some(asked) = asked {
            if asked.len() != lines.len() {
                p.push(format!("receipt {} has {} lines where {} were asked", sale.number, lines.len(), asked.len()));
            }
            for (line, ask) in lines.iter().zip(asked) {
                let quantity = ask.get("quantity").and_then(Value::as_i64);
                let same = match sale.kind.as_str() {
                    "sale" => ask.get("sku").and_then(Value::as_str) == Some(line.sku.as_str()),
                    _ => ask.get("line").and_then(Value::as_i64) == line.refund_of_line,
                };
                if !same || quantity != Some(line.quantity) {
                    p.push(format!("receipt {} line {} is not the line asked ({ask})", sale.number, line.line_no));
                }
            }
        }
        if sale.kind == "refund" {
            let of = about.get("receipt").and_then(Value::as_str).and_then(|n| self.sales_by_number.get(n));
            if of.map(|s| s.id) != sale.refund_of {
                p.push(format!("refund {} is not of the receipt asked ({about})", sale.number));
            }
        }
        p
    }

    /// Where a write's id landed in the database.
    fn find(&self, op: Op, key: Uuid, content: Option<&Value>, about: &Value) -> Found {
        let mut found = Found { places: Vec::new(), problems: Vec::new() };
        match op {
            Op::Sale | Op::Refund => {
                if let Some(sale) = self.sales_by_id.get(&key) {
                    found.places.push(format!("receipt {}", sale.number));
                    let kind = if op == Op::Sale { "sale" } else { "refund" };
                    if sale.kind != kind {
                        found
                            .problems
                            .push(format!("receipt {} is a {} where a {kind} was asked", sale.number, sale.kind));
                    }
                    found.problems.extend(self.receipt_problems(sale, content, about));
                }
            }
            Op::PaidIn | Op::PaidOut | Op::Drop | Op::NoSale => {
                for m in self.snap.movements.iter().filter(|m| m.id == key) {
                    found.places.push(format!("movement {} {} {}", m.id, m.kind, m.amount));
                    if m.kind != op.as_str() || about.get("amount").and_then(Value::as_i64) != Some(m.amount) {
                        found.problems.push(format!("movement {} is {} {}, asked {about}", m.id, m.kind, m.amount));
                    }
                    let entries = self.entries(&m.kind, m.id);
                    if entries != 1 {
                        found.problems.push(format!("movement {} has {entries} journal entries", m.id));
                    }
                }
            }
            Op::StartShift => {
                if let Some(s) = self.sessions_by_id.get(&key) {
                    found.places.push(format!("session {} (opened by this request)", s.number));
                    let entries = self.entries("session_open", s.id);
                    if entries != 1 {
                        found.problems.push(format!("session {} has {entries} session_open entries", s.number));
                    }
                }
                for (session, _) in self.snap.joins.iter().filter(|(_, q)| *q == Some(key)) {
                    found.places.push(format!("join of {}", self.number(*session)));
                }
                for (_, session) in self.snap.shift_requests.iter().filter(|(q, _)| *q == key) {
                    found.places.push(format!("repeat join of {}", self.number(*session)));
                }
            }
            Op::CloseShift => {
                for s in self.snap.sessions.iter().filter(|s| s.close_request_id == Some(key)) {
                    found.places.push(format!("close of {}", s.number));
                }
            }
            _ => {}
        }
        found
    }

    fn number(&self, session: Uuid) -> String {
        self.sessions_by_id.get(&session).map_or_else(|| session.to_string(), |s| s.number.clone())
    }

    /// What the ack says against what the database holds for it.
    fn matches_ack(&self, op: Op, key: Uuid, json: &Value) -> Option<String> {
        match op {
            Op::Sale | Op::Refund => {
                let sale = self.sales_by_id.get(&key)?;
                (text(json, "/number") != Some(sale.number.as_str()) || int(json, "/total") != Some(sale.total)).then(
                    || {
                        format!(
                            "answered {} but the database holds {} total {}",
                            identity(op, json),
                            sale.number,
                            sale.total
                        )
                    },
                )
            }
            Op::StartShift => {
                let answered = text(json, "/session/id").and_then(|t| Uuid::parse_str(t).ok());
                let joined = json.pointer("/joined").and_then(Value::as_bool);
                let held = if joined == Some(false) {
                    self.sessions_by_id.get(&key).map(|s| s.id)
                } else {
                    self.snap
                        .joins
                        .iter()
                        .find(|(_, q)| *q == Some(key))
                        .map(|(s, _)| *s)
                        .or_else(|| self.snap.shift_requests.iter().find(|(q, _)| *q == key).map(|(_, s)| *s))
                };
                (held != answered).then(|| {
                    format!(
                        "answered {} but the database records this request for {}",
                        identity(op, json),
                        held.map_or("nothing".into(), |s| self.number(s))
                    )
                })
            }
            Op::CloseShift => {
                let s = self.snap.sessions.iter().find(|s| s.close_request_id == Some(key))?;
                let counted = text(json, "/counted_cash").and_then(minor);
                (text(json, "/number") != Some(s.number.as_str()) || counted != s.counted_cash).then(|| {
                    format!(
                        "answered {} but the database holds {} counted {:?}",
                        identity(op, json),
                        s.number,
                        s.counted_cash
                    )
                })
            }
            _ => None,
        }
    }
}

/// The X report's figures agree with each other.
fn x_problems(x: &Value, prices_include_tax: bool) -> Vec<String> {
    let mut p = Vec::new();
    let g = |path: &str| int(x, path);
    let figures = (
        g("/sales/gross_sales"),
        g("/sales/discounts/amount"),
        g("/sales/refunds/amount"),
        g("/sales/net_sales"),
        g("/sales/rounding"),
    );
    let (Some(gross), Some(discounts), Some(refunds), Some(net), Some(rounding)) = figures else {
        return vec![format!("the report lacks a sales figure: {}", cut(&x.to_string(), 200))];
    };
    if gross - discounts - refunds != net {
        p.push(format!("gross {gross} − discounts {discounts} − refunds {refunds} ≠ net sales {net}"));
    }
    let list = |path: &str| x.pointer(path).and_then(Value::as_array).cloned().unwrap_or_default();
    let taxes = list("/sales/taxes");
    let mut tax_gross = 0;
    let mut tax_net = 0;
    for t in &taxes {
        let (n, tx, gr) = (int(t, "/net").unwrap_or(0), int(t, "/tax").unwrap_or(0), int(t, "/gross").unwrap_or(0));
        if n + tx != gr {
            p.push(format!("tax rate {}: base {n} + tax {tx} ≠ gross {gr}", text(t, "/name").unwrap_or("?")));
        }
        tax_gross += gr;
        tax_net += n;
    }
    if tax_gross != net {
        p.push(format!("taxes' gross {tax_gross} ≠ net sales {net}"));
    }
    let categories: i64 = list("/sales/categories").iter().filter_map(|c| int(c, "/amount")).sum();
    if !prices_include_tax && categories != tax_net {
        p.push(format!("categories' amounts {categories} ≠ taxes' base {tax_net}"));
    }
    let tenders = list("/tenders");
    let tendered: i64 = tenders.iter().filter_map(|t| int(t, "/amount")).sum();
    let cash_tender: i64 =
        tenders.iter().filter(|t| text(t, "/kind") == Some("cash")).filter_map(|t| int(t, "/amount")).sum();
    let d = |path: &str| g(&format!("/drawer{path}")).unwrap_or(0);
    let change = d("/change_given");
    if tendered - change != net + rounding {
        p.push(format!("tenders {tendered} − change {change} ≠ net sales {net} + rounding {rounding}"));
    }
    if cash_tender != d("/cash_sales") - d("/cash_refunds") {
        p.push(format!(
            "cash tenders {cash_tender} ≠ cash sales {} − cash refunds {}",
            d("/cash_sales"),
            d("/cash_refunds")
        ));
    }
    let expected = d("/opening_float") + d("/cash_sales") - change - d("/cash_refunds") + d("/paid_in/amount")
        - d("/paid_out/amount")
        - d("/drops/amount");
    if expected != d("/expected_cash") {
        p.push(format!("drawer: the parts come to {expected}, expected cash says {}", d("/expected_cash")));
    }
    if g("/sales/receipts").unwrap_or(0) < g("/sales/refunds/count").unwrap_or(0) {
        p.push("fewer receipts than refunds".into());
    }
    p
}

/// The history's events, gathered per id.
struct Logs<'a> {
    by_key: BTreeMap<Uuid, KeyLog<'a>>,
    /// Ids in the order of their first request.
    order: Vec<Uuid>,
    backend_kills: u64,
    meta: String,
    started_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn gather(events: &[Event]) -> Logs<'_> {
    let mut logs =
        Logs { by_key: BTreeMap::new(), order: Vec::new(), backend_kills: 0, meta: String::new(), started_at: None };
    for e in events {
        match e {
            Event::Request(r) => {
                let log = logs.by_key.entry(r.key).or_insert_with(|| {
                    logs.order.push(r.key);
                    KeyLog { op: r.op, requests: Vec::new(), answers: Vec::new() }
                });
                log.requests.push(r);
            }
            Event::Answer(ans) => {
                if let Some(log) = logs.by_key.get_mut(&ans.key) {
                    log.answers.push(ans);
                }
            }
            Event::BackendKill { terminated: true, .. } => logs.backend_kills += 1,
            Event::Meta { started_at, backend, seconds, processes, seed, kill_permille, .. } => {
                logs.started_at = Some(*started_at);
                logs.meta = format!(
                    "{backend}: {seconds} s, {processes} processes, seed {seed}, SIGKILL on {kill_permille}‰ of attempts"
                );
            }
            _ => {}
        }
    }
    for log in logs.by_key.values_mut() {
        log.answers.sort_by_key(|ans| ans.seq);
    }
    logs
}

/// Counts for the summary.
#[derive(Default)]
struct Tally {
    /// Per op: ids, attempts, acknowledged ids, refused ids, ids never answered, of which applied.
    per_op: BTreeMap<Op, [u64; 6]>,
    refusals: BTreeMap<String, u64>,
    kills_sent: u64,
    killed: u64,
    /// Retries by what ended the attempt before.
    retries: BTreeMap<&'static str, u64>,
    replays: u64,
    lockouts: Vec<String>,
    cut_after_commit: BTreeMap<Op, u64>,
}

impl Tally {
    fn attempts(&mut self, log: &KeyLog) {
        let counts = self.per_op.entry(log.op).or_default();
        counts[0] += 1;
        counts[1] += log.requests.len() as u64;
        self.replays += log.requests.iter().filter(|r| r.replay).count() as u64;
        for (i, ans) in log.answers.iter().enumerate() {
            if ans.kill_sent {
                self.kills_sent += 1;
                self.killed += u64::from(ans.signal.is_some());
            }
            if log.answers.get(i + 1).is_some_and(|next| !next.replay) {
                let why = match class(ans) {
                    Class::Killed => "SIGKILL",
                    Class::Transient if ans.error_code() == Some("database_busy") => "database_busy",
                    Class::Transient => "database_unavailable",
                    Class::TimedOut => "time-out",
                    Class::Garbled => "no JSON",
                    Class::Refused("user_locked") => "user_locked",
                    _ => "other",
                };
                *self.retries.entry(why).or_default() += 1;
            }
        }
    }

    fn lines(&self, logs: &Logs, snap: &Snapshot, anomalies: usize) -> Vec<String> {
        let list = |items: Vec<String>| if items.is_empty() { "-".to_string() } else { items.join(", ") };
        let mut out = vec![format!("soak {}", logs.meta)];
        out.push("operations: ids / attempts / acknowledged / refused / never answered (of which applied)".into());
        for (op, c) in &self.per_op {
            out.push(format!(
                "  {:<15} {:>6} / {:>6} / {:>6} / {:>6} / {:>5} ({})",
                op.as_str(),
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5]
            ));
        }
        out.push(format!(
            "tillctl processes killed: {} (SIGKILL sent {}); PostgreSQL backends terminated: {}",
            self.killed, self.kills_sent, logs.backend_kills
        ));
        out.push(format!(
            "retries of the same id: {} (after {}); replays of answered ids: {}",
            self.retries.values().sum::<u64>(),
            list(self.retries.iter().map(|(k, v)| format!("{k} {v}")).collect()),
            self.replays
        ));
        let applied: u64 = self.per_op.values().map(|c| c[5]).sum();
        out.push(format!("writes never answered but applied (each whole): {applied}"));
        out.push(format!(
            "writes committed by an attempt then killed or cut off, answered by the retry: {}",
            list(self.cut_after_commit.iter().map(|(op, n)| format!("{} {n}", op.as_str())).collect())
        ));
        out.push(format!(
            "refused ids by code: {}",
            list(self.refusals.iter().map(|(k, v)| format!("{k} {v}")).collect())
        ));
        out.push(format!(
            "user lockouts met (a PIN check cut off counts as a failed PIN): {}{}",
            self.lockouts.len(),
            self.lockouts.first().map(|l| format!(", first: {l}")).unwrap_or_default()
        ));
        let closed = snap.sessions.iter().filter(|s| s.status == "closed").count();
        let refunds = snap.sales.iter().filter(|s| s.kind == "refund").count();
        out.push(format!(
            "database: {} sessions ({closed} closed), {} receipts ({refunds} refunds), {} movements, {} Z reports, {} journal entries",
            snap.sessions.len(),
            snap.sales.len(),
            snap.movements.len(),
            snap.z_reports.len(),
            snap.journal.len()
        ));
        out.push(format!("anomalies: {anomalies}"));
        out
    }
}

/// The first acknowledged and the first refused answer of an id.
struct Outcomes<'a> {
    ack: Option<(String, &'a Answer)>,
    refusal: Option<(&'a str, &'a Answer)>,
}

/// The request an answer answers.
fn request_of<'a>(log: &KeyLog<'a>, ans: &Answer) -> &'a Request {
    let first = log.requests[0];
    log.requests.iter().rev().find(|r| r.attempt == ans.attempt && r.seq < ans.seq).copied().unwrap_or(first)
}

impl<'a> Audit<'a> {
    fn new(snap: &'a Snapshot) -> Audit<'a> {
        let mut a = Audit {
            snap,
            out: Vec::new(),
            sales_by_id: snap.sales.iter().map(|s| (s.id, s)).collect(),
            sales_by_number: snap.sales.iter().map(|s| (s.number.as_str(), s)).collect(),
            lines: HashMap::new(),
            sessions_by_id: snap.sessions.iter().map(|s| (s.id, s)).collect(),
            sessions_by_number: snap.sessions.iter().map(|s| (s.number.as_str(), s)).collect(),
            journal: HashMap::new(),
            recomputed: HashMap::new(),
            include_tax: snap.locations.iter().map(|(_, code, inc)| (code.as_str(), *inc)).collect(),
        };
        for l in &snap.lines {
            a.lines.entry(l.sale_id).or_default().push(l);
        }
        for e in &snap.journal {
            if let Some(r) = e.ref_id {
                *a.journal.entry((e.event.as_str(), r)).or_default() += 1;
            }
        }
        recompute(&mut a);
        a
    }

    /// An id's answers one by one, against its first acknowledged or refused one.
    fn answers<'l>(&mut self, log: &KeyLog<'l>, tally: &mut Tally) -> Outcomes<'l> {
        let mut first = Outcomes { ack: None, refusal: None };
        for ans in log.answers.iter().copied() {
            let req = request_of(log, ans);
            match class(ans) {
                Class::Garbled => self.flag(format!("answered without JSON: {}", describe_answer(ans)), Some(req)),
                Class::TimedOut => self.flag(format!("no answer after {} ms (killed then)", ans.ms), Some(req)),
                Class::NotOk(json) if log.op == Op::JournalVerify => {
                    let problems: Vec<String> = json
                        .get("chains")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .flat_map(|c| c.get("problems").and_then(Value::as_array).cloned().unwrap_or_default())
                        .take(5)
                        .map(|p| p.to_string())
                        .collect();
                    self.flag(format!("journal verify reports problems: {}", problems.join("; ")), Some(req));
                }
                Class::NotOk(json) => self.flag(
                    format!(
                        "exit {} with JSON that is no error: {}",
                        ans.exit.unwrap_or(-1),
                        cut(&json.to_string(), 300)
                    ),
                    Some(req),
                ),
                Class::Killed | Class::Transient => {}
                Class::Refused("user_locked") => tally.lockouts.push(describe(req)),
                Class::Refused(code) => {
                    if !expected_refusals(log.op).contains(&code) {
                        self.flag(format!("refused with an unexpected code: {}", describe_answer(ans)), Some(req));
                    }
                    match (&first.ack, first.refusal) {
                        (Some((id, _)), _) => self.flag(
                            format!("a retry of an acknowledged id answered {code}; the first answer was {id}"),
                            Some(req),
                        ),
                        (None, Some((c, _))) if c != code => {
                            self.flag(format!("a retry answered {code}; the first answer was {c}"), Some(req))
                        }
                        (None, Some(_)) => {}
                        (None, None) => first.refusal = Some((code, ans)),
                    }
                }
                Class::Ack(json) => {
                    let id = identity(log.op, json);
                    match (&first.ack, first.refusal) {
                        (Some((was, _)), _) if *was != id => {
                            self.flag(format!("a retry answered {id}; the first answer was {was}"), Some(req))
                        }
                        (Some(_), _) => {}
                        (None, Some((c, _))) => {
                            self.flag(
                                format!("a retry answered {id}; the first answer was the refusal {c}"),
                                Some(req),
                            );
                            first.ack = Some((id, ans));
                        }
                        (None, None) => first.ack = Some((id, ans)),
                    }
                    self.answer_adds_up(log.op, json, req);
                }
            }
        }
        first
    }

    /// What an acknowledged report, close or verify says is consistent in itself, and a report
    /// of a closed session is what the database holds.
    fn answer_adds_up(&mut self, op: Op, json: &Value, req: &Request) {
        let include_tax = |x: &Value| {
            text(x, "/header/location_code").and_then(|loc| self.include_tax.get(loc).copied()).unwrap_or(false)
        };
        match op {
            Op::ReportX => {
                for p in x_problems(json, include_tax(json)) {
                    self.flag(format!("X report does not add up: {p}"), Some(req));
                }
                if text(json, "/header/closed_at").is_some() {
                    compare_report(self, json, None, req);
                }
            }
            Op::ReportZ => {
                let x = json.get("x").unwrap_or(&Value::Null);
                for p in x_problems(x, include_tax(x)) {
                    self.flag(format!("Z report does not add up: {p}"), Some(req));
                }
                compare_report(self, x, Some(json), req);
            }
            Op::CloseShift => {
                let f = |p| text(json, p).and_then(minor);
                let (c, e, v) = (f("/counted_cash"), f("/expected_cash"), f("/variance"));
                if c.zip(e).map(|(c, e)| c - e) != v || v.is_none() {
                    self.flag(format!("close answer: counted {c:?} − expected {e:?} ≠ variance {v:?}"), Some(req));
                }
            }
            Op::JournalVerify if json.get("ok").and_then(Value::as_bool) != Some(true) => {
                self.flag(format!("journal verify: {}", cut(&json.to_string(), 600)), Some(req));
            }
            _ => {}
        }
    }

    /// A write's id against the database: acknowledged ones there once and as answered, refused
    /// ones absent, the others whole or absent.
    fn in_database(&mut self, key: Uuid, log: &KeyLog, first: &Outcomes, tally: &mut Tally) {
        let request = log.requests[0];
        let found = self.find(log.op, key, request.content.as_ref(), &request.about);
        if found.places.len() > 1 {
            self.flag(
                format!("one id is in the database {} times: {}", found.places.len(), found.places.join(", ")),
                Some(request),
            );
        }
        let present = !found.places.is_empty();
        match (&first.ack, first.refusal) {
            (Some((id, ans)), _) => {
                if !present {
                    self.flag(format!("acknowledged ({id}) but not in the database"), Some(request_of(log, ans)));
                } else if let Some(mismatch) = ans.json.as_ref().and_then(|j| self.matches_ack(log.op, key, j)) {
                    self.flag(mismatch, Some(request_of(log, ans)));
                }
            }
            (None, Some((code, ans))) if present => self.flag(
                format!("refused ({code}) but the database holds it: {}", found.places.join(", ")),
                Some(request_of(log, ans)),
            ),
            (None, _) if present => tally.per_op.entry(log.op).or_default()[5] += 1,
            _ => {}
        }
        let whose = if first.ack.is_some() { "acknowledged" } else { "never acknowledged" };
        for problem in found.problems {
            self.flag(format!("{whose} write is not whole: {problem}"), Some(request));
        }
    }

    /// Nothing in the database that no request asked for.
    fn nothing_unasked(&mut self, logs: &Logs) {
        let snap = self.snap;
        let asked = |id: &Uuid| logs.by_key.contains_key(id);
        for s in snap.sales.iter().filter(|s| !asked(&s.id)) {
            self.flag(
                format!("receipt {} ({}) is in the database but no request carried its id", s.number, s.id),
                None,
            );
        }
        for m in snap.movements.iter().filter(|m| !asked(&m.id)) {
            self.flag(format!("movement {} ({}) was never asked for", m.id, m.kind), None);
        }
        for s in &snap.sessions {
            if !asked(&s.id) {
                self.flag(format!("session {} ({}) was opened by no request of the soak", s.number, s.id), None);
            }
            if let Some(q) = s.close_request_id.filter(|q| !asked(q)) {
                self.flag(format!("session {} was closed by request {q}, which the soak never sent", s.number), None);
            }
        }
    }
}

/// Checks a history against a database snapshot.
pub fn audit(events: &[Event], snap: &Snapshot) -> Report {
    let mut a = Audit::new(snap);
    let logs = gather(events);
    let mut tally = Tally::default();
    let mut final_verify = None;
    for key in &logs.order {
        let Some(log) = logs.by_key.get(key) else { continue };
        tally.attempts(log);
        let first = a.answers(log, &mut tally);
        if log.requests[0].about.get("final").and_then(Value::as_bool) == Some(true) {
            final_verify = Some(first.ack.as_ref().and_then(|(_, ans)| ans.json.clone()));
        }
        if let (Some((_, ack)), Some(start)) = (&first.ack, logs.started_at) {
            if committed_before_cut(log, ack, start) {
                *tally.cut_after_commit.entry(log.op).or_default() += 1;
            }
        }
        let counts = tally.per_op.entry(log.op).or_default();
        match (&first.ack, first.refusal) {
            (Some(_), _) => counts[2] += 1,
            (None, Some((code, _))) => {
                counts[3] += 1;
                *tally.refusals.entry(format!("{} {code}", log.op.as_str())).or_default() += 1;
            }
            (None, None) => counts[4] += 1,
        }
        if log.op.is_write() {
            a.in_database(*key, log, &first, &mut tally);
        }
    }
    a.nothing_unasked(&logs);
    database_checks(&mut a);
    match final_verify {
        Some(Some(json)) if json.get("ok").and_then(Value::as_bool) == Some(true) => {}
        Some(json) => a.flag(format!("the final journal verify is not ok: {json:?}"), None),
        None => a.flag("the final journal verify was never run", None),
    }
    let summary = tally.lines(&logs, snap, a.out.len());
    Report { anomalies: a.out, summary }
}

/// Whether the write `ack` answers was committed before an earlier attempt of the same id ended
/// without an answer: the time it was recorded at is before that attempt's end.
fn committed_before_cut(log: &KeyLog, ack: &Answer, started_at: chrono::DateTime<chrono::Utc>) -> bool {
    let Some(json) = &ack.json else { return false };
    let at = match log.op {
        Op::Sale | Op::Refund | Op::PaidIn | Op::PaidOut | Op::Drop | Op::NoSale => text(json, "/at"),
        Op::StartShift if json.pointer("/joined").and_then(Value::as_bool) == Some(false) => {
            text(json, "/session/opened_at")
        }
        Op::CloseShift => text(json, "/closed_at"),
        _ => None,
    };
    let Some(at) = at.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) else { return false };
    log.answers.iter().filter(|a| a.seq < ack.seq && matches!(class(a), Class::Killed | Class::Transient)).any(|cut| {
        let ended = started_at + chrono::Duration::milliseconds(i64::try_from(cut.t_ms).unwrap_or(i64::MAX));
        at < ended
    })
}

/// Each session's totals recomputed from its receipts and movements.
fn recompute(a: &mut Audit) {
    let snap = a.snap;
    let mut out: HashMap<Uuid, Recomputed> = HashMap::new();
    for s in &snap.sessions {
        let r = out.entry(s.id).or_default();
        for c in TOTAL_COLUMNS {
            r.columns.insert(c, 0);
        }
    }
    for sale in &snap.sales {
        let r = out.entry(sale.session_id).or_default();
        r.receipts.push(sale.number.clone());
        let refund = sale.kind == "refund";
        let sign = if refund { -1 } else { 1 };
        let cash: i64 =
            snap.tenders.iter().filter(|t| t.sale_id == sale.id && t.kind == "cash").map(|t| t.amount).sum();
        let mut add = |c: &'static str, v: i64| *r.columns.entry(c).or_default() += v;
        add("cash_net", sale.cash_net);
        add("discounts_total", sign * sale.discount);
        add("tax_total", sign * sale.tax);
        add("rounding_total", sign * sale.rounding);
        if refund {
            add("refunds_count", 1);
            add("refunds_total", sale.total);
            add("cash_refunds", cash);
        } else {
            add("sales_count", 1);
            add("sales_total", sale.total);
            add("discounts_count", i64::from(sale.discount > 0));
            add("cash_sales", cash);
            add("change_given", sale.change);
        }
        for t in snap.tenders.iter().filter(|t| t.sale_id == sale.id) {
            let e = r.tenders.entry(t.kind.clone()).or_default();
            e.0 += 1;
            e.1 += sign * t.amount;
        }
        for t in snap.taxes.iter().filter(|t| t.sale_id == sale.id) {
            let e = r.taxes.entry(t.tax_rate_id.to_string()).or_default();
            e.0 += sign * t.net;
            e.1 += sign * t.tax;
            e.2 += sign * t.gross;
        }
        for l in a.lines.get(&sale.id).into_iter().flatten() {
            let e = r.categories.entry(l.category.clone()).or_default();
            e.0 += sign * l.quantity;
            e.1 += sign * l.amount;
        }
    }
    for m in &snap.movements {
        let r = out.entry(m.session_id).or_default();
        let mut add = |c: &'static str, v: i64| *r.columns.entry(c).or_default() += v;
        match m.kind.as_str() {
            "paid_in" => {
                add("paid_in_count", 1);
                add("paid_in_total", m.amount);
                add("cash_net", m.amount);
            }
            "paid_out" => {
                add("paid_out_count", 1);
                add("paid_out_total", m.amount);
                add("cash_net", -m.amount);
            }
            "drop" => {
                add("drops_count", 1);
                add("drops_total", m.amount);
                add("cash_net", -m.amount);
            }
            _ => add("no_sale_count", 1),
        }
    }
    a.recomputed = out;
}

/// An X made after the close, or a Z, against the database's final figures.
fn compare_report(a: &mut Audit, x: &Value, z: Option<&Value>, req: &Request) {
    let Some(number) = text(x, "/header/session_number") else { return };
    let Some(session) = a.sessions_by_number.get(number).copied() else {
        a.flag(format!("the report names session {number}, which the database does not hold"), Some(req));
        return;
    };
    let r = a.recomputed.get(&session.id).cloned().unwrap_or_default();
    let col = |c: &str| r.columns.get(c).copied().unwrap_or(0);
    let checks = [
        ("receipts", int(x, "/sales/receipts"), col("sales_count") + col("refunds_count")),
        ("net sales", int(x, "/sales/net_sales"), col("sales_total") - col("refunds_total")),
        ("refunds", int(x, "/sales/refunds/amount"), col("refunds_total")),
        ("cash sales", int(x, "/drawer/cash_sales"), col("cash_sales")),
        ("paid out", int(x, "/drawer/paid_out/amount"), col("paid_out_total")),
        ("drops", int(x, "/drawer/drops/amount"), col("drops_total")),
        ("expected cash", int(x, "/drawer/expected_cash"), session.opening_cash + col("cash_net")),
    ];
    for (what, said, held) in checks {
        if said != Some(held) {
            a.flag(
                format!(
                    "{} of closed session {number}: {what} {said:?}, the database's receipts and movements give {held}",
                    if z.is_some() { "Z" } else { "X" }
                ),
                Some(req),
            );
        }
    }
    let Some(z) = z else { return };
    let counted = int(z, "/counted_cash");
    if counted != session.counted_cash || int(z, "/variance") != session.variance {
        a.flag(
            format!(
                "Z of {number}: counted {counted:?} variance {:?}, the database {:?} {:?}",
                int(z, "/variance"),
                session.counted_cash,
                session.variance
            ),
            Some(req),
        );
    }
    if let (Some(c), Some(v)) = (counted, int(z, "/variance")) {
        if c - v != int(x, "/drawer/expected_cash").unwrap_or(0) {
            a.flag(format!("Z of {number}: counted {c} − variance {v} ≠ expected cash"), Some(req));
        }
    }
    if let (Some(c), Some(removed), Some(left)) = (counted, int(z, "/cash_removed"), int(z, "/float_left")) {
        if removed + left != c {
            a.flag(format!("Z of {number}: cash removed {removed} + float left {left} ≠ counted {c}"), Some(req));
        }
    }
    if int(z, "/grand_net") != int(z, "/z/grand_sales").zip(int(z, "/z/grand_refunds")).map(|(s, r)| s - r) {
        a.flag(format!("Z of {number}: grand net ≠ grand sales − grand refunds"), Some(req));
    }
    if let Some(row) = a.snap.z_reports.iter().find(|zr| zr.session_id == session.id) {
        let same = int(z, "/z/z_number") == Some(row.z_number)
            && int(z, "/z/grand_sales") == Some(row.grand_sales)
            && int(z, "/z/grand_refunds") == Some(row.grand_refunds)
            && text(z, "/z/first_receipt") == row.first_receipt.as_deref()
            && text(z, "/z/last_receipt") == row.last_receipt.as_deref();
        if !same {
            a.flag(format!("Z of {number} differs from its z_reports row {row:?}"), Some(req));
        }
    }
}

/// Numbering, refunds, totals, Zs and the journal, from the database alone.
fn database_checks(a: &mut Audit) {
    let snap = a.snap;
    // Receipt numbers per register: 1..n, and the counter row at n.
    let mut per_register: BTreeMap<Uuid, Vec<i64>> = BTreeMap::new();
    for s in &snap.sales {
        per_register.entry(s.register_id).or_default().push(s.receipt_seq);
    }
    for (register, mut seqs) in per_register {
        seqs.sort_unstable();
        let n = seqs.len() as i64;
        if seqs.iter().enumerate().any(|(i, s)| *s != i as i64 + 1) {
            a.flag(format!("register {register}: receipt numbers are not 1..{n}: {}", gaps(&seqs)), None);
        }
        let counter = snap.register_counters.iter().find(|(r, _)| *r == register).map(|(_, c)| *c);
        if counter != Some(n) {
            a.flag(format!("register {register}: {n} receipts but its counter row says {counter:?}"), None);
        }
    }
    // Session numbers per location and business day.
    let mut per_day: BTreeMap<(Uuid, String), Vec<i64>> = BTreeMap::new();
    for s in &snap.sessions {
        per_day.entry((s.location_id, s.business_day.clone())).or_default().push(s.day_seq);
    }
    for ((location, day), mut seqs) in per_day {
        seqs.sort_unstable();
        let n = seqs.len() as i64;
        if seqs.iter().enumerate().any(|(i, s)| *s != i as i64 + 1) {
            a.flag(format!("location {location} day {day}: session numbers are not 1..{n}: {}", gaps(&seqs)), None);
        }
        let counter = snap.day_counters.iter().find(|(l, d, _)| *l == location && *d == day).map(|(_, _, c)| *c);
        if counter != Some(n) {
            a.flag(format!("location {location} day {day}: {n} sessions but the day counter says {counter:?}"), None);
        }
    }
    let mut open: BTreeMap<Uuid, Vec<&str>> = BTreeMap::new();
    for s in snap.sessions.iter().filter(|s| s.status == "open") {
        open.entry(s.register_id).or_default().push(&s.number);
    }
    for (register, numbers) in open {
        if numbers.len() > 1 {
            a.flag(format!("register {register} has {} open sessions: {}", numbers.len(), numbers.join(", ")), None);
        }
    }

    // Refunds against their lines.
    let mut refunded: BTreeMap<(Uuid, i64), Taken> = BTreeMap::new();
    for s in snap.sales.iter().filter(|s| s.kind == "refund") {
        let Some(of) = s.refund_of else {
            a.flag(format!("refund {} names no sale", s.number), None);
            continue;
        };
        let lines = a.lines.get(&s.id).cloned().unwrap_or_default();
        for l in lines {
            let Some(line) = l.refund_of_line else {
                a.flag(format!("refund {} line {} names no line of the sale", s.number, l.line_no), None);
                continue;
            };
            let e = refunded.entry((of, line)).or_default();
            e.quantity += l.quantity;
            e.total += l.total;
            e.tax += l.tax;
            e.by.push(&s.number);
        }
    }
    for ((sale_id, line_no), Taken { quantity, total, tax, by }) in &refunded {
        let sale = a.sales_by_id.get(sale_id).map_or("?", |s| s.number.as_str()).to_string();
        let Some(line) = a.lines.get(sale_id).and_then(|ls| ls.iter().find(|l| l.line_no == *line_no)).copied() else {
            a.flag(format!("refunds {} take back line {line_no} of {sale}, which does not exist", by.join(", ")), None);
            continue;
        };
        let who = by.join(", ");
        if *quantity > line.quantity || *total > line.total || *tax > line.tax {
            a.flag(
                format!(
                    "line {line_no} of {sale} (quantity {}, total {}, tax {}) refunded {quantity} units, {total}, tax {tax} by {who}",
                    line.quantity, line.total, line.tax
                ),
                None,
            );
        }
        if *quantity == line.quantity && (*total != line.total || *tax != line.tax) {
            a.flag(
                format!(
                    "line {line_no} of {sale} refunded in full gave back {total} (tax {tax}) where it was {} (tax {}): {who}",
                    line.total, line.tax
                ),
                None,
            );
        }
        let row = snap.line_refunds.iter().find(|r| r.sale_id == *sale_id && r.line_no == *line_no);
        let agrees = row.is_some_and(|r| {
            r.refunded_quantity == *quantity
                && r.refunded_total == *total
                && r.refunded_tax == *tax
                && r.sold_quantity == line.quantity
                && r.sold_total == line.total
                && r.sold_tax == line.tax
        });
        if !agrees {
            a.flag(format!("line {line_no} of {sale}: line_refunds row {row:?} ≠ the refunds' sum ({quantity}, {total}, {tax})"), None);
        }
    }
    for r in &snap.line_refunds {
        if !refunded.contains_key(&(r.sale_id, r.line_no)) {
            a.flag(format!("line_refunds row without a refund: {r:?}"), None);
        }
    }

    // Session totals against their receipts and movements; closes add up.
    let parts = |rows: &[crate::db::SessionPart], id: Uuid| -> BTreeMap<String, (i64, i64, i64, i64)> {
        rows.iter()
            .filter(|p| p.session_id == id)
            .map(|p| (p.name.clone(), (p.count, p.amount, p.net, p.tax)))
            .collect()
    };
    for s in &snap.sessions {
        let r = a.recomputed.get(&s.id).cloned().unwrap_or_default();
        for c in TOTAL_COLUMNS {
            let held = s.totals.get(c).copied().unwrap_or(0);
            let sum = r.columns.get(c).copied().unwrap_or(0);
            if held != sum {
                a.flag(format!("session {}: {c} is {held}, its receipts and movements give {sum}", s.number), None);
            }
        }
        let tenders: BTreeMap<String, (i64, i64, i64, i64)> =
            r.tenders.iter().map(|(k, (c, amt))| (k.clone(), (*c, *amt, 0, 0))).collect();
        let taxes: BTreeMap<String, (i64, i64, i64, i64)> =
            r.taxes.iter().map(|(k, (n, t, g))| (k.clone(), (0, *g, *n, *t))).collect();
        let categories: BTreeMap<String, (i64, i64, i64, i64)> =
            r.categories.iter().map(|(k, (c, amt))| (k.clone(), (*c, *amt, 0, 0))).collect();
        for (what, held, sum) in [
            ("tender totals", parts(&snap.tender_totals, s.id), tenders),
            ("tax totals", parts(&snap.tax_totals, s.id), taxes),
            ("category totals", parts(&snap.category_totals, s.id), categories),
        ] {
            let zero = (0, 0, 0, 0);
            let keys: std::collections::BTreeSet<&String> = held.keys().chain(sum.keys()).collect();
            for k in keys {
                let (h, c) = (held.get(k).unwrap_or(&zero), sum.get(k).unwrap_or(&zero));
                if h != c {
                    a.flag(format!("session {}: {what} {k}: held {h:?}, the receipts give {c:?}", s.number), None);
                }
            }
        }
        if s.status == "closed" {
            if s.count_pending != 0 {
                a.flag(format!("session {} was closed with a count but its count is pending", s.number), None);
            }
            let expected = s.opening_cash + r.columns.get("cash_net").copied().unwrap_or(0);
            if s.expected_cash != Some(expected) {
                a.flag(
                    format!(
                        "session {}: expected cash {:?}, float + cash flows give {expected}",
                        s.number, s.expected_cash
                    ),
                    None,
                );
            }
            if s.counted_cash.zip(s.expected_cash).map(|(c, e)| c - e) != s.variance {
                a.flag(
                    format!(
                        "session {}: counted {:?} − expected {:?} ≠ variance {:?}",
                        s.number, s.counted_cash, s.expected_cash, s.variance
                    ),
                    None,
                );
            }
            if s.cash_removed.zip(s.float_left).map(|(r, f)| r + f) != s.counted_cash {
                a.flag(
                    format!(
                        "session {}: cash removed {:?} + float left {:?} ≠ counted {:?}",
                        s.number, s.cash_removed, s.float_left, s.counted_cash
                    ),
                    None,
                );
            }
            for event in ["session_close", "z_report"] {
                let n = a.entries(event, s.id);
                if n != 1 {
                    a.flag(format!("closed session {} has {n} {event} journal entries", s.number), None);
                }
            }
            let zs = snap.z_reports.iter().filter(|z| z.session_id == s.id).count();
            if zs != 1 {
                a.flag(format!("closed session {} has {zs} Z reports", s.number), None);
            }
        } else if snap.z_reports.iter().any(|z| z.session_id == s.id) {
            a.flag(format!("open session {} has a Z report", s.number), None);
        }
        let opens = a.entries("session_open", s.id);
        if opens != 1 {
            a.flag(format!("session {} has {opens} session_open journal entries", s.number), None);
        }
        let joins = snap.joins.iter().filter(|(j, _)| *j == s.id).count();
        let join_entries = a.entries("session_join", s.id);
        if joins != join_entries {
            a.flag(
                format!("session {}: {joins} joins recorded, {join_entries} session_join journal entries", s.number),
                None,
            );
        }
    }

    // Z numbers per register, grand totals session by session, first and last receipts.
    let mut zs: BTreeMap<Uuid, Vec<&crate::db::ZRow>> = BTreeMap::new();
    for z in &snap.z_reports {
        zs.entry(z.register_id).or_default().push(z);
    }
    for (register, mut list) in zs {
        list.sort_by_key(|z| z.z_number);
        let (mut sales, mut refunds) = (0, 0);
        for (i, z) in list.iter().enumerate() {
            let number = a.number(z.session_id);
            if z.z_number != i as i64 + 1 {
                a.flag(format!("register {register}: Z numbers are not gapless at Z {} ({number})", z.z_number), None);
            }
            let r = a.recomputed.get(&z.session_id).cloned().unwrap_or_default();
            sales += r.columns.get("sales_total").copied().unwrap_or(0);
            refunds += r.columns.get("refunds_total").copied().unwrap_or(0);
            if (z.grand_sales, z.grand_refunds) != (sales, refunds) {
                a.flag(
                    format!("Z {} of register {register} ({number}): grand totals ({}, {}), the sessions' receipts give ({sales}, {refunds})", z.z_number, z.grand_sales, z.grand_refunds),
                    None,
                );
                (sales, refunds) = (z.grand_sales, z.grand_refunds);
            }
            let mut numbers = r.receipts.clone();
            numbers.sort();
            if z.first_receipt.as_ref() != numbers.first() || z.last_receipt.as_ref() != numbers.last() {
                a.flag(
                    format!(
                        "Z {} ({number}): receipts {:?}..{:?}, the session holds {:?}..{:?}",
                        z.z_number,
                        z.first_receipt,
                        z.last_receipt,
                        numbers.first(),
                        numbers.last()
                    ),
                    None,
                );
            }
        }
    }

    // Journal: every chain gapless; no entry for a row that is not there.
    let mut chains: BTreeMap<Uuid, Vec<i64>> = BTreeMap::new();
    for e in &snap.journal {
        chains.entry(e.chain_id).or_default().push(e.seq);
    }
    for (chain, mut seqs) in chains {
        seqs.sort_unstable();
        if seqs.iter().enumerate().any(|(i, s)| *s != i as i64 + 1) {
            a.flag(format!("journal chain {chain} is not 1..{}: {}", seqs.len(), gaps(&seqs)), None);
        }
    }
    for e in &snap.journal {
        let Some(r) = e.ref_id else { continue };
        let known = match e.event.as_str() {
            "sale" | "refund" => a.sales_by_id.contains_key(&r),
            "paid_in" | "paid_out" | "drop" | "no_sale" => snap.movements.iter().any(|m| m.id == r),
            "session_open" | "session_join" | "session_close" | "z_report" | "count_refused" => {
                a.sessions_by_id.contains_key(&r)
            }
            _ => true,
        };
        if !known {
            a.flag(
                format!(
                    "journal entry {} #{} ({}) names {r}, which the database does not hold",
                    e.chain_id, e.seq, e.event
                ),
                None,
            );
        }
    }
}

/// What refunds took back of one sold line, and which refunds.
#[derive(Default)]
struct Taken<'a> {
    quantity: i64,
    total: i64,
    tax: i64,
    by: Vec<&'a str>,
}

/// `1 2 4 4 7` → where the sequence breaks.
fn gaps(seqs: &[i64]) -> String {
    let mut out = Vec::new();
    for (i, s) in seqs.iter().enumerate() {
        if *s != i as i64 + 1 {
            out.push(format!("position {} holds {s}", i + 1));
            if out.len() == 5 {
                break;
            }
        }
    }
    out.join(", ")
}
