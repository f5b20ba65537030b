//! `tillctl bench --workload capacity`: how many registers one store server carries. N
//! simulated registers share one database (through a pool of connections, as a pooler would
//! give them): each sells at Poisson arrivals, one sale every 20 s on average, carts of 1 to 10
//! lines; 2 % of arrivals refund a line of that register's last sale with a manager's PIN
//! (checked by the store), and a shift closes and reopens at one arrival in 1,440 (an 8-hour
//! shift). N doubles from 250 up to `--clients`, `--seconds` each, until a step's sale p99 is
//! above 100 ms, then the gap is halved to within an eighth; the largest N that stayed within it
//! is the answer. Not a test: minutes, not seconds. Cash movements are not simulated.

// Latencies and rates are measurements, not money: floating point is fine here and only here.
#![allow(clippy::float_arithmetic, clippy::cast_precision_loss)]

use super::{add_catalog, add_location, close_of, percentiles, start, BenchArgs, Tally, CLIENT};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use till_core::service::{self, RefundLineRequest, RefundReason, RefundReasonKind, RefundRequest, RefundTender, Till};
use till_core::*;

/// The sale p99 a register's cashier may wait, at most.
const P99_LIMIT_MS: f64 = 100.0;
/// Registers per location (a large store).
const REGISTERS_PER_LOCATION: usize = 20;
/// Mean seconds between two arrivals at one register.
const MEAN_ARRIVAL_SECONDS: f64 = 20.0;
/// The connections the simulated registers share.
const POOL: u32 = 32;

#[derive(Debug, Serialize)]
pub struct CapacityStep {
    pub registers: u32,
    pub sales: u64,
    pub refunds: u64,
    pub shift_changes: u64,
    pub errors: u64,
    pub sale_p50_ms: f64,
    pub sale_p99_ms: f64,
    pub refund_p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct CapacityReport {
    /// The largest N whose sale p99 stayed within 100 ms (none if the first step did not).
    pub registers: Option<u32>,
    pub steps: Vec<CapacityStep>,
    pub machine: String,
}

/// A location's cashier and manager (logged in on the clients' device) and its carts of 1 to
/// 10 lines, priced and settled (a card part and cash with change).
struct Kit {
    cashier: Authenticated,
    manager: Authenticated,
    approval: Credentials,
    carts: Vec<(PricedCart, Settlement)>,
}

struct Register {
    id: RegisterId,
    session: SessionId,
    kit: usize,
}

/// The registers made so far, and their locations' kits: each step adds what it needs.
#[derive(Default)]
struct Fleet {
    kits: Vec<Arc<Kit>>,
    registers: Vec<Register>,
}

impl Fleet {
    async fn grow(&mut self, store: &dyn Store, to: usize, stamp: i64) -> Result<(), TillError> {
        let device = DeviceName::parse(CLIENT)?;
        while self.registers.len() < to {
            let n = self.kits.len();
            let code = format!("C{:03}{n:04}", stamp % 1000);
            add_location(store, &code).await?;
            let products = add_catalog(store, &code).await?;
            let (cashier, manager) = (format!("cc{stamp}_{n}"), format!("cm{stamp}_{n}"));
            service::add_user(store, &cashier, "cashier", "0000").await?;
            service::add_user(store, &manager, "manager", "1111").await?;
            let cashier = service::authenticate(store, &cashier, "0000", &device).await?;
            let approval = Credentials::parse(&manager.clone(), "1111")?;
            let manager = service::authenticate(store, &manager, "1111", &device).await?;
            let place = LocationCode::parse(&code)?;
            let settings = store.pricing_settings(&place).await?;
            let mut carts = Vec::new();
            for size in 1..=10 {
                let lines = (0..size)
                    .map(|i| CartLine {
                        product: products[i % products.len()].snapshot(),
                        quantity: 1 + i32::try_from(i % 3).unwrap_or(0),
                        discount: None,
                        price_override: None,
                    })
                    .collect();
                let priced = price_cart(&settings, &Cart { lines, receipt_discount: None })?;
                let card = priced.total.min(1000);
                let tenders = [
                    Tender::Card { amount: card, approval_reference: "CAPACITY".into() },
                    Tender::Cash { amount: priced.total - card + 500 },
                ];
                let settled = settle(&priced, &tenders)?;
                carts.push((priced, settled));
            }
            self.kits.push(Arc::new(Kit { cashier, manager, approval, carts }));
            for r in 0..REGISTERS_PER_LOCATION {
                let id = service::add_register(store, &code, &format!("R{r}"), None).await?.id;
                let opened = store.start_shift(start(id, &self.kits[n].cashier.login, &device)).await?;
                self.registers.push(Register { id, session: opened.session.id, kit: n });
            }
        }
        Ok(())
    }
}

/// What one register did in a step.
#[derive(Default)]
struct Counts {
    sales: Tally,
    refunds: Tally,
    shift_changes: u64,
}

/// A small fixed-seed generator (xorshift): arrivals and choices, no dependency.
struct Dice(u64);

impl Dice {
    /// A generator per register: the seed spread by splitmix64's finaliser, so that nearby seeds
    /// do not start with nearby (tiny) values, which made every register arrive at once.
    fn seeded(seed: u64) -> Dice {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Dice((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number below `n`.
    fn below(&mut self, n: u64) -> usize {
        usize::try_from(self.next() % n.max(1)).unwrap_or(0)
    }

    /// Seconds to the next arrival: exponential, mean [`MEAN_ARRIVAL_SECONDS`].
    fn arrival(&mut self) -> Duration {
        Duration::from_secs_f64(-(1.0 - self.unit()).ln() * MEAN_ARRIVAL_SECONDS)
    }
}

/// One register until the deadline: sells at each arrival, sometimes refunds its last sale's
/// first line or closes and reopens its shift.
async fn register(
    store: Arc<dyn Store>,
    kit: Arc<Kit>,
    id: RegisterId,
    mut session: SessionId,
    seed: u64,
    deadline: Instant,
) -> (Counts, SessionId) {
    let device = DeviceName::parse(CLIENT).unwrap_or_else(|_| unreachable!("a valid literal"));
    let here = RegisterRef::Id(id);
    let mut dice = Dice::seeded(seed);
    let mut counts = Counts::default();
    let mut last_sale: Option<String> = None;
    loop {
        let next = Instant::now() + dice.arrival();
        if next >= deadline {
            break;
        }
        tokio::time::sleep_until(next.into()).await;
        let choice = dice.unit();
        let began = Instant::now();
        let refund_of = if choice < 0.02 { last_sale.take() } else { None };
        if let Some(number) = refund_of {
            let till = Till {
                who: &kit.cashier,
                register: &here,
                device: &device,
                session: None,
                approval: Some(&kit.approval),
            };
            let request = RefundRequest {
                lines: vec![RefundLineRequest { line: 0, quantity: 1 }],
                tender: RefundTender::Cash,
                reason: RefundReason { kind: RefundReasonKind::Damaged, text: None },
            };
            let refunded = service::refund(store.as_ref(), till, ReceiptId::new(), &number, &request).await;
            record(&mut counts.refunds, began, refunded.is_ok());
        } else if (0.02..0.02 + 1.0 / 1440.0).contains(&choice) {
            match change_shift(store.as_ref(), &kit, id, session, &device).await {
                Ok(next) => {
                    session = next;
                    counts.shift_changes += 1;
                    last_sale = None;
                }
                Err(_) => counts.sales.errors += 1,
            }
        } else {
            let size = dice.below(10);
            let (priced, settled) = &kit.carts[size];
            let receipt_id = ReceiptId::new();
            let header = ReceiptHeader {
                id: receipt_id,
                session_id: session,
                register_id: id,
                actor: Actor::login(&kit.cashier.login),
                device: CLIENT.into(),
                request_hash: receipt_id.to_string(),
            };
            let recorded = store.record_receipt(NewReceipt::sale(header, priced, settled)).await;
            record(&mut counts.sales, began, recorded.is_ok());
            last_sale = recorded.ok().map(|r| r.number).or(last_sale);
        }
    }
    (counts, session)
}

fn record(tally: &mut Tally, began: Instant, ok: bool) {
    if ok {
        tally.committed(began);
    } else {
        tally.latencies.push(began.elapsed());
        tally.operations += 1;
        tally.errors += 1;
    }
}

/// The manager closes the register's session counted to its expected cash, and the cashier
/// opens the next one.
async fn change_shift(
    store: &dyn Store,
    kit: &Kit,
    register: RegisterId,
    session: SessionId,
    device: &DeviceName,
) -> Result<SessionId, TillError> {
    let expected = store.session_totals(session).await?.expected_cash;
    let close = CloseShift {
        counted_cash: Money::from_minor(expected, Currency::USD),
        float_left: Money::from_minor(0, Currency::USD),
        ..close_of(session, &kit.manager.login, device)
    };
    store.close_shift(close).await?;
    Ok(store.start_shift(start(register, &kit.cashier.login, device)).await?.session.id)
}

/// This machine, as the report names it: CPU model and count, memory, and the server.
fn machine(server: &str) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name").and_then(|rest| rest.split_once(':')).map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("MemTotal:").map(|kb| kb.trim().trim_end_matches(" kB").parse::<f64>().unwrap_or(0.0))
        })
        .map_or_else(String::new, |kb| format!(", {:.0} GiB", kb / 1024.0 / 1024.0));
    format!("{cores} × {model}{memory}; {server}; client and server on this machine, {POOL} pooled connections")
}

/// The steps: 250, 500, 1,000, ... registers up to `--clients`, `--seconds` each, then halving
/// the gap around the first step above the limit.
pub(super) async fn run(url: &str, args: &BenchArgs) -> Result<(Tally, CapacityReport), TillError> {
    let options = StoreOptions { migrate: false, max_connections: POOL, ..StoreOptions::default() };
    let store: Arc<dyn Store> = till_backend::open(url, &options).await?;
    let server = store
        .check_schema()
        .await
        .into_iter()
        .find(|c| c.name == "connection")
        .map_or_else(|| store.kind().as_str().to_string(), |c| c.detail);
    let stamp = till_core::clock::system_now().timestamp_micros().rem_euclid(1_000_000);
    let mut fleet = Fleet::default();
    let mut steps = Vec::new();
    let mut all = Tally::default();
    let mut largest = None;
    let mut missed = None;
    let mut n: u32 = 250;
    while n <= args.clients.max(250) {
        let within = step(&store, &mut fleet, n, stamp, args, &mut steps, &mut all).await?;
        if !within {
            missed = Some(n);
            break;
        }
        largest = Some(n);
        n *= 2;
    }
    // Doubling only says the answer lies between the last step within the limit and the first
    // above it: halve that gap while it is wider than an eighth of the answer (at least 250
    // registers), so the figure is not merely the power of two below it.
    if let (Some(mut within_at), Some(mut above_at)) = (largest, missed) {
        while let Some(middle) = middle_step(within_at, above_at) {
            if step(&store, &mut fleet, middle, stamp, args, &mut steps, &mut all).await? {
                within_at = middle;
                largest = Some(middle);
            } else {
                above_at = middle;
            }
        }
    }
    Ok((all, CapacityReport { registers: largest, steps, machine: machine(&server) }))
}

/// The next step between the largest N within the limit and the smallest above it, in multiples
/// of 250; none once that gap is no wider than an eighth of the answer (or 250 registers).
fn middle_step(within_at: u32, above_at: u32) -> Option<u32> {
    (above_at - within_at > (within_at / 8).max(250)).then(|| (within_at + above_at) / 2 / 250 * 250)
}

/// One step: `n` registers selling for `--seconds`, recorded in `steps` and `all`. True when its
/// sale p99 stayed within the limit, with no errors.
async fn step(
    store: &Arc<dyn Store>,
    fleet: &mut Fleet,
    n: u32,
    stamp: i64,
    args: &BenchArgs,
    steps: &mut Vec<CapacityStep>,
    all: &mut Tally,
) -> Result<bool, TillError> {
    fleet.grow(store.as_ref(), n as usize, stamp).await?;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = fleet.registers[..n as usize]
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (store, kit) = (store.clone(), fleet.kits[r.kit].clone());
            tokio::spawn(register(
                store,
                kit,
                r.id,
                r.session,
                0x9E37_79B9 ^ ((i as u64 + 1) << 20) ^ u64::from(n),
                deadline,
            ))
        })
        .collect();
    let (mut sales, mut refunds, mut shift_changes) = (Tally::default(), Tally::default(), 0);
    for (i, task) in tasks.into_iter().enumerate() {
        let (counts, session) =
            task.await.map_err(|e| StoreFailure::Internal(format!("a simulated register failed: {e}")))?;
        fleet.registers[i].session = session;
        sales.merge(counts.sales);
        refunds.merge(counts.refunds);
        shift_changes += counts.shift_changes;
    }
    let (sale_p50_ms, sale_p99_ms) = percentiles(sales.latencies.clone());
    let (_, refund_p99_ms) = percentiles(refunds.latencies.clone());
    let step = CapacityStep {
        registers: n,
        sales: sales.commits,
        refunds: refunds.commits,
        shift_changes,
        errors: sales.errors + refunds.errors,
        sale_p50_ms,
        sale_p99_ms,
        refund_p99_ms,
    };
    let within = step.errors == 0 && step.sale_p99_ms <= P99_LIMIT_MS;
    steps.push(step);
    all.merge(sales);
    all.merge(refunds);
    Ok(within)
}

#[cfg(test)]
mod tests {
    use super::middle_step;

    #[test]
    fn the_search_halves_the_gap_until_it_is_an_eighth_of_the_answer() {
        // 4,000 within, 8,000 above: 6,000; above it, 5,000; within it, 5,500; then done.
        assert_eq!(middle_step(4_000, 8_000), Some(6_000));
        assert_eq!(middle_step(4_000, 6_000), Some(5_000));
        assert_eq!(middle_step(5_000, 6_000), Some(5_500));
        assert_eq!(middle_step(5_500, 6_000), None, "500 is within an eighth of 5,500");
        assert_eq!(middle_step(250, 500), None, "never finer than 250 registers");
        assert_eq!(middle_step(2_000, 4_000), Some(3_000));
    }
}
