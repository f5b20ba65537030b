//! `tillctl bench`: throughput and latency of the store's atomic operations against a real
//! database, with the invariants audited afterwards. A measurement, not a test: compare it with
//! a reference measured in the same run (scripts/bench does, with pgbench).
//!
//! It calls the store directly with an already-authenticated user: PIN hashing (argon2, tens of
//! milliseconds by design) is not what is being measured.

// Latencies and rates are measurements, not money: floating point is fine here and only here.
#![allow(clippy::float_arithmetic, clippy::cast_precision_loss)]

mod capacity;

use crate::output::Printable;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use till_core::service;
use till_core::*;
use tokio::sync::Barrier;

#[derive(Debug, Clone, Copy, ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// start_shift on registers whose session is already open (one register per client), each
    /// call a new request (recorded, so that its retry answers it after a close).
    Join,
    /// The same join request again and again (the app's resume, a retry whose answer was
    /// lost): recorded by the first call, answered by the others without writing anything.
    Rejoin,
    /// start + close on many registers (one register per client).
    Cycle,
    /// all clients call start_shift on one register at once, then it is closed; repeated.
    Storm,
    /// record_sale of a priced 5-line cart (two tax rates, split tender with change) into each
    /// client's register's open session (one register per client): the store's atomic
    /// operation, as the app and tillctl call it after pricing.
    Sale,
    /// Barcode lookups (`find_product`, as a scan does) in a catalog of `--catalog` products,
    /// one at a time: the scan path's database read at a big store's scale.
    Lookup,
    /// `session_totals` (what the session view and the close read) of a session holding
    /// `--sales` receipts recorded through `record_receipt`: they come from running totals,
    /// so the time must not grow with the session.
    Totals,
    /// SQLite only, the reference for `sale`: one row inserted per `BEGIN IMMEDIATE`
    /// transaction on the same kind of file (WAL, synchronous=FULL, one writer connection).
    RawInsert,
    /// SQLite only, the schema's floor for `sale`: the rows one 5-line sale writes (the
    /// register's counter, the receipt, its lines, tenders and taxes, the session's running
    /// totals and its tender, tax and category totals, the journal entry and head), copied
    /// from a sale Till recorded first, in one plain `BEGIN IMMEDIATE` transaction with no
    /// checks, on the same kind of file and writer.
    SaleFloor,
    /// How many registers one database carries: N simulated registers selling at Poisson
    /// arrivals (one sale per 20 s each, 1-10 lines, 2 % refunds, shifts closing and
    /// reopening), N doubling from 250 up to `--clients`, `--seconds` each, until the sale p99
    /// is above 100 ms. Minutes, not seconds.
    Capacity,
    /// What guessing a PIN offline costs someone who copied a stored hash (SQLite's file holds
    /// them): wrong PINs tried against a hash made as Till makes them, on one core, for
    /// `--seconds`; the database is not used.
    PinGuess,
}

/// PinGuess only: the time one wrong guess takes, and every PIN of a length tried on one core.
#[derive(Debug, Serialize)]
pub struct PinGuessCost {
    pub ms_per_guess: f64,
    pub core_hours_all_4_digit_pins: f64,
    pub core_hours_all_6_digit_pins: f64,
    pub core_hours_all_8_digit_pins: f64,
}

/// Tries wrong PINs against one hash for `seconds` (at least 5 guesses), on this thread.
fn pin_guess(seconds: u64) -> Result<(Tally, PinGuessCost), TillError> {
    let hash = Pin::parse("73914")?.hash();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tally = Tally::default();
    let mut guess: u32 = 0;
    while Instant::now() < deadline || tally.operations < 5 {
        let began = Instant::now();
        let candidate = Pin::parse(&format!("{:04}", guess % 10_000))?;
        if candidate.matches(&hash) {
            tally.errors += 1; // never: the stored PIN has five digits
        }
        tally.latencies.push(began.elapsed());
        tally.operations += 1;
        guess += 1;
    }
    let spent: Duration = tally.latencies.iter().sum();
    let ms = spent.as_secs_f64() * 1000.0 / tally.operations.max(1) as f64;
    let hours = |digits: i32| 10f64.powi(digits) * ms / 3_600_000.0;
    let cost = PinGuessCost {
        ms_per_guess: ms,
        core_hours_all_4_digit_pins: hours(4),
        core_hours_all_6_digit_pins: hours(6),
        core_hours_all_8_digit_pins: hours(8),
    };
    Ok((tally, cost))
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    #[arg(long, value_enum)]
    pub workload: Workload,
    /// Concurrent clients (each with its own connection on PostgreSQL).
    #[arg(long, default_value_t = 8)]
    pub clients: u32,
    /// How long to run join and cycle.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// How many storms (rounds) to run.
    #[arg(long, default_value_t = 50)]
    pub rounds: u32,
    /// Spread the registers over this many locations (join, cycle). Numbers are gapless per
    /// location and day, so starts at one location wait for each other's commit: 1 measures
    /// that worst case, one location per client measures a chain's server.
    #[arg(long, default_value_t = 1)]
    pub locations: u32,
    /// Client threads for join and cycle, each with its own single-threaded runtime and its
    /// own connections (like pgbench -j): the clients are split among them.
    #[arg(long, default_value_t = 2)]
    pub threads: u32,
    /// Lookup: how many products the catalog holds.
    #[arg(long, default_value_t = 50_000)]
    pub catalog: u32,
    /// Totals: how many receipts the session holds (then the X report is timed, the session is
    /// closed, and the Z report is timed).
    #[arg(long, default_value_t = 100_000)]
    pub sales: u32,
}

#[derive(Debug, Serialize)]
pub struct ReportTimes {
    pub x_p50_ms: f64,
    pub x_p99_ms: f64,
    pub z_p50_ms: f64,
    pub z_p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub workload: Workload,
    pub backend: &'static str,
    pub clients: u32,
    pub locations: u32,
    pub operations: u64,
    /// Committed transactions (a cycle is two: start and close).
    pub commits: u64,
    pub errors: u64,
    pub seconds: f64,
    pub ops_per_sec: f64,
    pub commits_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Storm only: rounds in which exactly one caller created the session and all got its id.
    pub storms_correct: Option<u32>,
    /// Totals only: the X report (open session) and the Z report (after its close), 200 each.
    pub reports: Option<ReportTimes>,
    /// PinGuess only.
    pub pin_guess: Option<PinGuessCost>,
    /// Capacity only.
    pub capacity: Option<capacity::CapacityReport>,
    pub invariants: InvariantReport,
}

impl Printable for BenchReport {
    fn human(&self) -> String {
        let storms = self.storms_correct.map(|n| format!("\n  storms correct {n}")).unwrap_or_default();
        let guessing = self
            .pin_guess
            .as_ref()
            .map(|g| {
                format!(
                    "\n  one wrong PIN {:.1} ms on one core: every 4-digit PIN {:.2} core-hours, 6 digits {:.0}, 8 digits {:.0}",
                    g.ms_per_guess, g.core_hours_all_4_digit_pins, g.core_hours_all_6_digit_pins, g.core_hours_all_8_digit_pins
                )
            })
            .unwrap_or_default();
        let carried = self
            .capacity
            .as_ref()
            .map(|c| {
                let steps: String = c
                    .steps
                    .iter()
                    .map(|s| {
                        format!(
                            "\n  {} registers: {} sales p50 {:.1} ms p99 {:.1} ms, {} refunds p99 {:.1} ms, {} shift changes, {} errors",
                            s.registers, s.sales, s.sale_p50_ms, s.sale_p99_ms, s.refunds, s.refund_p99_ms, s.shift_changes, s.errors
                        )
                    })
                    .collect();
                let answer = c.registers.map_or("none: the first step's sale p99 was above 100 ms".into(), |n| n.to_string());
                format!("{steps}\n  largest N with sale p99 <= 100 ms: {answer}\n  machine: {}", c.machine)
            })
            .unwrap_or_default();
        let storms = storms + &guessing + &carried;
        format!(
            "bench {:?} on {} with {} clients, {} location(s)\n  operations {} in {:.2} s: {:.0} ops/s ({:.0} commits/s)\n  latency p50 {:.3} ms, p99 {:.3} ms\n  errors {}{storms}\n  invariants {}",
            self.workload,
            self.backend,
            self.clients,
            self.locations,
            self.operations,
            self.seconds,
            self.ops_per_sec,
            self.commits_per_sec,
            self.p50_ms,
            self.p99_ms,
            self.errors,
            if self.invariants.is_clean() { "hold (checked after the run)".to_string() } else { format!("BROKEN: {:?}", self.invariants) },
        )
    }
}

struct Fixture {
    registers: Vec<RegisterId>,
    /// The admin's login on [`OPENER`] (opens, closes, storms) and on [`CLIENT`] (joins, sales).
    opener: LoginToken,
    client: LoginToken,
}

/// The device that opens the registers, and the one the clients act from.
const OPENER: &str = "bench";
const CLIENT: &str = "bench-client";

/// A benchmark location: UTC, US dollars.
async fn add_location(store: &dyn Store, code: &str) -> Result<(), TillError> {
    let location = service::LocationInput {
        code,
        name: "Benchmark",
        time_zone: Some("UTC"),
        cutoff: None,
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    service::add_location(store, location).await.map(drop)
}

/// Fresh locations per run (codes B + 7 digits), `registers` spread over them round-robin, and
/// an admin user.
async fn fixture(store: &dyn Store, locations: u32, registers: u32) -> Result<Fixture, TillError> {
    let stamp = till_core::clock::system_now().timestamp_micros().rem_euclid(1_000_000);
    let codes: Vec<String> = (0..locations.max(1)).map(|i| format!("B{stamp:06}{i}")).collect();
    for code in &codes {
        add_location(store, code).await?;
    }
    let mut made = Vec::new();
    for i in 0..registers {
        let code = &codes[i as usize % codes.len()];
        made.push(service::add_register(store, code, &format!("R{i}"), None).await?.id);
    }
    let name = format!("bench{stamp}");
    service::add_user(store, &name, "admin", "0000").await?;
    let opener = service::authenticate(store, &name, "0000", &DeviceName::parse(OPENER)?).await?.login;
    let client = service::authenticate(store, &name, "0000", &DeviceName::parse(CLIENT)?).await?.login;
    Ok(Fixture { registers: made, opener, client })
}

fn start(register: RegisterId, login: &LoginToken, device: &DeviceName) -> StartShift {
    StartShift {
        request_id: RequestId::new(),
        register_id: register,
        login: login.clone(),
        opening_cash: Some(Money::from_minor(10_000, Currency::USD)),
        device: device.clone(),
        notes: None,
    }
}

fn close_of(session: SessionId, login: &LoginToken, device: &DeviceName) -> CloseShift {
    CloseShift {
        request_id: RequestId::new(),
        session,
        actor: Actor::login(login),
        counted_cash: Money::from_minor(10_000, Currency::USD),
        device: device.clone(),
        float_left: Money::from_minor(10_000, Currency::USD),
        denominations: Vec::new(),
        sign_off: None,
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    operations: u64,
    commits: u64,
    errors: u64,
}

impl Tally {
    /// One operation that committed, begun at `began`.
    fn committed(&mut self, began: Instant) {
        self.latencies.push(began.elapsed());
        self.operations += 1;
        self.commits += 1;
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.operations += other.operations;
        self.commits += other.commits;
        self.errors += other.errors;
    }
}

/// Runs one client's loop until the deadline.
async fn client(
    store: Arc<dyn Store>,
    workload: Workload,
    register: RegisterId,
    user: LoginToken,
    sale: Option<NewReceipt>,
    deadline: Instant,
) -> Tally {
    // Not the opener's device: a join by another device records itself once, then only reads.
    let device = DeviceName::parse(CLIENT).unwrap_or_else(|_| unreachable!("a valid literal"));
    let rejoin = start(register, &user, &device);
    let mut tally = Tally::default();
    while Instant::now() < deadline {
        let began = Instant::now();
        let ok = match (workload, &sale) {
            (Workload::Sale, Some(template)) => {
                let id = ReceiptId::new();
                let receipt = NewReceipt { id, request_hash: id.to_string(), ..template.clone() };
                store.record_receipt(receipt).await.is_ok()
            }
            (Workload::Join, _) => store.start_shift(start(register, &user, &device)).await.is_ok(),
            (Workload::Rejoin, _) => store.start_shift(rejoin.clone()).await.is_ok(),
            _ => match store.start_shift(start(register, &user, &device)).await {
                Ok(started) => store.close_shift(close_of(started.session.id, &user, &device)).await.is_ok(),
                Err(_) => false,
            },
        };
        tally.latencies.push(began.elapsed());
        tally.operations += 1;
        if ok {
            tally.commits += if matches!(workload, Workload::Cycle) { 2 } else { 1 };
        } else {
            tally.errors += 1;
        }
    }
    tally
}

/// Runs `clients` loops for the registers given, on `threads` OS threads, each with a
/// single-threaded runtime and its own store (its own connections), until the deadline.
fn run_threads(
    url: &str,
    args: &BenchArgs,
    registers: &[(RegisterId, Option<NewReceipt>)],
    user: LoginToken,
    deadline: Instant,
) -> Result<Tally, TillError> {
    let threads = args.threads.clamp(1, u32::try_from(registers.len()).unwrap_or(u32::MAX).max(1)) as usize;
    let chunks: Vec<Vec<(RegisterId, Option<NewReceipt>)>> =
        (0..threads).map(|t| registers.iter().skip(t).step_by(threads).cloned().collect()).collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let (url, workload, user) = (url.to_string(), args.workload, user.clone());
            std::thread::spawn(move || -> Result<Tally, TillError> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| StoreFailure::Internal(format!("bench runtime: {e}")))?;
                runtime.block_on(async move {
                    let options = StoreOptions {
                        migrate: false,
                        max_connections: u32::try_from(chunk.len()).unwrap_or(u32::MAX),
                        ..StoreOptions::default()
                    };
                    let store = till_backend::open(&url, &options).await?;
                    let loops: Vec<_> = chunk
                        .iter()
                        .map(|(r, sale)| {
                            tokio::spawn(client(store.clone(), workload, *r, user.clone(), sale.clone(), deadline))
                        })
                        .collect();
                    let mut tally = Tally::default();
                    for one in loops {
                        tally
                            .merge(one.await.map_err(|e| StoreFailure::Internal(format!("bench client failed: {e}")))?);
                    }
                    Ok(tally)
                })
            })
        })
        .collect();
    let mut tally = Tally::default();
    for handle in handles {
        tally.merge(handle.join().map_err(|_| StoreFailure::Internal("a bench thread panicked".into()))??);
    }
    Ok(tally)
}

pub async fn run(shared: Arc<dyn Store>, url: &str, args: &BenchArgs) -> Result<BenchReport, TillError> {
    let clients = args.clients.max(1);
    let registers = if matches!(args.workload, Workload::Storm) { 1 } else { clients };
    let store = shared.as_ref();
    let locations = if matches!(args.workload, Workload::Storm) { 1 } else { args.locations.clamp(1, registers) };
    let fx = if matches!(args.workload, Workload::RawInsert | Workload::PinGuess | Workload::Capacity) {
        // Nothing acts as a user: these logins are never used.
        Fixture {
            registers: Vec::new(),
            opener: LoginToken::new(String::new()),
            client: LoginToken::new(String::new()),
        }
    } else {
        fixture(store, locations, registers).await?
    };
    let device = DeviceName::parse(OPENER)?;
    if matches!(
        args.workload,
        Workload::Join | Workload::Rejoin | Workload::Sale | Workload::SaleFloor | Workload::Totals
    ) {
        for register in &fx.registers {
            store.start_shift(start(*register, &fx.opener, &device)).await?;
        }
    }
    let mut clients_of: Vec<(RegisterId, Option<NewReceipt>)> = fx.registers.iter().map(|r| (*r, None)).collect();
    if matches!(args.workload, Workload::Sale | Workload::SaleFloor) {
        // A cashier per register, as in a store: each register's sales act through its own
        // cashier's login (a login shared by every client would share-lock one user's row from
        // all of them at once, which no store does).
        let stamp = till_core::clock::system_now().timestamp_micros().rem_euclid(1_000_000);
        let client = DeviceName::parse(CLIENT)?;
        for (i, (register, sale)) in clients_of.iter_mut().enumerate() {
            let name = format!("c{stamp}_{i}");
            service::add_user(store, &name, "cashier", "0000").await?;
            let login = service::authenticate(store, &name, "0000", &client).await?.login;
            *sale = Some(sale_template(store, *register, &login).await?);
        }
    }
    let mut tally = Tally::default();
    let mut storms_correct = None;
    let mut reports = None;
    let mut pin_guess_cost = None;
    let mut carried = None;
    let began = Instant::now();
    match args.workload {
        Workload::RawInsert => {
            tally = raw_insert(url, args).await?;
        }
        Workload::Capacity => {
            let (all, report) = capacity::run(url, args).await?;
            tally = all;
            carried = Some(report);
        }
        Workload::SaleFloor => {
            if store.kind() != BackendKind::Sqlite {
                return Err(Refusal::Rejected(
                    "the sale-floor workload is SQLite's; PostgreSQL's floor is scripts/bench's pgbench script".into(),
                )
                .into());
            }
            let template = clients_of.first().and_then(|(_, sale)| sale.clone()).ok_or_else(|| {
                StoreFailure::Internal("the sale-floor workload needs one register's sale template".into())
            })?;
            // One sale through Till first: the floor copies its rows.
            store.record_receipt(NewReceipt { request_hash: template.id.to_string(), ..template.clone() }).await?;
            tally = sale_floor(url, &template, args).await?;
        }
        Workload::PinGuess => {
            let seconds = args.seconds;
            let (guessed, cost) = tokio::task::spawn_blocking(move || pin_guess(seconds))
                .await
                .map_err(|e| StoreFailure::Internal(format!("bench thread failed: {e}")))??;
            tally = guessed;
            pin_guess_cost = Some(cost);
        }
        Workload::Join | Workload::Rejoin | Workload::Cycle | Workload::Sale => {
            let deadline = Instant::now() + Duration::from_secs(args.seconds);
            let (url, args, registers, user) = (url.to_string(), args.clone(), clients_of.clone(), fx.client.clone());
            tally = tokio::task::spawn_blocking(move || run_threads(&url, &args, &registers, user, deadline))
                .await
                .map_err(|e| StoreFailure::Internal(format!("bench threads failed: {e}")))??;
        }
        Workload::Lookup => tally = lookups(store, &fx, args.catalog).await?,
        Workload::Totals => {
            let (read, times) = totals(shared.clone(), &fx, clients, args.sales).await?;
            tally = read;
            reports = Some(times);
        }
        Workload::Storm => {
            let mut correct = 0;
            for _ in 0..args.rounds {
                let barrier = Arc::new(Barrier::new(clients as usize));
                let tasks: Vec<_> = (0..clients)
                    .map(|_| {
                        let (store, barrier, device, register, opener) =
                            (shared.clone(), barrier.clone(), device.clone(), fx.registers[0], fx.opener.clone());
                        tokio::spawn(async move {
                            barrier.wait().await;
                            let began = Instant::now();
                            let result = store.start_shift(start(register, &opener, &device)).await;
                            (began.elapsed(), result)
                        })
                    })
                    .collect();
                let mut created = 0;
                let mut ids = std::collections::HashSet::new();
                for task in tasks {
                    let (elapsed, result) =
                        task.await.map_err(|e| StoreFailure::Internal(format!("bench client failed: {e}")))?;
                    tally.latencies.push(elapsed);
                    tally.operations += 1;
                    match result {
                        Ok(started) => {
                            tally.commits += 1;
                            created += u32::from(!started.joined);
                            ids.insert(started.session.id);
                        }
                        Err(_) => tally.errors += 1,
                    }
                }
                if created == 1 && ids.len() == 1 {
                    correct += 1;
                }
                if let Some(id) = ids.into_iter().next() {
                    store.close_shift(close_of(id, &fx.opener, &device)).await?;
                }
            }
            storms_correct = Some(correct);
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    tally.latencies.sort();
    let percentile = |p: usize| {
        tally.latencies.get((tally.latencies.len().saturating_sub(1)) * p / 100).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let per_sec = |n: u64| n as f64 / seconds;
    Ok(BenchReport {
        workload: args.workload,
        backend: store.kind().as_str(),
        clients,
        locations,
        operations: tally.operations,
        commits: tally.commits,
        errors: tally.errors,
        seconds,
        ops_per_sec: per_sec(tally.operations),
        commits_per_sec: per_sec(tally.commits),
        p50_ms: percentile(50),
        p99_ms: percentile(99),
        storms_correct,
        reports,
        pin_guess: pin_guess_cost,
        capacity: carried,
        invariants: store.check_invariants().await?,
    })
}

/// The benchmark's catalog at a location: two tax rates and five products (P0 to P4).
async fn add_catalog(store: &dyn Store, location: &str) -> Result<Vec<Product>, TillError> {
    service::add_tax_rate(store, location, "TAX", "Sales tax", "8.875").await?;
    service::add_tax_rate(store, location, "FOOD", "Groceries", "0").await?;
    let mut products = Vec::new();
    for (i, price) in ["4.50", "2.95", "2.29", "12.99", "0.35"].iter().enumerate() {
        let (sku, barcode) = (format!("P{i}"), [format!("99000{i}")]);
        let tax = if i % 2 == 0 { "TAX" } else { "FOOD" };
        let input =
            service::ProductInput { sku: &sku, name: &sku, price, tax_rate: tax, category: None, barcodes: &barcode };
        products.push(service::add_product(store, location, input).await?);
    }
    Ok(products)
}

/// The benchmark's catalog at a register's location (two tax rates, five products), and a
/// 5-line sale priced from it with a split tender and change, as `record_sale` builds it.
async fn sale_template(store: &dyn Store, register: RegisterId, user: &LoginToken) -> Result<NewReceipt, TillError> {
    let register = store.find_register(&RegisterRef::Id(register)).await?;
    let location = LocationCode::parse(&register.location_code)?;
    if store.list_tax_rates(&location).await?.is_empty() {
        add_catalog(store, location.as_str()).await?;
    }
    let session = store
        .latest_session(register.id)
        .await?
        .ok_or_else(|| Refusal::NoOpenSession { register: register.address.clone() })?;
    let settings = store.pricing_settings(&location).await?;
    let mut lines = Vec::new();
    for i in 0..5 {
        let product = store.find_product(&location, &ProductKey::Sku(Sku::parse(&format!("P{i}"))?)).await?;
        lines.push(CartLine { product: product.snapshot(), quantity: 2, discount: None, price_override: None });
    }
    let priced = price_cart(&settings, &Cart { lines, receipt_discount: None })?;
    let tenders =
        [Tender::Card { amount: 1000, approval_reference: "BENCH".into() }, Tender::Cash { amount: priced.total }];
    let settled = settle(&priced, &tenders)?;
    let header = ReceiptHeader {
        id: ReceiptId::new(),
        session_id: session.id,
        register_id: register.id,
        actor: Actor::login(user),
        device: CLIENT.into(),
        request_hash: String::new(),
    };
    Ok(NewReceipt::sale(header, &priced, &settled))
}

/// Times 2,000 barcode lookups of random products in a catalog of `size` products (imported
/// in batches of 5,000, as `tillctl product import` saves them). Every lookup must find its
/// product.
async fn lookups(store: &dyn Store, fx: &Fixture, size: u32) -> Result<Tally, TillError> {
    let register = store.find_register(&RegisterRef::Id(fx.registers[0])).await?;
    let location = LocationCode::parse(&register.location_code)?;
    let rate = match store.list_tax_rates(&location).await?.into_iter().next() {
        Some(rate) => rate,
        None => service::add_tax_rate(store, location.as_str(), "TAX", "Sales tax", "8.875").await?,
    };
    let barcode = |i: u32| Barcode::parse(&format!("20{i:010}"));
    for start in (0..size).step_by(5_000) {
        let batch = (start..size.min(start + 5_000))
            .map(|i| {
                Ok(NewProduct {
                    sku: Sku::parse(&format!("L{i}"))?,
                    name: format!("Product {i}"),
                    price: Money::from_minor(i64::from(100 + i % 5_000), register.currency),
                    tax_rate: rate.id,
                    category: None,
                    barcodes: vec![barcode(i)?],
                    active: true,
                })
            })
            .collect::<Result<Vec<_>, TillError>>()?;
        store.save_products(&location, batch).await?;
    }
    let mut tally = Tally::default();
    // A fixed-seed walk over the catalog (no rand dependency): spreads the lookups across it.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..2_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = u32::try_from(x % u64::from(size.max(1))).unwrap_or(0);
        let began = Instant::now();
        let found = store.find_product(&location, &ProductKey::Barcode(barcode(i)?)).await;
        tally.latencies.push(began.elapsed());
        tally.operations += 1;
        match found {
            Ok(product) if product.sku.as_str() == format!("L{i}") => {}
            _ => tally.errors += 1,
        }
    }
    Ok(tally)
}

fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |p: usize| times.get(times.len().saturating_sub(1) * p / 100).map_or(0.0, |d| d.as_secs_f64() * 1e3);
    (at(50), at(99))
}

/// Records `sales` receipts into one register's open session (`clients` writers at once), then
/// times 200 reads of its totals (checking they count every receipt), 200 X reports, the close,
/// and 200 Z reports.
async fn totals(
    shared: Arc<dyn Store>,
    fx: &Fixture,
    clients: u32,
    sales: u32,
) -> Result<(Tally, ReportTimes), TillError> {
    let store = shared.as_ref();
    let register = fx.registers[0];
    let template = sale_template(store, register, &fx.client).await?;
    let writers: Vec<_> = (0..clients.max(1))
        .map(|w| {
            let (store, template) = (shared.clone(), template.clone());
            let share = sales / clients.max(1) + u32::from(w < sales % clients.max(1));
            tokio::spawn(async move {
                for _ in 0..share {
                    let id = ReceiptId::new();
                    store.record_receipt(NewReceipt { id, request_hash: id.to_string(), ..template.clone() }).await?;
                }
                Ok::<(), StoreError>(())
            })
        })
        .collect();
    for writer in writers {
        writer.await.map_err(|e| StoreFailure::Internal(format!("bench writer failed: {e}")))??;
    }
    let mut tally = Tally::default();
    for _ in 0..200 {
        let began = Instant::now();
        let read = store.session_totals(template.session_id).await;
        tally.latencies.push(began.elapsed());
        tally.operations += 1;
        match read {
            Ok(t) if t.sales_count == i64::from(sales) && t.sales_total == i64::from(sales) * template.total => {}
            _ => tally.errors += 1,
        }
    }
    let session = SessionRef::Id(template.session_id);
    let mut x_times = Vec::new();
    for _ in 0..200 {
        let began = Instant::now();
        let x = service::x_report(store, &session, service::Asker::It("bench")).await?;
        x_times.push(began.elapsed());
        if x.sales.receipts != i64::from(sales) {
            tally.errors += 1;
        }
    }
    let expected = store.session_totals(template.session_id).await?.expected_cash;
    let currency = store.find_session(&session).await?.currency;
    let close = CloseShift {
        float_left: Money::from_minor(0, currency),
        counted_cash: Money::from_minor(expected, currency),
        ..close_of(template.session_id, &fx.opener, &DeviceName::parse(OPENER)?)
    };
    store.close_shift(close).await?;
    let mut z_times = Vec::new();
    for _ in 0..200 {
        let began = Instant::now();
        let z = service::z_report(store, &session, service::Asker::It("bench")).await?;
        z_times.push(began.elapsed());
        if z.z.z_number != 1 || z.x.sales.receipts != i64::from(sales) {
            tally.errors += 1;
        }
    }
    let ((x_p50_ms, x_p99_ms), (z_p50_ms, z_p99_ms)) = (percentiles(x_times), percentiles(z_times));
    Ok((tally, ReportTimes { x_p50_ms, x_p99_ms, z_p50_ms, z_p99_ms }))
}

/// One writer connection to the SQLite file at `url` as Till's store writes (WAL,
/// synchronous=FULL), for the references that write without Till.
async fn sqlite_writer(url: &str) -> Result<sqlx::SqlitePool, sqlx::Error> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    use std::str::FromStr;
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    SqlitePoolOptions::new().max_connections(1).connect_with(options).await
}

/// The SQLite reference: one row per `BEGIN IMMEDIATE` transaction, WAL, synchronous=FULL, one
/// writer connection (as Till's store writes), for as long as the other workloads run.
async fn raw_insert(url: &str, args: &BenchArgs) -> Result<Tally, TillError> {
    let fail = |e: sqlx::Error| StoreFailure::Internal(format!("raw insert: {e}"));
    let pool = sqlite_writer(url).await.map_err(fail)?;
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_write (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
        .execute(&pool)
        .await
        .map_err(fail)?;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut tally = Tally::default();
    while Instant::now() < deadline {
        let began = Instant::now();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(fail)?;
        sqlx::query("INSERT INTO bench_write (v) VALUES (1)").execute(&mut *tx).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tally.committed(began);
    }
    pool.close().await;
    Ok(tally)
}

/// SQLite's floor for a sale: the rows `record_receipt` writes for `recorded` (already
/// recorded once), written again under a fresh id for `--seconds`, each copy in one plain
/// `BEGIN IMMEDIATE` transaction on one writer connection (WAL, synchronous=FULL, as Till's
/// store writes). The values are read from the recorded receipt's rows by key (a few
/// microseconds: no JSON, no checks); the journal entry's hash is computed as Till's is.
async fn sale_floor(url: &str, recorded: &NewReceipt, args: &BenchArgs) -> Result<Tally, TillError> {
    use sqlx::Row as _;
    let fail = |e: sqlx::Error| StoreFailure::Internal(format!("sale floor: {e}"));
    let pool = sqlite_writer(url).await.map_err(fail)?;
    // `INSERT INTO t (every column) SELECT (every column, the receipt's own values replaced)
    // FROM t WHERE <the recorded receipt>`, for each of the receipt's tables.
    let mut copies = Vec::new();
    for (table, key, own) in [
        (
            "sales",
            "id",
            &[("id", "?1"), ("number", "?2"), ("receipt_seq", "?3"), ("at", "?4"), ("request_hash", "?5")][..],
        ),
        ("sale_lines", "sale_id", &[("sale_id", "?1")][..]),
        ("sale_tenders", "sale_id", &[("sale_id", "?1")][..]),
        ("sale_taxes", "sale_id", &[("sale_id", "?1")][..]),
    ] {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .bind(table)
            .fetch_all(&pool)
            .await
            .map_err(fail)?;
        let values: Vec<&str> = columns
            .iter()
            .map(|c| own.iter().find(|(name, _)| name == c).map_or(c.as_str(), |(_, param)| param))
            .collect();
        copies.push(format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {key} = ?6",
            columns.join(", "),
            values.join(", ")
        ));
    }
    let template = sqlx::query(
        "SELECT s.number, j.body, j.device, j.user_id, j.event FROM sales s
           JOIN journal j ON j.chain_id = s.register_id AND j.ref_id = s.id WHERE s.id = ?1",
    )
    .bind(recorded.id.0)
    .fetch_one(&pool)
    .await
    .map_err(fail)?;
    let number: String = template.try_get("number").map_err(fail)?;
    let body: String = template.try_get("body").map_err(fail)?;
    let device: String = template.try_get("device").map_err(fail)?;
    let user: Option<uuid::Uuid> = template.try_get("user_id").map_err(fail)?;
    let event: String = template.try_get("event").map_err(fail)?;
    let prefix = number.rsplit_once('-').map_or(number.as_str(), |(prefix, _)| prefix).to_string();
    let cash: i64 = recorded.tenders.iter().filter(|t| t.kind == "cash").map(|t| t.amount).sum();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut tally = Tally::default();
    while Instant::now() < deadline {
        let began = Instant::now();
        let id = ReceiptId::new();
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(fail)?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO register_counters (register_id, last_receipt) VALUES (?1, 1)
             ON CONFLICT (register_id) DO UPDATE SET last_receipt = last_receipt + 1 RETURNING last_receipt",
        )
        .bind(recorded.register_id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        let at = till_core::clock::system_now();
        for copy in &copies {
            sqlx::query(copy)
                .bind(id.0)
                .bind(format!("{prefix}-{seq:06}"))
                .bind(seq)
                .bind(at)
                .bind(id.to_string())
                .bind(recorded.id.0)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        sqlx::query(
            "UPDATE sessions SET cash_net = cash_net + ?2, sales_count = sales_count + 1, sales_total = sales_total + ?3,
                discounts_total = discounts_total + ?4, tax_total = tax_total + ?5, rounding_total = rounding_total + ?6,
                discounts_count = discounts_count + ?7, cash_sales = cash_sales + ?8, change_given = change_given + ?9
             WHERE id = ?1",
        )
        .bind(recorded.session_id.0)
        .bind(recorded.cash_net)
        .bind(recorded.total)
        .bind(recorded.discount)
        .bind(recorded.tax)
        .bind(recorded.rounding)
        .bind(i64::from(recorded.discount > 0))
        .bind(cash)
        .bind(recorded.change)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        for totals in [
            "INSERT INTO session_tender_totals (session_id, kind, count, amount)
             SELECT ?1, kind, count(*), sum(amount) FROM sale_tenders WHERE sale_id = ?2 GROUP BY kind
             ON CONFLICT (session_id, kind) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount",
            "INSERT INTO session_tax_totals (session_id, tax_rate_id, name, rate_ppm, net, tax, gross)
             SELECT ?1, tax_rate_id, name, rate_ppm, net, tax, gross FROM sale_taxes WHERE sale_id = ?2
             ON CONFLICT (session_id, tax_rate_id) DO UPDATE SET net = net + excluded.net, tax = tax + excluded.tax,
                gross = gross + excluded.gross",
            "INSERT INTO session_category_totals (session_id, category, count, amount)
             SELECT ?1, category, sum(quantity), sum(amount) FROM sale_lines WHERE sale_id = ?2 GROUP BY category
             ON CONFLICT (session_id, category) DO UPDATE SET count = count + excluded.count, amount = amount + excluded.amount",
        ] {
            sqlx::query(totals).bind(recorded.session_id.0).bind(id.0).execute(&mut *tx).await.map_err(fail)?;
        }
        let head = sqlx::query("SELECT seq, hash FROM journal_heads WHERE chain_id = ?1")
            .bind(recorded.register_id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
        let (last, prev): (i64, String) = (head.try_get("seq").map_err(fail)?, head.try_get("hash").map_err(fail)?);
        let hash = till_core::journal::entry_hash(&prev, &body);
        sqlx::query(
            "INSERT INTO journal (chain_id, seq, at, device, user_id, event, ref_id, body, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(recorded.register_id.0)
        .bind(last + 1)
        .bind(at)
        .bind(&device)
        .bind(user)
        .bind(&event)
        .bind(id.0)
        .bind(&body)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        sqlx::query("UPDATE journal_heads SET seq = ?2, hash = ?3 WHERE chain_id = ?1")
            .bind(recorded.register_id.0)
            .bind(last + 1)
            .bind(&hash)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tally.committed(began);
    }
    pool.close().await;
    Ok(tally)
}
