//! Every refusal says what to do next. For each code in [`ErrorCode::ALL`], the errors of
//! till-core that answer it (with the words the stores and use cases really put in them) must
//! name a next step: a code added without an example here does not compile, and one whose
//! words give no step fails. The few codes with no step, or answered outside till-core, are
//! listed with the reason, and a listed code that does get words here fails too.

use chrono::{DateTime, Duration, Utc};
use till_core::*;

/// The words a next step starts with, matched at the start of a word, ignoring case. Kept
/// imperative: "not", "the" or "is" would pass every message and check nothing, and a bare
/// "check" passes "PIN check" (a noun).
const STEPS: &[&str] = &[
    "run `",
    "`tillctl ",
    "IT runs ",
    "ask ",
    "start ",
    "try again",
    "retry ",
    "add ",
    "choose ",
    "type ",
    "use ",
    "check the ",
    "correct ",
    "count again",
    "unlock",
    "log in",
    "update ",
    "wait ",
    "take ",
    "charge ",
    "split ",
    "refund at most",
];

fn names_a_step(message: &str) -> bool {
    let text = message.to_lowercase();
    STEPS.iter().any(|step| {
        let step = step.to_lowercase();
        text.match_indices(&step).any(|(at, _)| !text[..at].chars().next_back().is_some_and(char::is_alphanumeric))
    })
}

/// What a code's refusals look like from till-core.
enum Example {
    /// Every till-core error that answers the code, worded as its producers word it.
    Errors(Vec<TillError>),
    /// No next step to name, and why.
    NoStep(TillError, &'static str),
    /// Not answered by till-core: where it is worded instead.
    Elsewhere(&'static str),
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The error a real constructor refuses an example input with.
fn refused<T, E: Into<TillError>>(result: Result<T, E>) -> TillError {
    result.map(|_| ()).map_err(Into::into).expect_err("the example input is refused")
}

fn store(e: impl Into<StoreError>) -> TillError {
    TillError::Store(e.into())
}

fn pricing(e: PricingError) -> TillError {
    e.into()
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

fn not_found(entity: Entity, key: &str) -> TillError {
    store(StoreError::not_found(entity, key))
}

fn alice(failed_pins: i32) -> User {
    User {
        id: UserId::new(),
        name: "alice".into(),
        role: Role::Cashier,
        active: true,
        failed_pins,
        locked_until: None,
        lockouts: 0,
        approves: false,
    }
}

/// The table: a match over every code, so a new code needs its row before this compiles.
fn example(code: ErrorCode) -> Example {
    use Example::*;
    match code {
        ErrorCode::InvalidAmount => Errors(vec![
            refused(Money::parse_cash("", Currency::USD)),
            refused(Money::parse_cash("-5", Currency::USD)),
            pricing(PricingError::InvalidTenderAmount { tender: 0, amount: usd(0) }),
            pricing(PricingError::NegativeDiscount { line: Some(0), amount: usd(-100) }),
            pricing(PricingError::InvalidPrice { line: 0, what: "price override", price: usd(-1) }),
            pricing(PricingError::TooLarge("the total")),
        ]),
        ErrorCode::InvalidPin => Errors(vec![
            refused(Pin::parse("12")),
            refused(Pin::parse("12ab")),
            InputError::InvalidPin("no PIN given: type it at the prompt, or use TILL_PIN or --pin-stdin").into(),
        ]),
        ErrorCode::InvalidInput => Errors(vec![
            refused(IdleLimit::from_minutes(5000)),
            InputError::Invalid { field: "file", reason: "cart.json: invalid type: floating point `2.5`, expected i64 at line 1 column 40; amounts are in minor units: 2.50 is 250; `tillctl schema cart` and `tillctl schema lines` list every field".into() }
                .into(),
            InputError::BadLines {
                field: "catalog CSV",
                lines: vec![LineError { line: 3, reason: "barcode 221 already belongs to B1".into() }],
            }
            .into(),
            store(Refusal::Rejected("the float left is more than the count".into())),
            pricing(PricingError::EmptyCart),
            pricing(PricingError::TooManyLines { lines: 501, max: 500 }),
            pricing(PricingError::UnknownTaxRate { line: 0, tax_rate: TaxRateId::new() }),
            pricing(PricingError::InvalidSettings("cash rounding 0.03 does not divide 1.00".into())),
            pricing(PricingError::TooManyTenders { tenders: 21, max: 20 }),
            pricing(PricingError::InvalidTenderReference { tender: 0, reason: "a card needs its approval reference".into() }),
        ]),
        ErrorCode::WrongPin => Errors(vec![
            refused(PinPolicy::default().answer(alice(1), false, till_core::clock::system_now())),
            store(PinPolicy::default().wrong_pin(alice(4))),
        ]),
        ErrorCode::UserNotFound => Errors(vec![not_found(Entity::User, "carol")]),
        ErrorCode::UserInactive => Errors(vec![store(Refusal::UserInactive("alice".into()))]),
        ErrorCode::UserLocked => Errors(vec![store(Refusal::UserLocked {
            user: "alice".into(),
            until: at("2026-11-28T14:07:00.123456Z"),
        })]),
        ErrorCode::Forbidden => Errors(vec![store(Refusal::Forbidden { user: "alice".into(), role: "cashier".into() })]),
        ErrorCode::ApprovalNeeded => Errors(vec![
            store(Refusal::ApprovalNeeded("a refund".into())),
            store(Refusal::ApprovalNeeded("a paid_out above 5000 needs a manager".into())),
        ]),
        ErrorCode::LocationNotFound => Errors(vec![not_found(Entity::Location, "XX")]),
        ErrorCode::RegisterNotFound => Errors(vec![not_found(Entity::Register, "DT/R9")]),
        ErrorCode::SessionNotFound => Errors(vec![not_found(Entity::Session, "DT-20261128-009 at this location")]),
        ErrorCode::ProductNotFound => Errors(vec![
            not_found(Entity::Product, "COF-9"),
            not_found(Entity::Barcode, "0012345678905"),
            not_found(Entity::TaxRate, "VAT"),
            not_found(Entity::Category, "Toys"),
        ]),
        ErrorCode::ReceiptNotFound => Errors(vec![not_found(Entity::Receipt, "DT-R1-000999 at this location")]),
        ErrorCode::SessionAlreadyClosed => Errors(vec![store(Refusal::SessionAlreadyClosed {
            number: "DT-20261128-001".into(),
            closed_by: "bob".into(),
            closed_at: at("2026-11-28T22:05:00Z"),
        })]),
        ErrorCode::SessionClosed => Errors(vec![store(Refusal::SessionClosed("DT-20261128-001".into()))]),
        ErrorCode::CatalogChanged => {
            Errors(vec![store(Refusal::CatalogChanged("COF-1 changed since it was priced".into()))])
        }
        ErrorCode::RefundExceedsSale => Errors(vec![store(Refusal::RefundExceedsSale(
            "line 1: 2 asked, 1 left to refund".into(),
        ))]),
        ErrorCode::NoOpenSession => Errors(vec![store(Refusal::NoOpenSession { register: "DT/R1".into() })]),
        ErrorCode::AlreadyExists => {
            Errors(vec![store(Refusal::AlreadyExists { entity: Entity::Category, key: "DT Coffee".into() })])
        }
        ErrorCode::IdempotencyConflict => Errors(vec![store(Refusal::IdempotencyConflict(
            "cash movement id 0191c3a0-0000-7000-8000-000000000000 was already used".into(),
        ))]),
        ErrorCode::NotLoggedIn => Errors(vec![
            TillError::NotLoggedIn(LoggedOut::Nobody),
            TillError::NotLoggedIn(LoggedOut::Idle { minutes: 5 }),
            store(Refusal::LoginEnded(
                "not logged in (the login ended, expired, is another device's or unknown): log in again".into(),
            )),
            store(Refusal::LoginEnded("this login was ended by a lockout".into())),
        ]),
        ErrorCode::DeviceNotSetUp
        | ErrorCode::DeviceSettingsDamaged
        | ErrorCode::KeyringUnavailable
        | ErrorCode::DeviceManaged => {
            Elsewhere("a device's settings and keyring: src-tauri's IpcError and tillctl's device commands word them")
        }
        ErrorCode::SchemaNotReady => Errors(vec![
            store(StoreFailure::SchemaNotReady(
                "the database has no Till schema or an incomplete one (relation \"users\" does not exist); run `tillctl migrate`"
                    .into(),
            )),
            store(StoreFailure::SchemaNotReady("definitions: the constraint sessions_one_open_per_register is missing".into())),
        ]),
        ErrorCode::AppTooOld => Errors(vec![store(StoreFailure::AppTooOld(
            "migrations: 99990102000000 (contract) is unknown to this build".into(),
        ))]),
        ErrorCode::SchemaBehind => Errors(vec![store(StoreFailure::SchemaBehind(
            "migrations: 16 pending (fix: IT must run `tillctl migrate` with the database owner's role)".into(),
        ))]),
        ErrorCode::DatabaseMisconfigured => Errors(vec![store(StoreFailure::Misconfigured(
            "the database file cannot be written or opened: attempt to write a readonly database".into(),
        ))]),
        ErrorCode::DatabaseBusy => Errors(vec![store(StoreFailure::Busy(
            "another program holds the database's write lock: database is locked".into(),
        ))]),
        ErrorCode::DatabaseUnavailable => {
            Errors(vec![store(StoreFailure::Unavailable("timed out connecting to the database".into()))])
        }
        ErrorCode::InvalidQuantity => Errors(vec![pricing(PricingError::InvalidQuantity { line: 0, quantity: 0 })]),
        ErrorCode::DiscountTooLarge => Errors(vec![pricing(PricingError::DiscountTooLarge {
            line: None,
            discount: "12.00".into(),
            limit: "10.00".into(),
        })]),
        ErrorCode::TendersShort => {
            Errors(vec![pricing(PricingError::TendersShort { due: usd(1000), tendered: usd(900) })])
        }
        ErrorCode::ChangeNotCash => {
            Errors(vec![pricing(PricingError::ChangeNotCash { total: usd(1000), non_cash: usd(1500) })])
        }
        ErrorCode::Internal => NoStep(
            store(StoreFailure::Internal("unknown PIN check outcome expired".into())),
            "a fault in Till or an answer it does not understand: nothing the user does fixes it; the UI \
             shows generic words (try again, ask a manager) and the log keeps the detail for IT",
        ),
        ErrorCode::ReasonNotFound => Errors(vec![
            store(StoreError::unknown_reason("tips", "paid_out", "DT", &["supplies", "delivery"])),
            store(StoreError::unknown_reason("tips", "paid_in", "DT", &[])),
            not_found(Entity::CashReason, "tips (paid_out)"),
        ]),
        ErrorCode::VarianceNeedsSignoff => Errors(vec![
            store(Refusal::VarianceNeedsSignoff(
                "the count is off by more than the location allows: count again, or a manager signs off with a reason"
                    .into(),
            )),
            store(Refusal::VarianceNeedsSignoff(
                "the count is off by more than the location allows: a reason is needed".into(),
            )),
        ]),
        ErrorCode::NoCountPending => Errors(vec![store(Refusal::NoCountPending("DT-20261128-001".into()))]),
        ErrorCode::SessionForgotten => Errors(vec![store(Refusal::SessionForgotten {
            number: "DT-20261127-001".into(),
            business_day: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default(),
        })]),
        ErrorCode::PinResetNeeded => Errors(vec![store(Refusal::PinResetNeeded("bob".into()))]),
    }
}

#[test]
fn every_refusal_names_a_next_step() {
    let mut missing = vec![];
    for &code in ErrorCode::ALL {
        match example(code) {
            Example::Errors(errors) => {
                assert!(!errors.is_empty(), "{code}: no example");
                for e in errors {
                    assert_eq!(e.error_code(), code, "the example for {code} answers another code: {e}");
                    if !names_a_step(&e.to_string()) {
                        missing.push(format!("{code}: {e}"));
                    }
                }
            }
            Example::NoStep(e, why) => {
                assert_eq!(e.error_code(), code, "the example for {code} answers another code: {e}");
                assert!(!why.is_empty());
                assert!(!names_a_step(&e.to_string()), "{code} names a step now; move it to the examples: {e}");
            }
            Example::Elsewhere(why) => assert!(!why.is_empty()),
        }
    }
    assert!(missing.is_empty(), "refusals that do not say what to do next:\n{}", missing.join("\n"));
}

#[test]
fn the_step_check_is_not_fooled_by_words_inside_words() {
    assert!(!names_a_step("the user is known because it is cached"), "user, because: no `use`");
    assert!(!names_a_step("this register's settings are damaged"));
    assert!(!names_a_step("internal database error: unknown PIN check outcome"), "a check, the noun");
    assert!(names_a_step("Use a new id"));
}

#[test]
fn a_wrong_pin_says_how_many_tries_are_left() {
    let policy = PinPolicy::default();
    let texts: Vec<String> =
        (1..policy.max_failures).map(|failed| policy.wrong_pin(alice(failed)).to_string()).collect();
    assert_eq!(texts[0], "wrong PIN for alice: 4 tries left before a lockout; type the PIN again");
    assert_eq!(texts[3], "wrong PIN for alice: 1 try left before a lockout; type the PIN again");
    let answered = policy.answer(alice(2), false, till_core::clock::system_now()).map(|u| u.name);
    assert!(matches!(answered, Err(StoreError::Refused(Refusal::WrongPin { tries_left: 3, .. }))), "{answered:?}");
}

#[test]
fn a_lockout_says_until_when_in_utc_and_who_unlocks() {
    let now = at("2026-11-28T14:00:00Z");
    let locked = User { locked_until: Some(now + Duration::minutes(7)), ..alice(0) };
    let text = PinPolicy::default().answer(locked, false, now).map(|u| u.name).unwrap_err().to_string();
    assert!(text.contains("until 2026-11-28 14:07:00 UTC"), "{text}");
    assert!(text.contains("Manager unlock") && text.contains("`tillctl user unlock --name alice`"), "{text}");
}

#[test]
fn an_unknown_cash_reason_lists_the_ones_offered() {
    let e = StoreError::unknown_reason("tips", "paid_out", "DT", &["supplies", "delivery"]);
    assert_eq!(e.code(), "reason_not_found");
    assert!(
        e.to_string().starts_with("cash reason tips (paid_out; DT offers supplies, delivery) not found: choose "),
        "{e}"
    );
    let none = StoreError::unknown_reason("tips", "paid_in", "DT", &[]).to_string();
    assert!(none.contains("(paid_in; DT offers none)") && none.contains("`tillctl cash add-reason`"), "{none}");
}

#[test]
fn a_step_is_said_once() {
    let ended = Refusal::LoginEnded("not logged in (the login ended): log in again".into()).to_string();
    assert_eq!(ended.matches("log in").count(), 1, "{ended}");
    let typed = TillError::from(InputError::InvalidPin("no PIN given: type it at the prompt")).to_string();
    assert_eq!(typed, "invalid PIN: no PIN given: type it at the prompt");
}
