//! The workload: provisioning, then `processes` workers running mixed operations as tillctl
//! processes until the deadline, a SIGKILL scheduled at a random moment for some attempts, and
//! on PostgreSQL a task terminating tillctl's backends. A write that was killed or answered
//! `database_unavailable` / `database_busy` is sent again with the same id.

use crate::history::{Event, History, Op};
use crate::rng::Rng;
use crate::tillctl::{Call, Outcome, Tillctl};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub struct Settings {
    pub seconds: u64,
    pub processes: usize,
    /// Attempts that get a SIGKILL at a random moment, per thousand.
    pub kill_permille: u64,
    /// Terminate tillctl's PostgreSQL backends at random (the owner's URL).
    pub pg_killer: bool,
    /// Where cart and refund files go.
    pub work: PathBuf,
}

/// Tries per request before the soak gives up on it (the audit then finds it whole or absent).
const MAX_TRIES: u32 = 8;
/// Retries from this try on are never killed, so most requests end with an answer.
const LAST_KILLED_TRY: u32 = 4;

/// Killed writes never sent again, per thousand.
const ABANDON_PERMILLE: u64 = 150;

const ALICE: (&str, &str) = ("alice", "1234");
const BOB: (&str, &str) = ("bob", "9999");

struct RegisterInfo {
    address: String,
    location: String,
}

struct SaleInfo {
    number: String,
    register: String,
    quantities: Vec<i64>,
}

#[derive(Default)]
struct World {
    registers: Vec<RegisterInfo>,
    skus: HashMap<String, Vec<String>>,
    /// Register → the session number the soak believes open there.
    open: HashMap<String, String>,
    sessions: Vec<String>,
    closed: Vec<String>,
    sales: Vec<SaleInfo>,
    /// Acknowledged writes, for replays (the newest few hundred).
    answered: Vec<Call>,
    attempts: HashMap<Uuid, u32>,
}

pub struct Soak {
    pub tillctl: Tillctl,
    settings: Settings,
    world: Mutex<World>,
    typical_ms: Mutex<HashMap<Op, u64>>,
    /// Set when the workload starts (after provisioning).
    deadline: std::sync::OnceLock<Instant>,
}

fn money(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

impl Soak {
    pub fn new(tillctl: Tillctl, settings: Settings) -> Soak {
        Soak {
            tillctl,
            settings,
            world: Mutex::new(World::default()),
            typical_ms: Mutex::new(HashMap::new()),
            deadline: std::sync::OnceLock::new(),
        }
    }

    /// Whether the workload's time is up (not started: it is).
    fn over(&self) -> bool {
        self.deadline.get().is_none_or(|d| Instant::now() >= *d)
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn history(&self) -> &History {
        &self.tillctl.history
    }

    /// A random moment within the op's usual run time (learnt from its answers): half the
    /// kills anywhere in it, half near its end, where the write commits and the answer is
    /// not printed yet.
    fn kill_delay(&self, rng: &mut Rng, op: Op) -> Duration {
        let typical = self.typical_ms.lock().map(|t| t.get(&op).copied().unwrap_or(200)).unwrap_or(200);
        let ms = if rng.chance(500) {
            rng.below(typical.saturating_mul(3) / 2 + 1)
        } else {
            rng.between(typical.saturating_mul(7) / 10, typical.saturating_mul(12) / 10)
        };
        Duration::from_millis(ms)
    }

    fn learn(&self, op: Op, ms: u64) {
        if let Ok(mut t) = self.typical_ms.lock() {
            let e = t.entry(op).or_insert(ms);
            *e = (*e * 7 + ms) / 8;
        }
    }

    /// Sends `call` until it has an answer that is not a kill or a transient error (at most
    /// [`MAX_TRIES`] times). `killable`: some tries get a SIGKILL at a random moment.
    async fn perform(&self, rng: &mut Rng, call: &Call, replay: bool, killable: bool) -> Outcome {
        let mut attempt = {
            let mut w = self.world();
            let a = w.attempts.entry(call.key).or_insert(0);
            *a += 1;
            *a
        };
        let mut tries = 0;
        loop {
            tries += 1;
            let kill = (killable && tries <= LAST_KILLED_TRY && rng.chance(self.settings.kill_permille))
                .then(|| self.kill_delay(rng, call.op));
            let started = Instant::now();
            let outcome = self.tillctl.run(call, attempt, replay, kill).await;
            if let Outcome::Ok(_) | Outcome::Refused(_) = &outcome {
                self.learn(call.op, u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
            }
            let again = match &outcome {
                Outcome::Refused(code) if code == "user_locked" => {
                    self.history().note(format!("{} locked out: unlocking alice and bob", call.key));
                    self.unlock_all(rng).await;
                    true
                }
                Outcome::Ok(_) | Outcome::Refused(_) | Outcome::NotOk(_) => false,
                // Now and then a till that crashed never comes back: its write stays
                // unanswered, and the audit finds it whole or absent.
                Outcome::Killed if killable && call.op.is_write() && rng.chance(ABANDON_PERMILLE) => false,
                Outcome::Transient(_) | Outcome::Killed | Outcome::TimedOut | Outcome::Garbled => true,
            };
            if !again || tries >= MAX_TRIES {
                return outcome;
            }
            tokio::time::sleep(Duration::from_millis(rng.between(5, 150))).await;
            attempt = {
                let mut w = self.world();
                let a = w.attempts.entry(call.key).or_insert(0);
                *a += 1;
                *a
            };
        }
    }

    async fn unlock_all(&self, rng: &mut Rng) {
        for (user, _) in [ALICE, BOB] {
            let call = Call {
                op: Op::Unlock,
                key: Uuid::now_v7(),
                args: args(&["user", "unlock", "--name", user]),
                content: None,
                about: json!({ "user": user }),
            };
            Box::pin(self.perform(rng, &call, false, false)).await;
        }
    }

    fn remember(&self, call: &Call) {
        let mut w = self.world();
        w.answered.push(call.clone());
        if w.answered.len() > 400 {
            w.answered.remove(0);
        }
    }

    /// A provisioning step: never killed, and it must succeed.
    async fn provision(&self, rng: &mut Rng, parts: &[&str]) -> Result<Value, String> {
        let call = Call { op: Op::Provision, key: Uuid::now_v7(), args: args(parts), content: None, about: json!({}) };
        match self.perform(rng, &call, false, false).await {
            Outcome::Ok(json) => Ok(json),
            other => Err(format!("provisioning failed: tillctl {} answered {}", parts.join(" "), other.describe())),
        }
    }

    /// Two locations (3 and 2 registers), alice (cashier, 1234) and bob (manager, 9999), two
    /// tax rates, two categories and five products per location. The business day's cut-off is
    /// put twelve hours away, so a run never crosses it.
    pub async fn setup(&self, rng: &mut Rng) -> Result<(), String> {
        self.provision(rng, &["migrate"]).await?;
        let cutoff = (till_core::clock::system_now() + chrono::Duration::hours(12)).format("%H:%M").to_string();
        let products: &[(&str, &str, &str, &str, Option<&str>)] = &[
            ("COFFEE", "Coffee", "4.50", "TAX", Some("Drink")),
            ("BAGEL", "Bagel", "2.95", "RED", Some("Food")),
            ("WATER", "Water", "1.00", "TAX", Some("Drink")),
            ("SANDWICH", "Sandwich", "8.99", "RED", Some("Food")),
            ("GIFT", "Gift card sleeve", "19.99", "TAX", None),
        ];
        for (location, name, registers) in [("SA", "Soak A", 3), ("SB", "Soak B", 2)] {
            self.provision(
                rng,
                &[
                    "location",
                    "add",
                    "--code",
                    location,
                    "--name",
                    name,
                    "--timezone",
                    "UTC",
                    "--cutoff",
                    &cutoff,
                    "--currency",
                    "USD",
                    "--locale",
                    "en-US",
                ],
            )
            .await?;
            for n in 1..=registers {
                let code = format!("R{n}");
                self.provision(rng, &["register", "add", "--location", location, "--code", &code]).await?;
                self.world()
                    .registers
                    .push(RegisterInfo { address: format!("{location}/{code}"), location: location.to_string() });
            }
            self.provision(
                rng,
                &["tax-rate", "add", "--location", location, "--code", "TAX", "--name", "Sales tax", "--rate", "8.875"],
            )
            .await?;
            self.provision(
                rng,
                &["tax-rate", "add", "--location", location, "--code", "RED", "--name", "Reduced", "--rate", "5.5"],
            )
            .await?;
            for category in ["Food", "Drink"] {
                self.provision(rng, &["category", "add", "--location", location, "--name", category]).await?;
            }
            for (sku, name, price, rate, category) in products {
                let mut parts = vec![
                    "product",
                    "add",
                    "--location",
                    location,
                    "--sku",
                    sku,
                    "--name",
                    name,
                    "--price",
                    price,
                    "--tax-rate",
                    rate,
                ];
                if let Some(category) = category {
                    parts.extend(["--category", category]);
                }
                self.provision(rng, &parts).await?;
            }
            self.world().skus.insert(location.to_string(), products.iter().map(|p| p.0.to_string()).collect());
        }
        self.provision(rng, &["user", "add", "--name", ALICE.0, "--role", "cashier", "--pin", ALICE.1]).await?;
        self.provision(rng, &["user", "add", "--name", BOB.0, "--role", "manager", "--pin", BOB.1]).await?;
        Ok(())
    }

    /// A register: usually one believed open.
    fn pick_register(&self, rng: &mut Rng, open_permille: u64) -> (String, String) {
        let w = self.world();
        let open: Vec<&String> = w.open.keys().collect();
        if !open.is_empty() && rng.chance(open_permille) {
            if let Some(address) = rng.pick(&open) {
                let location = address.split('/').next().unwrap_or("SA").to_string();
                return (address.to_string(), location);
            }
        }
        match rng.pick(&w.registers) {
            Some(r) => (r.address.clone(), r.location.clone()),
            None => ("SA/R1".into(), "SA".into()),
        }
    }

    async fn start_shift(&self, rng: &mut Rng) {
        let (register, _) = self.pick_register(rng, 200);
        let believed_open = self.world().open.contains_key(&register);
        // A join comes from a second device.
        let device = if believed_open { "soak-b" } else { "soak-a" };
        let (user, pin) = if rng.chance(800) { ALICE } else { BOB };
        let opening = ["100.00", "150.00", "200.00"][rng.index(3)];
        let key = Uuid::now_v7();
        let call = Call {
            op: Op::StartShift,
            key,
            args: args(&[
                "start-shift",
                "--register",
                &register,
                "--user",
                user,
                "--pin",
                pin,
                "--opening-cash",
                opening,
                "--device",
                device,
                "--request-id",
                &key.to_string(),
            ]),
            content: None,
            about: json!({ "register": register, "device": device, "user": user }),
        };
        if let Outcome::Ok(json) = self.perform(rng, &call, false, true).await {
            let number = json.pointer("/session/number").and_then(Value::as_str).unwrap_or_default().to_string();
            let open = json.pointer("/session/status").and_then(Value::as_str) == Some("open");
            let mut w = self.world();
            if open && !number.is_empty() {
                w.open.insert(register, number.clone());
            }
            if !w.sessions.contains(&number) {
                w.sessions.push(number);
            }
            drop(w);
            self.remember(&call);
        }
    }

    async fn close_shift(self: &Arc<Self>, rng: &mut Rng) {
        let open: Vec<(String, String)> = self.world().open.iter().map(|(r, s)| (r.clone(), s.clone())).collect();
        let Some((register, session)) = rng.pick(&open).cloned() else {
            return self.start_shift(rng).await;
        };
        // Now and then two managers close the same session at once.
        let racers = if rng.chance(200) { 2 } else { 1 };
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..racers {
            let soak = Arc::clone(self);
            let (register, session) = (register.clone(), session.clone());
            let mut rng = Rng::new(rng.next_u64());
            tasks.spawn(async move { soak.close_one(&mut rng, &register, &session).await });
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn close_one(&self, rng: &mut Rng, register: &str, session: &str) {
        // Half the closes count what the X report expects (a blind close that matches); the
        // others count anything and sign the variance off.
        let mut counted = money(rng.between(0, 30_000));
        let mut sign_off = true;
        if rng.chance(500) {
            if let Outcome::Ok(x) = self.report(rng, Op::ReportX, session).await {
                if let Some(expected) = x.pointer("/drawer/expected_cash").and_then(Value::as_i64) {
                    counted = money(u64::try_from(expected.max(0)).unwrap_or(0));
                    sign_off = false;
                }
            }
        }
        let mut recounts = 0;
        loop {
            let key = Uuid::now_v7();
            let mut parts = vec![
                "close-shift".to_string(),
                "--session".into(),
                session.into(),
                "--counted-cash".into(),
                counted.clone(),
                "--user".into(),
                BOB.0.into(),
                "--pin".into(),
                BOB.1.into(),
                "--request-id".into(),
                key.to_string(),
            ];
            if sign_off {
                parts.extend(["--variance-reason".to_string(), "soak count".into()]);
            }
            let call = Call {
                op: Op::CloseShift,
                key,
                args: parts,
                content: None,
                about: json!({ "register": register, "session": session, "counted": counted, "sign_off": sign_off }),
            };
            match self.perform(rng, &call, false, true).await {
                Outcome::Ok(_) => {
                    self.remember(&call);
                    self.closed(register, session);
                    return;
                }
                // A sign-off is taken only after a refused count: count again, signed off.
                Outcome::Refused(code) if code == "variance_needs_signoff" && recounts < 2 => {
                    sign_off = true;
                    recounts += 1;
                }
                Outcome::Refused(code) if code == "session_already_closed" => {
                    self.closed(register, session);
                    return;
                }
                _ => return,
            }
        }
    }

    fn closed(&self, register: &str, session: &str) {
        let mut w = self.world();
        if w.open.get(register).map(String::as_str) == Some(session) {
            w.open.remove(register);
        }
        if !w.closed.iter().any(|s| s == session) {
            w.closed.push(session.to_string());
        }
    }

    fn write_content(&self, key: Uuid, content: &Value) -> String {
        let path = self.settings.work.join(format!("{key}.json"));
        if let Err(e) = std::fs::write(&path, content.to_string()) {
            self.history().note(format!("cannot write {}: {e}", path.display()));
        }
        path.display().to_string()
    }

    async fn sale(&self, rng: &mut Rng) {
        let (register, location) = self.pick_register(rng, 900);
        let skus = self.world().skus.get(&location).cloned().unwrap_or_default();
        let mut lines = Vec::new();
        let mut quantities = Vec::new();
        for _ in 0..rng.between(1, 4) {
            let sku = rng.pick(&skus).cloned().unwrap_or_else(|| "COFFEE".into());
            let quantity = rng.between(1, 3);
            quantities.push(i64::try_from(quantity).unwrap_or(1));
            let mut line = json!({ "sku": sku, "quantity": quantity });
            if rng.chance(150) {
                let percent = if rng.chance(500) { 50_000 } else { 100_000 };
                line["discount"] = json!({ "kind": "percent", "percent": percent });
            }
            lines.push(line);
        }
        let any_line_discount = lines.iter().any(|l| l.get("discount").is_some());
        let receipt_discount =
            (!any_line_discount && rng.chance(100)).then(|| json!({ "kind": "percent", "percent": 50_000 }));
        // Card and voucher amounts below the smallest possible total; cash covers the rest.
        let tenders = match rng.below(3) {
            0 => json!([{ "kind": "cash", "amount": 100_000 }]),
            1 => {
                json!([{ "kind": "card", "amount": 50, "approval_reference": "SOAK-AUTH" }, { "kind": "cash", "amount": 100_000 }])
            }
            _ => {
                json!([{ "kind": "voucher", "amount": 25, "reference": "SOAK-VOUCHER" }, { "kind": "cash", "amount": 100_000 }])
            }
        };
        let cart = json!({ "lines": lines, "receipt_discount": receipt_discount, "tenders": tenders });
        let key = Uuid::now_v7();
        let file = self.write_content(key, &cart);
        let (user, pin) = if rng.chance(850) { ALICE } else { BOB };
        let call = Call {
            op: Op::Sale,
            key,
            args: args(&[
                "sale",
                "record",
                "--register",
                &register,
                "--user",
                user,
                "--pin",
                pin,
                "--file",
                &file,
                "--id",
                &key.to_string(),
            ]),
            content: Some(cart),
            about: json!({ "register": register }),
        };
        if let Outcome::Ok(json) = self.perform(rng, &call, false, true).await {
            let number = json.get("number").and_then(Value::as_str).unwrap_or_default().to_string();
            self.world().sales.push(SaleInfo { number, register, quantities });
            self.remember(&call);
        }
    }

    /// Several managers refund lines of one sale at once, each with its own id.
    async fn refund_race(self: &Arc<Self>, rng: &mut Rng) {
        // Mostly a recent sale of a register believed open: a refund is paid out of its
        // register's open session.
        let picked = {
            let w = self.world();
            let recent = &w.sales[w.sales.len().saturating_sub(60)..];
            let open: Vec<&SaleInfo> = recent.iter().filter(|s| w.open.contains_key(&s.register)).collect();
            let sale = match rng.chance(800) {
                true if !open.is_empty() => rng.pick(&open).copied(),
                _ => rng.pick(recent),
            };
            sale.map(|s| (s.number.clone(), s.quantities.clone()))
        };
        let Some((receipt, quantities)) = picked else { return self.sale(rng).await };
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..rng.between(2, 4) {
            let mut lines = Vec::new();
            for (line, sold) in quantities.iter().enumerate() {
                if rng.chance(600) || (line + 1 == quantities.len() && lines.is_empty()) {
                    let sold = u64::try_from(*sold).unwrap_or(1);
                    let quantity = if rng.chance(500) { sold } else { rng.between(1, sold) };
                    lines.push(json!({ "line": line, "quantity": quantity }));
                }
            }
            let tender = if rng.chance(700) {
                json!({ "kind": "cash" })
            } else {
                json!({ "kind": "card", "approval_reference": "SOAK-REFUND" })
            };
            let request = json!({ "lines": lines, "tender": tender });
            let key = Uuid::now_v7();
            let file = self.write_content(key, &request);
            let call = Call {
                op: Op::Refund,
                key,
                args: args(&[
                    "refund",
                    "--receipt",
                    &receipt,
                    "--file",
                    &file,
                    "--user",
                    BOB.0,
                    "--pin",
                    BOB.1,
                    "--id",
                    &key.to_string(),
                ]),
                content: Some(request),
                about: json!({ "receipt": receipt }),
            };
            let soak = Arc::clone(self);
            let mut rng = Rng::new(rng.next_u64());
            tasks.spawn(async move {
                if let Outcome::Ok(_) = soak.perform(&mut rng, &call, false, true).await {
                    soak.remember(&call);
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn movement(&self, rng: &mut Rng) {
        let (register, _) = self.pick_register(rng, 900);
        let (op, command, amount, reasons): (Op, &str, Option<u64>, &[&str]) = match rng.weighted(&[3, 3, 1, 2]) {
            0 => (Op::PaidIn, "paid-in", Some(rng.between(100, 3_000)), &["float_top_up", "other"]),
            1 => (Op::PaidOut, "paid-out", Some(rng.between(100, 3_000)), &["supplies", "delivery", "other"]),
            2 => (Op::Drop, "drop", Some(rng.between(1_000, 6_000)), &["safe_drop"]),
            _ => (Op::NoSale, "no-sale", None, &["change_for_customer", "other"]),
        };
        let reason = rng.pick(reasons).copied().unwrap_or("other");
        let key = Uuid::now_v7();
        let mut parts =
            args(&["cash", command, "--register", &register, "--reason", reason, "--user", ALICE.0, "--pin", ALICE.1]);
        if let Some(amount) = amount {
            parts.extend(["--amount".to_string(), money(amount)]);
        }
        // Paid outs and drops above the session's limit need a manager: bob approves each.
        if matches!(op, Op::PaidOut | Op::Drop) {
            parts.extend(args(&["--approver", BOB.0, "--approver-pin", BOB.1]));
        }
        parts.extend(["--id".to_string(), key.to_string()]);
        let call = Call {
            op,
            key,
            args: parts,
            content: None,
            about: json!({ "register": register, "kind": op.as_str(), "amount": amount.unwrap_or(0) }),
        };
        if let Outcome::Ok(_) = self.perform(rng, &call, false, true).await {
            self.remember(&call);
        }
    }

    async fn report(&self, rng: &mut Rng, op: Op, session: &str) -> Outcome {
        let kind = if op == Op::ReportX { "x" } else { "z" };
        let call = Call {
            op,
            key: Uuid::now_v7(),
            args: args(&["report", kind, "--session", session, "--format", "json"]),
            content: None,
            about: json!({ "session": session }),
        };
        self.perform(rng, &call, false, true).await
    }

    async fn any_report(&self, rng: &mut Rng, op: Op) {
        let session = {
            let w = self.world();
            let pool = if op == Op::ReportZ { &w.closed } else { &w.sessions };
            rng.pick(pool).cloned()
        };
        if let Some(session) = session {
            self.report(rng, op, &session).await;
        }
    }

    pub async fn verify(&self, rng: &mut Rng, last: bool) -> Outcome {
        let call = Call {
            op: Op::JournalVerify,
            key: Uuid::now_v7(),
            args: args(&["journal", "verify"]),
            content: None,
            about: json!({ "final": last }),
        };
        self.perform(rng, &call, false, !last).await
    }

    /// An acknowledged write sent again, later, with its id and content: it must answer as the
    /// first time (the same receipt, movement or session), whatever happened since.
    async fn replay(&self, rng: &mut Rng) {
        let call = {
            let w = self.world();
            rng.pick(&w.answered).cloned()
        };
        match call {
            Some(call) => {
                self.perform(rng, &call, true, true).await;
            }
            None => self.sale(rng).await,
        }
    }

    async fn worker(self: Arc<Self>, mut rng: Rng) {
        while !self.over() {
            match rng.weighted(&[30, 8, 14, 8, 5, 5, 3, 2, 8]) {
                0 => self.sale(&mut rng).await,
                1 => self.refund_race(&mut rng).await,
                2 => self.movement(&mut rng).await,
                3 => self.start_shift(&mut rng).await,
                4 => self.close_shift(&mut rng).await,
                5 => self.any_report(&mut rng, Op::ReportX).await,
                6 => self.any_report(&mut rng, Op::ReportZ).await,
                7 => {
                    self.verify(&mut rng, false).await;
                }
                _ => self.replay(&mut rng).await,
            }
        }
    }

    /// Terminates one of tillctl's backends every 0.3 to 2.5 s (PostgreSQL, as the owner).
    async fn backend_killer(self: Arc<Self>, mut rng: Rng) {
        use sqlx::Connection;
        let mut conn: Option<sqlx::PgConnection> = None;
        while !self.over() {
            tokio::time::sleep(Duration::from_millis(rng.between(300, 2_500))).await;
            if conn.is_none() {
                conn = sqlx::PgConnection::connect(&self.tillctl.url).await.ok();
            }
            let Some(c) = conn.as_mut() else { continue };
            let pids: Result<Vec<i32>, _> = sqlx::query_scalar(
                "SELECT pid FROM pg_stat_activity
                  WHERE datname = current_database() AND application_name = 'till' AND usename = current_user
                    AND pid <> pg_backend_pid()",
            )
            .fetch_all(&mut *c)
            .await;
            let Ok(pids) = pids else {
                conn = None;
                continue;
            };
            let Some(pid) = rng.pick(&pids).copied() else { continue };
            let terminated: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
                .bind(pid)
                .fetch_one(&mut *c)
                .await
                .unwrap_or(false);
            self.history().record(&Event::BackendKill { t_ms: self.history().now_ms(), pid, terminated });
        }
    }

    /// Runs the workers (and the backend killer) until the deadline, then waits for the last
    /// requests to be answered.
    pub async fn run(self: &Arc<Self>, rng: &mut Rng) {
        let _ = self.deadline.set(Instant::now() + Duration::from_secs(self.settings.seconds));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..self.settings.processes {
            tasks.spawn(Arc::clone(self).worker(Rng::new(rng.next_u64())));
        }
        if self.settings.pg_killer {
            tasks.spawn(Arc::clone(self).backend_killer(Rng::new(rng.next_u64())));
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                self.history().note(format!("a worker failed: {e}"));
            }
        }
        self.history().record(&Event::WorkloadEnd { t_ms: self.history().now_ms() });
    }
}
