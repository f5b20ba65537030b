//! Cash control, reports and the journal: the rules the app and tillctl share.

use super::require_manager;
use crate::anchor::JournalAnchor;
use crate::cash::{DenominationCount, MovementKind, NewCashMovement, MAX_NOTE_CHARS};
use crate::catalog::ProductKey;
use crate::domain::*;
use crate::error::{Entity, InputError, Refusal, StoreError, TillError};
use crate::journal::{verify_chain, ChainReport, JournalEntry, JournaledStaff, VerifyReport};
use crate::money::{CashAmount, Money};
use crate::reports::{x_report as build_x, z_report as build_z, XReport, ZReport};
use crate::store::*;
use crate::voids::{NewVoid, VoidKind, VoidLine, VoidRecorded};
use chrono::Utc;
use serde::Serialize;

fn invalid(field: &'static str, reason: impl Into<String>) -> TillError {
    InputError::Invalid { field, reason: reason.into() }.into()
}

/// A movement as typed (the app's form, tillctl's flags).
#[derive(Debug, Clone)]
pub struct MovementRequest<'a> {
    pub id: MovementId,
    pub kind: MovementKind,
    /// `None` for a no-sale.
    pub amount: Option<CashAmount<'a>>,
    pub reason: &'a str,
    pub note: Option<&'a str>,
}

/// Records a paid in, paid out, drop or no-sale into the register's open session. A paid out or
/// drop above the location's limit needs `approval`, a manager's name and PIN, which the store
/// checks with this movement (a logged-in manager approves their own). Bad input writes nothing.
pub async fn record_movement(
    store: &dyn Store,
    who: &Authenticated,
    approval: Option<Credentials>,
    register: &RegisterRef,
    device: &DeviceName,
    request: MovementRequest<'_>,
) -> Result<crate::cash::CashMovement, TillError> {
    let register = store.find_register(register).await?;
    let amount = match (request.kind, request.amount) {
        (MovementKind::NoSale, None) => 0,
        (MovementKind::NoSale, Some(_)) => return Err(invalid("amount", "a no-sale has no amount")),
        (_, None) => return Err(invalid("amount", format!("a {} needs an amount", request.kind.as_str()))),
        (_, Some(sent)) => {
            let amount = sent.in_currency(register.currency)?;
            if amount.minor() == 0 {
                // The same answer as every other bad amount (a script matches on one code).
                let reason = format!("a {} must be more than zero", request.kind.as_str().replace('_', " "));
                return Err(InputError::InvalidAmount { input: sent.as_sent(), reason }.into());
            }
            amount.minor()
        }
    };
    let reason = request.reason.trim();
    let note = request.note.map(str::trim).filter(|n| !n.is_empty());
    // The request's fingerprint names the register, never the session: a retry after the
    // session closed is the same request, and answers its first outcome before anything about
    // the present (the open session, the limit) is looked up.
    let fingerprint = serde_json::json!({
        "kind": request.kind.as_str(), "amount": amount, "reason": reason, "note": note,
        "register": register.id.0, "user": who.user.id.0,
    });
    let request_hash = crate::journal::sha256_hex(fingerprint.to_string().as_bytes());
    if let Some(prior) = store.prior_movement(request.id).await? {
        return Ok(prior.answer(&request_hash, "cash movement")?);
    }
    let location = store.find_location(&LocationCode::parse(&register.location_code)?).await?;
    let session = match store.latest_session(register.id).await? {
        Some(s) if s.status == SessionStatus::Open => s,
        _ => return Err(Refusal::NoOpenSession { register: register.address.clone() }.into()),
    };
    let reasons = store.cash_reasons(&LocationCode::parse(&location.code)?).await?;
    let offered: Vec<&str> = reasons.iter().filter(|r| r.kind == request.kind).map(|r| r.code.as_str()).collect();
    if !offered.contains(&reason) {
        return Err(StoreError::unknown_reason(reason, request.kind.as_str(), &location.code, &offered).into());
    }
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS || n.chars().any(char::is_control)) {
        return Err(invalid("note", format!("at most {MAX_NOTE_CHARS} characters, one line")));
    }
    let totals = store.session_totals(session.id).await?;
    let needs_manager =
        request.kind.needs_manager(amount, totals.paid_out_total + totals.drops_total, location.cash_out_limit_minor);
    if needs_manager && approval.is_none() && !who.user.role.is_manager() {
        return Err(Refusal::ApprovalNeeded(format!(
            "a {} above {}",
            request.kind.as_str().replace('_', " "),
            Money::from_minor(location.cash_out_limit_minor, session.currency)
        ))
        .into());
    }
    let movement = NewCashMovement {
        id: request.id,
        session_id: session.id,
        register_id: register.id,
        kind: request.kind,
        amount,
        reason: reason.to_string(),
        note: note.map(str::to_string),
        // An approval is spent only where one is needed.
        actor: Actor { login: who.login.clone(), approval: approval.filter(|_| needs_manager) },
        device: device.clone(),
        request_hash,
    };
    Ok(store.record_movement(movement).await?.0)
}

/// A force-close as asked for.
#[derive(Debug, Clone)]
pub struct ForceCloseRequest<'a> {
    pub request_id: RequestId,
    pub session: &'a SessionRef,
    pub reason: &'a str,
    /// A till's device acts on its own location's sessions only (its banner lists them);
    /// `None` from tillctl, which IT runs for any location.
    pub only_location: Option<LocationId>,
}

/// Closes a forgotten session without a count (a manager, with a reason).
/// `approval`: the manager's name and PIN when the login is not a manager's.
pub async fn force_close(
    store: &dyn Store,
    who: &Authenticated,
    approval: Option<Credentials>,
    device: &DeviceName,
    request: ForceCloseRequest<'_>,
) -> Result<Session, TillError> {
    let ForceCloseRequest { request_id, session, reason, only_location } = request;
    if approval.is_none() {
        require_manager(&who.user)?;
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(invalid("reason", "a force-close needs a reason of 1 to 200 characters"));
    }
    let session = session_at(store, session, only_location).await?;
    let close = ForceClose {
        request_id,
        session: session.id,
        actor: Actor { login: who.login.clone(), approval },
        reason: reason.to_string(),
        device: device.clone(),
    };
    Ok(store.force_close(close).await?)
}

/// The session `reference` names, of `location` when one is given: another location's session is
/// answered as not found there, as a till's device sees only its own location's.
async fn session_at(
    store: &dyn Store,
    reference: &SessionRef,
    location: Option<LocationId>,
) -> Result<Session, TillError> {
    let session = store.find_session(reference).await?;
    match location {
        Some(here) if session.location_id != here => {
            Err(StoreError::not_found(Entity::Session, format!("{reference} at this location")).into())
        }
        _ => Ok(session),
    }
}

/// What a manager signs for when a count is off: the expected cash, the count and the
/// difference. A blind count keeps them from the counter, not from the manager who signs.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SignOffFigures {
    #[ts(type = "string")]
    pub currency: crate::money::Currency,
    #[ts(type = "number")]
    pub expected_cash: i64,
    #[ts(type = "number")]
    pub counted_cash: i64,
    /// Counted minus expected: above zero over, below zero short.
    #[ts(type = "number")]
    pub variance: i64,
    /// Above the location's limit: the close needs the manager's reason.
    pub needs_sign_off: bool,
    /// The manager whose PIN was checked.
    pub manager: String,
}

/// The figures of [`SignOffFigures`] for `counted` in `session` (open, or force-closed and
/// waiting for its count), shown only after the store checked `approval`: an active manager's
/// PIN (a wrong one counts towards the lockout). The check is a login of the manager on this
/// device, ended at once: its row in `logins` says who looked, where and when.
pub async fn sign_off_figures(
    store: &dyn Store,
    approval: &Credentials,
    device: &DeviceName,
    session: &SessionRef,
    counted: CashAmount<'_>,
    only_location: Option<LocationId>,
) -> Result<SignOffFigures, TillError> {
    let session = session_at(store, session, only_location).await?;
    let counted = counted.in_currency(session.currency)?;
    let manager = check_approval(store, approval, device).await?;
    let expected = match session.status {
        SessionStatus::Open => store.session_totals(session.id).await?.expected_cash,
        SessionStatus::Closed if session.count_pending => session.expected_cash.map_or(0, |m| m.minor()),
        SessionStatus::Closed => return Err(Refusal::NoCountPending(session.number).into()),
    };
    let location = store.find_location(&LocationCode::parse(&session.location_code)?).await?;
    let variance = counted.minor() - expected;
    Ok(SignOffFigures {
        currency: session.currency,
        expected_cash: expected,
        counted_cash: counted.minor(),
        variance,
        needs_sign_off: crate::cash::VarianceLimit::of(&location).exceeded_by(variance),
        manager: manager.name,
    })
}

/// A manager's name and PIN checked now, as the store checks a login (a wrong PIN counts
/// towards the lockout; a locked or inactive user is refused), for a screen that asks when a
/// thing is given rather than when it is recorded: a discount above the limit or a new price
/// is approved as the cashier gives it. It approves nothing by itself: the receipt carries the
/// approval, and the store checks it again with the receipt it approves.
pub async fn check_approval(store: &dyn Store, approval: &Credentials, device: &DeviceName) -> Result<User, TillError> {
    let manager = store.check_pin(approval, device).await?;
    store.logout(&manager.login).await?;
    require_manager(&manager.user)?;
    Ok(manager.user)
}

/// A late count as typed.
#[derive(Debug, Clone)]
pub struct LateCountRequest<'a> {
    pub session: &'a SessionRef,
    /// As [`ForceCloseRequest::only_location`].
    pub only_location: Option<LocationId>,
    pub counted_cash: CashAmount<'a>,
    /// `None`: nothing left in the drawer (a forgotten drawer is emptied to the safe).
    pub float_left: Option<CashAmount<'a>>,
    pub denominations: Vec<DenominationCount>,
    pub variance_reason: Option<&'a str>,
}

/// The late count of a force-closed session, which completes its Z. `approval`: the manager's
/// name and PIN when the login is not a manager's.
pub async fn late_count(
    store: &dyn Store,
    who: &Authenticated,
    approval: Option<Credentials>,
    device: &DeviceName,
    request: LateCountRequest<'_>,
) -> Result<Session, TillError> {
    let LateCountRequest { session, only_location, counted_cash, float_left, denominations, variance_reason } = request;
    if approval.is_none() {
        require_manager(&who.user)?;
    }
    let session = session_at(store, session, only_location).await?;
    let counted = counted_cash.in_currency(session.currency)?;
    DenominationCount::check_adds_up(&denominations, counted, "the counted cash")?;
    let float_left = match float_left {
        Some(float) => float.in_currency(session.currency)?,
        None => Money::from_minor(0, session.currency),
    };
    if float_left.minor() > counted.minor() {
        return Err(invalid("float left", format!("{float_left} is more than the {counted} counted")));
    }
    let count = LateCount {
        session: session.id,
        actor: Actor { login: who.login.clone(), approval },
        counted_cash: counted,
        float_left,
        denominations,
        variance_reason: variance_reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
        device: device.clone(),
    };
    Ok(store.late_count(count).await?)
}

/// Counts a receipt printed again, on the register's open session.
pub async fn record_reprint(
    store: &dyn Store,
    who: &Authenticated,
    register: &RegisterRef,
    device: &DeviceName,
    number: &str,
) -> Result<(), TillError> {
    let register = store.find_register(register).await?;
    let session = match store.latest_session(register.id).await? {
        Some(s) if s.status == SessionStatus::Open => s,
        _ => return Err(Refusal::NoOpenSession { register: register.address.clone() }.into()),
    };
    Ok(store.record_reprint(session.id, number.trim(), &who.login, device).await?)
}

/// A void as the till sends it: its id (the UI's request id, reused on a retry), what the
/// cashier did, and the products and quantities taken off. No money: the store prices it.
#[derive(Debug, Clone)]
pub struct VoidRequest<'a> {
    pub id: VoidId,
    pub kind: VoidKind,
    pub lines: &'a [VoidLine],
}

/// Records a void (lines taken off a sale before it was paid) in the register's open session,
/// by the logged-in user. Its amount is the catalog's list price of each product times its
/// quantity (see [`crate::voids::amount`]), read by the store: a till names products, never
/// prices. The products are looked up as a sale's are, in the session's location's catalog
/// (another location's or an unknown one is `product_not_found`); an inactive product is still
/// the location's, and a line of it taken off a cart is voided like any other. Lines are bounded
/// as a sale's ([`crate::voids::check_lines`]). Bad input writes nothing. A retry of `id` with
/// the same request answers the first void, whatever happened since (the session closed);
/// another request under it is `idempotency_conflict`.
pub async fn record_void(
    store: &dyn Store,
    who: &Authenticated,
    register: &RegisterRef,
    device: &DeviceName,
    request: VoidRequest<'_>,
) -> Result<VoidRecorded, TillError> {
    crate::voids::check_lines(request.lines)?;
    let register = store.find_register(register).await?;
    // As a movement's: the register and the user, never the session, so a retry after the
    // session closed is the same request.
    let fingerprint = serde_json::json!({
        "kind": request.kind.as_str(), "lines": request.lines, "register": register.id.0, "user": who.user.id.0,
    });
    let request_hash = crate::journal::sha256_hex(fingerprint.to_string().as_bytes());
    if let Some(prior) = store.prior_void(request.id).await? {
        return Ok(prior.answer(&request_hash, "void")?);
    }
    let session = match store.latest_session(register.id).await? {
        Some(s) if s.status == SessionStatus::Open => s,
        _ => return Err(Refusal::NoOpenSession { register: register.address.clone() }.into()),
    };
    let location = LocationCode::parse(&session.location_code)?;
    let keys: Vec<ProductKey> = request.lines.iter().map(|l| ProductKey::Id(l.product_id)).collect();
    let products = store.find_products(&location, &keys).await?;
    // Refused here with the sale's code (`invalid_amount`); the store prices it again, from the
    // catalog as its transaction reads it.
    crate::voids::amount(products.iter().zip(request.lines).map(|(p, l)| (p.price_minor, l.quantity)))?;
    let void = NewVoid {
        id: request.id,
        session_id: session.id,
        register_id: register.id,
        kind: request.kind,
        lines: request.lines.to_vec(),
        login: who.login.clone(),
        device: device.clone(),
        request_hash,
    };
    Ok(store.record_void(void).await?)
}

/// Who asks for a report, the totals, a receipt or the day view: IT at tillctl, or a user of the
/// app at a register.
#[derive(Debug, Clone, Copy)]
pub enum Asker<'a> {
    /// IT at tillctl (named on the report): reads every location's.
    It(&'a str),
    /// A user held to no location: only the role rules apply. No command of the app asks so
    /// (it asks as [`Asker::UserAt`]); the contract tests of the blind count do.
    User(&'a User),
    /// A user of the app, as the database has them now (not as they logged in), working at a
    /// register of `location`: reads only that location's ([`Asker::may_read`]).
    UserAt { user: &'a User, location: LocationId },
}

/// What an [`Asker`] reads, for [`Asker::may_read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading<'a> {
    /// A receipt, by its number (to show, refund or reprint it).
    Receipt(&'a str),
    /// A session's X or Z report or running totals, by its number.
    Session(&'a str),
    /// The day view: a location's sessions of a business day, with their variances.
    DayView,
}

impl Asker<'_> {
    fn name(&self) -> &str {
        match self {
            Asker::It(name) => name,
            Asker::User(user) | Asker::UserAt { user, .. } => &user.name,
        }
    }

    /// Who may read what of location `of`, written once. IT reads everything. A user at a
    /// register ([`Asker::UserAt`]) reads only that register's location's: another location's
    /// receipt or session answers `receipt_not_found` / `session_not_found`, as if it were not
    /// there (stores sharing a database never see each other's), and its day view
    /// `location_not_found`. The day view is a manager's or an admin's (`forbidden` for a
    /// cashier). The blind count narrows an X further ([`Asker::may_see_drawer`]).
    pub fn may_read(&self, reading: Reading<'_>, of: LocationId) -> Result<(), StoreError> {
        let (user, here) = match self {
            Asker::It(_) => return Ok(()),
            Asker::User(user) => (user, None),
            Asker::UserAt { user, location } => (user, Some(*location)),
        };
        if here.is_some_and(|here| here != of) {
            return Err(match reading {
                Reading::Receipt(number) => {
                    StoreError::not_found(Entity::Receipt, format!("{number} at this location"))
                }
                Reading::Session(number) => {
                    StoreError::not_found(Entity::Session, format!("{number} at this location"))
                }
                Reading::DayView => StoreError::not_found(Entity::Location, format!("{of} (not this register's)")),
            });
        }
        if reading == Reading::DayView && !user.role.is_manager() {
            return Err(Refusal::Forbidden { user: user.name.clone(), role: user.role.to_string() }.into());
        }
        Ok(())
    }

    /// The blind count, written once: while a store counts blind, nobody but a manager (or IT)
    /// sees an open drawer's expected cash, so whoever counts at close counts without it.
    fn may_see_drawer(&self, location: &Location, session: &Session) -> bool {
        match self {
            Asker::It(_) => true,
            Asker::User(user) | Asker::UserAt { user, .. } => {
                user.role.is_manager() || !location.blind_close || session.status != SessionStatus::Open
            }
        }
    }
}

/// A session's running totals as `asker` may see them: of their location only, the drawer
/// hidden from a cashier while the store counts blind.
pub async fn session_totals(
    store: &dyn Store,
    session: &Session,
    asker: Asker<'_>,
) -> Result<crate::sales::SessionTotals, TillError> {
    asker.may_read(Reading::Session(&session.number), session.location_id)?;
    let location = store.find_location(&LocationCode::parse(&session.location_code)?).await?;
    let totals = store.session_totals(session.id).await?;
    Ok(if asker.may_see_drawer(&location, session) {
        crate::sales::SessionTotals { expected_hidden: crate::cash::expected_cash_hidden(&location, session), ..totals }
    } else {
        totals.without_drawer()
    })
}

/// The X report of a session (open or closed), from its running totals; of the asker's location
/// only ([`Asker::may_read`]). While the store counts blind, the X of an open drawer is a
/// manager's.
pub async fn x_report(store: &dyn Store, session: &SessionRef, asker: Asker<'_>) -> Result<XReport, TillError> {
    let session = store.find_session(session).await?;
    asker.may_read(Reading::Session(&session.number), session.location_id)?;
    let register = store.find_register(&RegisterRef::Id(session.register_id)).await?;
    let location = store.find_location(&LocationCode::parse(&session.location_code)?).await?;
    if !asker.may_see_drawer(&location, &session) {
        return Err(Refusal::ApprovalNeeded(
            "the X report of an open drawer is a manager's while this store counts blind".into(),
        )
        .into());
    }
    let totals = store.session_totals(session.id).await?;
    Ok(build_x(&location, &register, &session, &totals, asker.name(), store.now()))
}

/// The Z report of a closed session: its X at the close and what the close recorded; of the
/// asker's location only ([`Asker::may_read`]).
pub async fn z_report(store: &dyn Store, session: &SessionRef, asker: Asker<'_>) -> Result<ZReport, TillError> {
    let session = store.find_session(session).await?;
    asker.may_read(Reading::Session(&session.number), session.location_id)?;
    let z = store.z_record(session.id).await?.ok_or_else(|| {
        invalid(
            "session",
            format!("session {} is open: it has no Z report yet (an X report shows it now)", session.number),
        )
    })?;
    let x = x_report(store, &SessionRef::Id(session.id), asker).await?;
    let denominations = store.closing_count(session.id).await?;
    let mut report = build_z(x, &session, z, denominations);
    report.opening_denominations = store.opening_count(session.id).await?;
    Ok(report)
}

/// One bookkeeper's row per Z report in a date range (by business day).
#[derive(Debug, Clone, Serialize)]
pub struct ZRow {
    pub location: String,
    pub register: String,
    pub z_number: i64,
    pub session: String,
    pub business_day: chrono::NaiveDate,
    pub closed_at: Option<chrono::DateTime<Utc>>,
    pub currency: String,
    pub first_receipt: Option<String>,
    pub last_receipt: Option<String>,
    pub receipts: i64,
    pub gross_sales: i64,
    pub discounts: i64,
    pub refunds: i64,
    pub net_sales: i64,
    pub tax: i64,
    pub cash_sales: i64,
    pub expected_cash: i64,
    pub counted_cash: Option<i64>,
    pub variance: Option<i64>,
    pub variance_reason: Option<String>,
    pub grand_sales: i64,
    pub grand_refunds: i64,
    pub grand_net: i64,
    pub journal_head: String,
}

pub async fn z_rows(store: &dyn Store, filter: &ZFilter, asker: Asker<'_>) -> Result<Vec<ZRow>, TillError> {
    let mut rows = Vec::new();
    for z in store.list_z(filter).await? {
        let report = z_report(store, &SessionRef::Id(z.session_id), asker).await?;
        let x = &report.x;
        rows.push(ZRow {
            location: x.header.location_code.clone(),
            register: x.header.register.clone(),
            z_number: report.z.z_number,
            session: x.header.session_number.clone(),
            business_day: x.header.business_day,
            closed_at: x.header.closed_at,
            currency: x.header.currency.clone(),
            first_receipt: report.z.first_receipt.clone(),
            last_receipt: report.z.last_receipt.clone(),
            receipts: x.sales.receipts,
            gross_sales: x.sales.gross_sales,
            discounts: x.sales.discounts.amount,
            refunds: x.sales.refunds.amount,
            net_sales: x.sales.net_sales,
            tax: x.sales.taxes.iter().map(|t| t.tax).sum(),
            cash_sales: x.drawer.cash_sales,
            expected_cash: x.drawer.expected_cash,
            counted_cash: report.counted_cash,
            variance: report.variance,
            variance_reason: report.variance_reason.clone(),
            grand_sales: report.z.grand_sales,
            grand_refunds: report.z.grand_refunds,
            grand_net: report.grand_net,
            journal_head: report.z.journal_head.clone(),
        });
    }
    Ok(rows)
}

/// How many entries are read at a time when walking a chain.
const PAGE: u32 = 5_000;

/// Every entry of a chain, in order.
pub async fn chain_entries(store: &dyn Store, chain: uuid::Uuid) -> Result<Vec<JournalEntry>, TillError> {
    let mut entries: Vec<JournalEntry> = Vec::new();
    loop {
        let after = entries.last().map_or(0, |e| e.seq);
        let page = store.journal_entries(chain, after, PAGE).await?;
        let done = page.len() < PAGE as usize;
        entries.extend(page);
        if done {
            return Ok(entries);
        }
    }
}

/// Recomputes every chain and checks it against the business rows (see
/// [`crate::journal::verify_chain`]).
/// `anchors` are printed anchors an auditor holds (receipts' and Zs' QR codes): each must
/// still be the entry at its position. They catch what the database alone cannot: an owner who
/// re-chains everything after a deleted or edited entry leaves a journal that checks out
/// against itself, but not against a receipt printed before.
pub async fn verify_journal(store: &dyn Store, anchors: &[JournalAnchor]) -> Result<VerifyReport, TillError> {
    let extra: Vec<uuid::Uuid> = anchors.iter().map(|a| a.chain).collect();
    // Every chain with entries or a head row, every register's, the staff chain and the
    // anchors' chains, read at one moment (a verify while the store sells sees no half-made
    // sale). Entries under an id that is no register's are walked and reported: a register's
    // id changed to leave a doctored copy of its chain beside the original.
    let snapshot = store.journal_snapshot(&extra).await?;
    // Registers by code, for people reading the report (`DT/R1` rather than a UUID alone).
    let addresses: std::collections::HashMap<uuid::Uuid, String> =
        store.list_registers(None).await?.into_iter().map(|r| (r.id.0, r.address)).collect();
    // The staff chain first: the names a register's rows print, and each Z's record of the
    // staff chain's head, are checked against it.
    let staff_entries = snapshot.chains.iter().find(|c| c.head.chain_id == crate::journal::STAFF_CHAIN);
    let staff = JournaledStaff::from_entries(staff_entries.map_or(&[][..], |c| &c.entries));
    let mut chains = Vec::new();
    let mut checked = Vec::new();
    for chain in &snapshot.chains {
        let (head, entries) = (&chain.head, &chain.entries);
        // Printed anchors are checked against the entries walked here, whose hashes this
        // verify recomputes: never against a stored hash alone.
        for anchor in anchors.iter().filter(|a| a.chain == head.chain_id) {
            checked.push(crate::journal::check_anchor(anchor, entries.iter().find(|e| e.seq == anchor.seq)));
        }
        if snapshot.start.is_none() || (entries.is_empty() && chain.expected.is_empty() && head.seq == 0) {
            continue;
        }
        let mut problems = verify_chain(head, entries, &chain.z_anchors, &chain.expected, &staff);
        let registered = head.chain_id == crate::journal::STAFF_CHAIN || snapshot.registers.contains(&head.chain_id);
        if !entries.is_empty() && !registered {
            problems.insert(
                0,
                crate::journal::Problem {
                    chain_id: head.chain_id,
                    seq: 1,
                    what: "these entries belong to no register (a register's id was changed, or rows were moved)"
                        .into(),
                },
            );
        }
        chains.push(ChainReport {
            chain_id: head.chain_id,
            register: addresses.get(&head.chain_id).cloned(),
            entries: i64::try_from(entries.len()).unwrap_or(i64::MAX),
            head_seq: head.seq,
            head_hash: head.hash.clone(),
            first_problem: problems.first().cloned(),
            problems,
        });
    }
    let ok = checked.iter().all(|c| c.ok) && chains.iter().all(|c| c.problems.is_empty());
    Ok(VerifyReport { ok, chains, anchors: checked })
}

/// A location's forgotten open sessions ([`crate::ForgottenRule`], the rule a start, a sale and a
/// force-close apply): the banner every device of the location shows; a manager force-closes
/// them.
pub async fn forgotten_sessions(store: &dyn Store, location: &LocationCode) -> Result<Vec<Session>, TillError> {
    let rule = crate::ForgottenRule::of(&store.find_location(location).await?)?;
    let filter = SessionFilter {
        location: Some(location.clone()),
        register: None,
        status: Some(SessionStatus::Open),
        limit: Some(1000),
    };
    let now = store.now();
    Ok(store
        .list_sessions(&filter)
        .await?
        .into_iter()
        .filter(|s| rule.is_forgotten(s.opened_at, s.business_day, now))
        .collect())
}

/// One session of a manager's day view (and a force-close's answer): its numbers and, once
/// closed, its Z.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DaySession {
    pub session: SessionView,
    pub z: Option<ZRecord>,
    /// A late count of this drawer shows no expected cash beside it
    /// ([`crate::cash::expected_cash_hidden`]).
    pub expected_hidden: bool,
}

impl DaySession {
    /// `session` of `location` as a manager's screens read it, with its Z.
    pub async fn of(store: &dyn Store, location: &Location, session: &Session) -> Result<DaySession, TillError> {
        Ok(DaySession {
            session: session.view(),
            z: store.z_record(session.id).await?,
            expected_hidden: crate::cash::expected_cash_hidden(location, session),
        })
    }
}

/// A location's sessions of one business day (newest first), each with its Z: a manager's, of
/// their register's location ([`Asker::may_read`]). `day` defaults to the location's business
/// day at `now`.
pub async fn day_view(
    store: &dyn Store,
    location: &LocationCode,
    day: Option<chrono::NaiveDate>,
    now: chrono::DateTime<Utc>,
    asker: Asker<'_>,
) -> Result<Vec<DaySession>, TillError> {
    let found = store.find_location(location).await?;
    asker.may_read(Reading::DayView, found.id)?;
    let day = match day {
        Some(day) => day,
        None => business_day(now, TimeZone::parse(&found.time_zone)?, Cutoff::parse(&found.cutoff)?),
    };
    let filter = SessionFilter { location: Some(location.clone()), register: None, status: None, limit: Some(1000) };
    let mut out = Vec::new();
    for session in store.list_sessions(&filter).await?.into_iter().filter(|s| s.business_day == day) {
        out.push(DaySession::of(store, &found, &session).await?);
    }
    Ok(out)
}

/// The opening count's notes and coins for a session just opened: they must add up to its
/// opening cash; recorded once (stored as rows, journaled).
pub async fn record_opening_count(
    store: &dyn Store,
    who: &Authenticated,
    session: SessionId,
    device: &DeviceName,
    denominations: Vec<DenominationCount>,
) -> Result<(), TillError> {
    if denominations.is_empty() {
        return Ok(());
    }
    let opened = store.find_session(&SessionRef::Id(session)).await?;
    DenominationCount::check_adds_up(&denominations, opened.opening_cash, "the opening cash")?;
    Ok(store.record_opening_count(session, &denominations, &who.login, device).await?)
}

/// Starts (or joins) a shift with the opening count's notes and coins: the count is checked
/// against the opening cash before anything is written, and recorded once a shift is opened
/// (a join has no opening count).
pub async fn start_shift_counted(
    store: &dyn Store,
    who: &Authenticated,
    register: &RegisterRef,
    device: &DeviceName,
    request: super::StartRequest<'_>,
    denominations: Vec<DenominationCount>,
) -> Result<ShiftStarted, TillError> {
    if let (false, Some(cash)) = (denominations.is_empty(), request.opening_cash) {
        let currency = store.find_register(register).await?.currency;
        DenominationCount::check_adds_up(&denominations, cash.in_currency(currency)?, "the opening cash")?;
    }
    let started = super::start_shift(store, who, register, device, request).await?;
    if !started.joined {
        record_opening_count(store, who, started.session.id, device, denominations).await?;
    }
    Ok(started)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        User {
            id: UserId::new(),
            name: role.as_str().into(),
            role,
            active: true,
            failed_pins: 0,
            locked_until: None,
            lockouts: 0,
            approves: role.is_manager(),
        }
    }

    #[test]
    fn a_user_reads_their_registers_location_and_only_a_manager_the_day_view() {
        let (here, elsewhere) = (LocationId::new(), LocationId::new());
        let ok = "ok";
        // (role, reading, of which location, answer)
        let table = [
            (Role::Cashier, Reading::Receipt("DT-R1-000001"), here, ok),
            (Role::Cashier, Reading::Session("DT-20250101-01"), here, ok),
            (Role::Cashier, Reading::DayView, here, "forbidden"),
            (Role::Cashier, Reading::Receipt("UP-R1-000001"), elsewhere, "receipt_not_found"),
            (Role::Cashier, Reading::Session("UP-20250101-01"), elsewhere, "session_not_found"),
            (Role::Cashier, Reading::DayView, elsewhere, "location_not_found"),
            (Role::Manager, Reading::Receipt("DT-R1-000001"), here, ok),
            (Role::Manager, Reading::Session("DT-20250101-01"), here, ok),
            (Role::Manager, Reading::DayView, here, ok),
            (Role::Manager, Reading::Receipt("UP-R1-000001"), elsewhere, "receipt_not_found"),
            (Role::Manager, Reading::Session("UP-20250101-01"), elsewhere, "session_not_found"),
            (Role::Manager, Reading::DayView, elsewhere, "location_not_found"),
            (Role::Admin, Reading::DayView, here, ok),
            (Role::Admin, Reading::Session("UP-20250101-01"), elsewhere, "session_not_found"),
        ];
        for (role, reading, of, answer) in table {
            let user = user(role);
            let asked = Asker::UserAt { user: &user, location: here }.may_read(reading, of);
            assert_eq!(asked.map_or_else(|e| e.code(), |()| ok), answer, "{role} reading {reading:?}");
            // Held to no location, only the role counts.
            let unscoped = if reading == Reading::DayView && role == Role::Cashier { "forbidden" } else { ok };
            let asked = Asker::User(&user).may_read(reading, of);
            assert_eq!(asked.map_or_else(|e| e.code(), |()| ok), unscoped, "{role} held to no location");
        }
        for reading in [Reading::Receipt("UP-R1-000001"), Reading::Session("UP-20250101-01"), Reading::DayView] {
            assert!(Asker::It("it").may_read(reading, elsewhere).is_ok(), "IT reads {reading:?} anywhere");
        }
    }
}
