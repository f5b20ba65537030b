//! The tamper-evident journal: every event (session open, join, close, force-close, late count,
//! sale, refund, cash movement, no-sale, reprint, void, Z report; PIN failures, lockouts and
//! unlocks) is appended, in the event's own transaction, to a hash chain.
//!
//! * **Chains.** One per register (its id is the register's id): a register's events are
//!   already serialised by its session's row lock, so a per-register chain adds no contention
//!   between registers, and each Z anchors its own register's chain. PIN events belong to no
//!   register and go to the staff chain (the nil UUID).
//! * **Entry.** `seq` (gapless per chain, from the chain's head row), and `body`: a JSON object
//!   `{chain, seq, at, device, user, event, ref, payload}` as stored. `hash =
//!   sha256(prev_hash || body)`, `prev_hash` being the previous entry's hash as 64 lowercase hex
//!   characters (64 zeros for the first). The hash covers the body's exact bytes: nobody needs
//!   to re-serialise anything to check it (PostgreSQL writes jsonb's normal form, SQLite this
//!   module's sorted-key form; both are deterministic).
//! * **Verify** ([`verify`]) recomputes every chain, checks each entry's body against its row,
//!   checks the business rows against their entries, and checks each Z's anchored head.

use crate::domain::{RegisterId, SessionId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The previous hash of a chain's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain of events that belong to no register (PIN failures, lockouts, unlocks).
pub const STAFF_CHAIN: Uuid = Uuid::nil();

/// `sha256(prev_hash || body)` as 64 lowercase hex characters.
pub fn entry_hash(prev_hash: &str, body: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(body.as_bytes());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The time as bodies carry it: UTC, microseconds, `2026-11-29T14:51:02.123456Z` (what
/// PostgreSQL's `to_char(.., 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` writes too).
pub fn body_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// JSON with object keys sorted and no whitespace, whatever serde_json's map order.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, value);
    out
}

/// [`canonical_json`] written into one buffer (a string per field and per array before: this
/// runs for every journal entry SQLite appends, inside its write transaction).
fn write_canonical(out: &mut String, value: &Value) {
    use std::fmt::Write as _;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // Writing into a String cannot fail.
                let _ = write!(out, "{}:", Value::String(key.clone()));
                write_canonical(out, &map[key]);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        leaf => {
            let _ = write!(out, "{leaf}");
        }
    }
}

/// One event to append (the store adds chain position, body and hashes).
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub chain: Uuid,
    pub at: DateTime<Utc>,
    pub device: String,
    pub user: Option<Uuid>,
    pub event: &'static str,
    pub reference: Option<Uuid>,
    pub payload: Value,
}

impl NewEntry {
    /// The body for position `seq` (the store that appends in Rust: SQLite).
    pub fn body(&self, seq: i64) -> String {
        canonical_json(&json!({
            "chain": self.chain, "seq": seq, "at": body_time(self.at), "device": self.device, "user": self.user,
            "event": self.event, "ref": self.reference, "payload": self.payload,
        }))
    }
}

/// An entry as stored.
#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub chain_id: Uuid,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub device: String,
    pub user_id: Option<Uuid>,
    pub event: String,
    pub ref_id: Option<Uuid>,
    pub body: String,
    pub prev_hash: String,
    pub hash: String,
}

/// A chain's head row: its last sequence number and hash.
#[derive(Debug, Clone, Serialize)]
pub struct ChainHead {
    pub chain_id: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// What a Z anchored: the chain's head at its close.
#[derive(Debug, Clone, Serialize)]
pub struct ZAnchor {
    pub register_id: RegisterId,
    pub z_number: i64,
    pub session_id: SessionId,
    pub journal_seq: i64,
    pub journal_head: String,
}

/// A business row the journal must have an entry for (at or after the chain's first entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedEntry {
    pub event: String,
    pub reference: Uuid,
    /// The facts the entry's payload must state, as the row holds them now (a subset of the
    /// payload's keys: money, counts, identities).
    pub facts: Value,
    /// The row is from after the journal began, so it must have an entry (an older one may).
    pub required: bool,
    /// Who the row says acted: the entry's `user` must be the same (a cashier, closer or
    /// counter edited afterwards is caught). `None` for rows no user made (staff changes).
    pub user: Option<Uuid>,
    /// The names the row prints for users (a Z's cashier, closer and approver are copied into
    /// the session's row): each must be the name the staff chain last journaled for that user.
    pub names: Vec<(Uuid, String)>,
}

/// The event of a staff change on the staff chain: a user created, or its name, role, active
/// flag or PIN changed (payload `{id, name, role, active, pin, db_role}`, `pin` being the
/// sha256 of the PIN's hash: a swapped PIN is seen, and nothing about the PIN is revealed).
pub const USER_EVENT: &str = "user";

/// The event of a location created or its settings changed, on the staff chain (payload: every
/// setting, as `till_location_facts` and till-sqlx's `location_facts` build it).
pub const LOCATION_EVENT: &str = "location";

/// The event that records the database's identity on the staff chain (payload `{id,
/// created_at}`): made once, when the staff journal began.
pub const DATABASE_EVENT: &str = "database";

/// The sha256 of `bytes` as 64 lowercase hex digits: PIN digests, login digests and request
/// fingerprints all take this one form.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The `price_change_reasons` a receipt entry states: `[line_no, kind, text]` for each line
/// with a reason, by line number, or null when none has one (as an entry from before reasons
/// reads). PostgreSQL's till_record_receipt builds the same; verify rebuilds it from the rows.
pub fn price_change_reasons<'a>(
    reasons: impl IntoIterator<Item = (u32, &'a crate::sales::PriceChangeReason)>,
) -> Value {
    let mut items: Vec<(u32, Value)> =
        reasons.into_iter().map(|(line, r)| (line, serde_json::json!([line, r.kind.as_str(), r.text]))).collect();
    items.sort_by_key(|(line, _)| *line);
    match items.is_empty() {
        true => Value::Null,
        false => Value::Array(items.into_iter().map(|(_, v)| v).collect()),
    }
}

/// The `pin` a staff entry states: sha256 of the PIN's stored hash, as hex (PostgreSQL's
/// trigger computes the same with `sha256()`).
pub fn pin_digest(pin_hash: &str) -> String {
    sha256_hex(pin_hash.as_bytes())
}

/// What the staff chain said about each user over time (its `user` entries' payloads, by
/// time), and its entries' hashes: a Z records the staff chain's head at its close, so the Z's
/// printed anchor pins the staff chain too.
#[derive(Debug, Clone, Default)]
pub struct JournaledStaff {
    users: std::collections::HashMap<Uuid, Vec<(DateTime<Utc>, Value)>>,
    hashes: std::collections::HashMap<i64, String>,
}

impl JournaledStaff {
    pub fn from_entries(entries: &[JournalEntry]) -> Self {
        let mut staff = JournaledStaff::default();
        for entry in entries {
            staff.hashes.insert(entry.seq, entry.hash.clone());
            if entry.event != USER_EVENT {
                continue;
            }
            let payload = serde_json::from_str::<Value>(&entry.body).ok().and_then(|b| b.get("payload").cloned());
            if let (Some(id), Some(payload)) = (entry.ref_id, payload) {
                staff.users.entry(id).or_default().push((entry.at, payload));
            }
        }
        staff
    }

    /// The user's name as the staff chain had it at `at` (a rename later does not make older
    /// rows wrong); before its first entry (users older than the staff journal), its first name.
    fn name_at(&self, user: Uuid, at: DateTime<Utc>) -> Option<&str> {
        let history = self.users.get(&user)?;
        let current = history.iter().rev().find(|(when, _)| *when <= at).or_else(|| history.first())?;
        current.1.get("name").and_then(Value::as_str)
    }
}

/// The chains verify walks: every one with a head row or entries (`heads`, which lists a chain
/// without a head row at seq 0), every register's, the staff chain, and the chains of the
/// anchors an auditor brought (`extra`), each once, with a seq-0 head where it has none.
pub fn chains_to_verify(mut heads: Vec<ChainHead>, registers: &[Uuid], extra: &[Uuid]) -> Vec<ChainHead> {
    for chain in registers.iter().chain([STAFF_CHAIN].iter()).chain(extra) {
        if !heads.iter().any(|h| h.chain_id == *chain) {
            heads.push(ChainHead { chain_id: *chain, seq: 0, hash: GENESIS.into() });
        }
    }
    heads
}

/// The first thing wrong in a chain.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub chain_id: Uuid,
    /// The entry at fault (or, for a missing one, where it should be).
    pub seq: i64,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub chain_id: Uuid,
    /// The register whose chain it is (`DT/R1`); `None` for the staff chain, or entries under
    /// an id that is no register's.
    pub register: Option<String>,
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The problem at the lowest position (kept for scripts written before `problems`).
    pub first_problem: Option<Problem>,
    /// Every problem found, by position.
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub chains: Vec<ChainReport>,
    /// The anchors an auditor brought (`verify --anchors`), each checked against the chain.
    pub anchors: Vec<AnchorCheck>,
}

/// What the journal now says at a printed anchor.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorCheck {
    /// The anchor's text, as its QR code reads.
    pub anchor: String,
    pub ok: bool,
    /// What is wrong, when not ok.
    pub problem: Option<String>,
}

/// Checks one printed anchor against the entry now at its position (`None` if there is none).
pub fn check_anchor(anchor: &crate::anchor::JournalAnchor, entry: Option<&JournalEntry>) -> AnchorCheck {
    use crate::anchor::AnchorOf;
    let (what, seq) = (anchor.text(), anchor.seq);
    let problem = match entry.filter(|e| e.chain_id == anchor.chain && e.seq == seq) {
        None => Some(format!(
            "entry {seq} of chain {} is gone: the journal was cut back or re-chained after this was printed \
             (or this role may not read that register's chain: run verify as the database's owner)",
            anchor.chain
        )),
        Some(e) if e.hash != anchor.hash => Some(format!(
            "entry {seq} has another hash than the printed one: the journal was rewritten at or before this point"
        )),
        Some(e) => {
            let payload = serde_json::from_str::<Value>(&e.body).ok().and_then(|b| b.get("payload").cloned());
            let stated = |key: &str| payload.as_ref().and_then(|p| p.get(key)).cloned().unwrap_or(Value::Null);
            let same = match &anchor.of {
                AnchorOf::Receipt(number) => {
                    ["sale", "refund"].contains(&e.event.as_str()) && stated("number") == json!(number)
                }
                AnchorOf::Z(number) => e.event == "z_report" && stated("z_number") == json!(number),
            };
            (!same).then(|| format!("entry {seq} is not the document this anchor was printed on"))
        }
    };
    AnchorCheck { anchor: what, ok: problem.is_none(), problem }
}

/// The events whose entries name a business row (`ref_id`) that verify looks up.
const BUSINESS_EVENTS: [&str; 16] = [
    "sale",
    "refund",
    "void",
    "paid_in",
    "paid_out",
    "drop",
    "no_sale",
    "session_open",
    "session_close",
    "late_count",
    "z_report",
    "pin_failed",
    "locked",
    "unlocked",
    USER_EVENT,
    DATABASE_EVENT,
];

/// The journal against itself, whatever the rows say now: each session's close states the
/// expected cash its own entries add up to (opening cash, receipts' cash, movements), each Z
/// the sales and refunds of its session's receipts, Z numbers follow each other, and grand
/// totals move by exactly each Z's session. Catches a running total edited during a shift
/// (the close would journal the edited figure).
fn check_cash_story(chain: Uuid, entries: &[JournalEntry], problems: &mut Vec<Problem>) {
    #[derive(Default)]
    struct Story {
        opened: bool,
        cash: i64,
        sales: i64,
        refunds: i64,
    }
    let mut sessions: std::collections::HashMap<String, Story> = std::collections::HashMap::new();
    let mut last_z: Option<(i64, i64, i64)> = None;
    for entry in entries {
        let Ok(body) = serde_json::from_str::<Value>(&entry.body) else { continue };
        let p = body.get("payload").cloned().unwrap_or(Value::Null);
        let int = |key: &str| p.get(key).and_then(Value::as_i64).unwrap_or(0);
        let text = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut bad = |what: String| problems.push(Problem { chain_id: chain, seq: entry.seq, what });
        match entry.event.as_str() {
            "session_open" => {
                let story = sessions.entry(text("id")).or_default();
                (story.opened, story.cash) = (true, int("opening_cash"));
            }
            "sale" | "refund" => {
                let story = sessions.entry(text("session_id")).or_default();
                story.cash = story.cash.saturating_add(int("cash_net"));
                if entry.event == "sale" {
                    story.sales = story.sales.saturating_add(int("total"));
                } else {
                    story.refunds = story.refunds.saturating_add(int("total"));
                }
            }
            "paid_in" | "paid_out" | "drop" | "no_sale" => {
                let sign = match entry.event.as_str() {
                    "paid_in" => 1,
                    "no_sale" => 0,
                    _ => -1,
                };
                let story = sessions.entry(text("session_id")).or_default();
                story.cash = story.cash.saturating_add(int("amount").saturating_mul(sign));
            }
            "session_close" => {
                if let Some(story) = sessions.get(&text("id")).filter(|s| s.opened) {
                    if int("expected_cash") != story.cash {
                        bad(format!(
                            "the close states expected cash {}, the session's entries add up to {} (a running total was edited)",
                            int("expected_cash"),
                            story.cash
                        ));
                    }
                }
            }
            "z_report" => {
                if let Some(story) = sessions.get(&text("session_id")).filter(|s| s.opened) {
                    if (int("sales_total"), int("refunds_total")) != (story.sales, story.refunds) {
                        bad("the Z's sales or refunds differ from its session's receipts".into());
                    }
                }
                let (number, grand_sales, grand_refunds) = (int("z_number"), int("grand_sales"), int("grand_refunds"));
                if let Some((last, sales, refunds)) = last_z {
                    if number != last + 1 {
                        bad(format!("Z {number} follows Z {last}"));
                    }
                    let moved =
                        (sales.saturating_add(int("sales_total")), refunds.saturating_add(int("refunds_total")));
                    if (grand_sales, grand_refunds) != moved {
                        bad("the grand totals did not move by exactly this Z's session".into());
                    }
                }
                last_z = Some((number, grand_sales, grand_refunds));
            }
            _ => {}
        }
    }
}

/// Checks one chain: its entries in order (as read by seq), its head row, the Z anchors on it,
/// and the business rows it must cover, with the names they print checked against `staff`.
/// Returns every problem found, by position (it goes on past the first: an auditor wants the
/// whole extent of a tampering, not just where it starts).
pub fn verify_chain(
    head: &ChainHead,
    entries: &[JournalEntry],
    anchors: &[ZAnchor],
    expected: &[ExpectedEntry],
    staff: &JournaledStaff,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem = |seq: i64, what: String| problems.push(Problem { chain_id: head.chain_id, seq, what });
    let mut prev = GENESIS.to_string();
    let mut want_seq = 1;
    for entry in entries {
        if entry.seq != want_seq {
            let missing = if entry.seq > want_seq + 1 {
                format!("entries {want_seq} to {} are missing", entry.seq - 1)
            } else {
                format!("entry {want_seq} is missing (the next stored is {})", entry.seq)
            };
            problem(want_seq, missing);
        } else if entry.prev_hash != prev {
            problem(entry.seq, "its previous hash is not the hash of the entry before it (an entry was removed, reordered or rewritten)".into());
        }
        if entry_hash(&entry.prev_hash, &entry.body) != entry.hash {
            problem(entry.seq, "its hash does not match its content (the entry was edited)".into());
        }
        match serde_json::from_str::<Value>(&entry.body) {
            Err(e) => problem(entry.seq, format!("its body is not JSON: {e}")),
            Ok(body) => {
                let stated = |key: &str| body.get(key).cloned().unwrap_or(Value::Null);
                if stated("seq") != json!(entry.seq)
                    || stated("chain") != json!(entry.chain_id)
                    || stated("event") != json!(entry.event)
                    || stated("ref") != json!(entry.ref_id)
                    || stated("user") != json!(entry.user_id)
                    || stated("device") != json!(entry.device)
                {
                    problem(entry.seq, "its columns differ from its hashed body (moved or edited)".into());
                }
            }
        }
        prev = entry.hash.clone();
        want_seq = entry.seq.saturating_add(1);
    }
    let last = entries.last().map_or(0, |e| e.seq);
    if head.seq != last || (last > 0 && head.hash != prev) {
        problem(last + 1, format!("the chain ends at {last} but its head says {} (a truncated tail)", head.seq));
    }
    for anchor in anchors {
        match entries.iter().find(|e| e.seq == anchor.journal_seq) {
            Some(e) if e.hash == anchor.journal_head => {}
            Some(e) => {
                problem(e.seq, format!("Z {} anchored another hash here (the chain was rewritten)", anchor.z_number))
            }
            None => problem(
                last + 1,
                format!(
                    "Z {} anchored entry {}, which is gone (a truncated tail)",
                    anchor.z_number, anchor.journal_seq
                ),
            ),
        }
    }
    // Each Z recorded the staff chain's head at its close: the staff chain must still have that
    // entry, so a Z's printed anchor pins the staff changes before it too.
    for entry in entries.iter().filter(|e| e.event == "z_report") {
        let payload = serde_json::from_str::<Value>(&entry.body).ok().and_then(|b| b.get("payload").cloned());
        let Some(payload) = payload else { continue };
        let (Some(seq), Some(hash)) =
            (payload.get("staff_seq").and_then(Value::as_i64), payload.get("staff_hash").and_then(Value::as_str))
        else {
            continue; // a Z from before Zs recorded it
        };
        if seq > 0 && staff.hashes.get(&seq).map(String::as_str) != Some(hash) {
            problems.push(Problem {
                chain_id: head.chain_id,
                seq: entry.seq,
                what: format!(
                    "this Z recorded the staff chain's entry {seq} with another hash than it has now (the staff chain was rewritten)"
                ),
            });
        }
    }
    check_cash_story(head.chain_id, entries, &mut problems);
    let mut problem = |seq: i64, what: String| problems.push(Problem { chain_id: head.chain_id, seq, what });
    // Entry to row: every entry of a business event names a row that still exists (at or after
    // the journal's start): a deleted or backdated row is caught even though its entry is sound.
    for entry in entries {
        let business = BUSINESS_EVENTS.contains(&entry.event.as_str());
        let has_row = expected.iter().any(|w| w.event == entry.event && Some(w.reference) == entry.ref_id);
        if business && !has_row {
            problem(
                entry.seq,
                format!("its {} row is gone (deleted, or its time moved before the journal began)", entry.event),
            );
        }
    }
    // Row to entry: the row's facts, actor and printed names are what its (last) entry says.
    for want in expected {
        let found = entries.iter().rev().find(|e| e.event == want.event && e.ref_id == Some(want.reference));
        let Some(entry) = found else {
            if want.required {
                problem(last + 1, format!("{} {} has no journal entry", want.event, want.reference));
            }
            continue;
        };
        let payload = serde_json::from_str::<Value>(&entry.body).ok().and_then(|b| b.get("payload").cloned());
        if let (Some(payload), Value::Object(facts)) = (payload, &want.facts) {
            for (key, value) in facts {
                // A key an older entry never had reads as null: a fact added later is checked
                // from then on, and null (none) matches its absence.
                if payload.get(key).unwrap_or(&Value::Null) != value {
                    problem(
                        entry.seq,
                        format!(
                            "the {} row's {key} is {value}, its journal entry says {} (the row was edited)",
                            want.event,
                            payload.get(key).unwrap_or(&Value::Null)
                        ),
                    );
                }
            }
        }
        if want.user != entry.user_id {
            problem(
                entry.seq,
                format!(
                    "the {} row says user {} acted, its journal entry says {} (the row was edited)",
                    want.event,
                    want.user.map_or("none".into(), |u| u.to_string()),
                    entry.user_id.map_or("none".into(), |u| u.to_string())
                ),
            );
        }
        for (user, name) in &want.names {
            if let Some(journaled) = staff.name_at(*user, entry.at).filter(|journaled| journaled != name) {
                problem(
                    entry.seq,
                    format!(
                        "the {} row prints the name {name:?} for user {user}, the staff journal says {journaled:?} (the row was edited)",
                        want.event
                    ),
                );
            }
        }
    }
    problems.sort_by_key(|p| p.seq);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> (ChainHead, Vec<JournalEntry>) {
        chain_of("reprint", n)
    }

    fn chain_of(event: &'static str, n: i64) -> (ChainHead, Vec<JournalEntry>) {
        let chain_id = Uuid::now_v7();
        let mut prev = GENESIS.to_string();
        let mut entries = Vec::new();
        for seq in 1..=n {
            let new = NewEntry {
                chain: chain_id,
                at: crate::clock::system_now(),
                device: "pc".into(),
                user: None,
                event,
                reference: Some(Uuid::now_v7()),
                payload: json!({ "total": seq * 100 }),
            };
            let body = new.body(seq);
            let hash = entry_hash(&prev, &body);
            entries.push(JournalEntry {
                chain_id,
                seq,
                at: new.at,
                device: new.device,
                user_id: None,
                event: event.into(),
                ref_id: new.reference,
                body,
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        (ChainHead { chain_id, seq: n, hash: prev }, entries)
    }

    #[test]
    fn a_sound_chain_verifies_and_each_tampering_is_found_where_it_is() {
        let (head, entries) = chain(5);
        assert!(verify_chain(&head, &entries, &[], &[], &JournaledStaff::default()).is_empty());

        let mut edited = entries.clone();
        edited[2].body = edited[2].body.replace("300", "30");
        assert_eq!(verify_chain(&head, &edited, &[], &[], &JournaledStaff::default()).first().map(|p| p.seq), Some(3));

        let mut deleted = entries.clone();
        deleted.remove(1);
        assert_eq!(verify_chain(&head, &deleted, &[], &[], &JournaledStaff::default()).first().map(|p| p.seq), Some(2));

        let mut swapped = entries.clone();
        swapped.swap(1, 2);
        (swapped[1].seq, swapped[2].seq) = (2, 3);
        assert_eq!(verify_chain(&head, &swapped, &[], &[], &JournaledStaff::default()).first().map(|p| p.seq), Some(2));

        let truncated = &entries[..3];
        assert_eq!(
            verify_chain(&head, truncated, &[], &[], &JournaledStaff::default()).first().map(|p| p.seq),
            Some(4)
        );
        // The head row rewritten to match: the Z's anchor still catches it.
        let forged = ChainHead { chain_id: head.chain_id, seq: 3, hash: entries[2].hash.clone() };
        let anchor = ZAnchor {
            register_id: RegisterId(head.chain_id),
            z_number: 1,
            session_id: SessionId::new(),
            journal_seq: 5,
            journal_head: entries[4].hash.clone(),
        };
        assert!(verify_chain(&forged, truncated, &[], &[], &JournaledStaff::default()).is_empty());
        assert_eq!(
            verify_chain(&forged, truncated, &[anchor], &[], &JournaledStaff::default()).first().map(|p| p.seq),
            Some(4)
        );
    }

    #[test]
    fn a_business_row_must_match_its_entry() {
        let (head, entries) = chain_of("sale", 2);
        let row = |i: usize, total: i64| ExpectedEntry {
            event: "sale".into(),
            reference: entries[i].ref_id.unwrap_or_default(),
            facts: json!({ "total": total }),
            required: true,
            user: None,
            names: Vec::new(),
        };
        assert!(verify_chain(&head, &entries, &[], &[row(0, 100), row(1, 200)], &JournaledStaff::default()).is_empty());
        // An edited row.
        assert_eq!(
            verify_chain(&head, &entries, &[], &[row(0, 100), row(1, 1)], &JournaledStaff::default())
                .first()
                .map(|p| p.seq),
            Some(2)
        );
        // A row with no entry.
        let unjournaled = ExpectedEntry { reference: Uuid::now_v7(), ..row(1, 200) };
        let found =
            verify_chain(&head, &entries, &[], &[row(0, 100), row(1, 200), unjournaled], &JournaledStaff::default());
        assert_eq!(found.first().map(|p| p.seq), Some(3));
        // An entry whose row is gone.
        assert_eq!(
            verify_chain(&head, &entries, &[], &[row(0, 100)], &JournaledStaff::default()).first().map(|p| p.seq),
            Some(2)
        );
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = json!({ "b": 1, "a": { "d": [1, { "y": 2, "x": "q" }], "c": null } });
        assert_eq!(canonical_json(&value), r#"{"a":{"c":null,"d":[1,{"x":"q","y":2}]},"b":1}"#);
    }

    #[test]
    fn the_hash_is_sha256_of_the_previous_hash_then_the_body() {
        // sha256("") is the well-known e3b0c442...; with the genesis prefix it is the hash of
        // 64 ASCII zeros.
        assert_eq!(entry_hash("", ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(entry_hash(GENESIS, "x"), entry_hash("", &format!("{GENESIS}x")));
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let (head, mut entries) = chain(5);
        // Only the amounts: a UUID or a time in the body may contain the same digits.
        entries[1].body = entries[1].body.replace("\"total\":200", "\"total\":20");
        entries[3].body = entries[3].body.replace("\"total\":400", "\"total\":40");
        let found: Vec<i64> =
            verify_chain(&head, &entries, &[], &[], &JournaledStaff::default()).iter().map(|p| p.seq).collect();
        assert_eq!(found, vec![2, 4]);
    }

    #[test]
    fn a_printed_name_or_actor_must_be_what_the_journal_says() {
        let user = Uuid::now_v7();
        let (_, mut staff_entries) = chain_of(USER_EVENT, 1);
        staff_entries[0].ref_id = Some(user);
        staff_entries[0].body = json!({ "payload": { "name": "alice", "role": "cashier" } }).to_string();
        let staff = JournaledStaff::from_entries(&staff_entries);
        let (head, entries) = chain_of("sale", 1);
        let row = |name: &str, by: Option<Uuid>| ExpectedEntry {
            event: "sale".into(),
            reference: entries[0].ref_id.unwrap_or_default(),
            facts: json!({}),
            required: true,
            user: by,
            names: vec![(user, name.into())],
        };
        assert!(verify_chain(&head, &entries, &[], &[row("alice", None)], &staff).is_empty());
        let renamed = verify_chain(&head, &entries, &[], &[row("mallory", None)], &staff);
        assert!(renamed.len() == 1 && renamed[0].what.contains("mallory"), "{renamed:?}");
        let other_actor = verify_chain(&head, &entries, &[], &[row("alice", Some(user))], &staff);
        assert!(other_actor.len() == 1 && other_actor[0].what.contains("acted"), "{other_actor:?}");
    }

    #[test]
    fn a_row_prints_the_name_its_user_had_when_it_was_made() {
        let user = Uuid::now_v7();
        let t = |minutes: i64| crate::clock::system_now() + chrono::Duration::minutes(minutes);
        let (_, mut staff_entries) = chain_of(USER_EVENT, 2);
        for (entry, (name, at)) in staff_entries.iter_mut().zip([("alice", t(0)), ("alice.smith", t(10))]) {
            (entry.ref_id, entry.at) = (Some(user), at);
            entry.body = json!({ "payload": { "name": name } }).to_string();
        }
        let staff = JournaledStaff::from_entries(&staff_entries);
        let (head, mut entries) = chain_of("sale", 1);
        let check = |entries: &[JournalEntry], name: &str| {
            let row = ExpectedEntry {
                event: "sale".into(),
                reference: entries[0].ref_id.unwrap_or_default(),
                facts: json!({}),
                required: true,
                user: None,
                names: vec![(user, name.into())],
            };
            verify_chain(&head, entries, &[], &[row], &staff).len()
        };
        // A sale before the rename prints the old name; after it, the new one.
        entries[0].at = t(5);
        assert_eq!((check(&entries, "alice"), check(&entries, "alice.smith")), (0, 1));
        entries[0].at = t(15);
        assert_eq!((check(&entries, "alice"), check(&entries, "alice.smith")), (1, 0));
        // A sale from before the staff journal began: the first name it journaled.
        entries[0].at = t(-60);
        assert_eq!(check(&entries, "alice"), 0);
    }

    #[test]
    fn a_z_pins_the_staff_chain_as_it_was_at_the_close() {
        let (_, staff_entries) = chain_of(USER_EVENT, 3);
        let (head, mut entries) = chain_of("z_report", 1);
        let z_body = |hash: &str| {
            let mut body: Value = serde_json::from_str(&entries[0].body).unwrap_or_default();
            body["payload"] = json!({ "z_number": 1, "staff_seq": 2, "staff_hash": hash });
            body.to_string()
        };
        let kept = z_body(&staff_entries[1].hash);
        (entries[0].body, entries[0].hash) = (kept.clone(), entry_hash(GENESIS, &kept));
        let head = ChainHead { hash: entries[0].hash.clone(), ..head };
        let staff = JournaledStaff::from_entries(&staff_entries);
        let row = [ExpectedEntry {
            event: "z_report".into(),
            reference: entries[0].ref_id.unwrap_or_default(),
            facts: json!({}),
            required: true,
            user: None,
            names: Vec::new(),
        }];
        assert_eq!(verify_chain(&head, &entries, &[], &row, &staff).len(), 0);
        // The staff chain re-chained after the Z: its entry 2 has another hash now.
        let mut rewritten = staff_entries.clone();
        rewritten[1].hash = "f".repeat(64);
        let found = verify_chain(&head, &entries, &[], &row, &JournaledStaff::from_entries(&rewritten));
        assert!(found.len() == 1 && found[0].what.contains("staff chain was rewritten"), "{found:?}");
    }
}
