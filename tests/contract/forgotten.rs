//! A forgotten session is one rule (till-core's `ForgottenRule`, plpgsql's
//! `till_session_forgotten`), asked by the banner, the start and join refusal, the sale, void and
//! movement paths (the resume path included) and a force-close alike, on both backends. The rule
//! table runs the same cases on both and proves the PostgreSQL copy equal to the Rust rule.

use till_core::service::{self, MovementRequest, SaleLineRequest, SaleRequest, Till};
use till_core::*;
use till_testkit::shop::{dt_r1, pc1, shop, Shop};
use till_testkit::{both_backends, Backend, CASHIER_DEVICE};

both_backends!(every_path_asks_the_one_forgotten_rule);

/// One row of the table: how long ago the session opened, how many business days before
/// today's it belongs to, and the location's limit.
struct Case {
    what: &'static str,
    opened_minutes_ago: i64,
    days_before_today: i64,
    limit_minutes: i32,
    forgotten: bool,
}

const CASES: &[Case] = &[
    Case {
        what: "opened at 22:00, now 08:00 the next business day (10 hours, under the limit)",
        opened_minutes_ago: 600,
        days_before_today: 1,
        limit_minutes: 1440,
        forgotten: true,
    },
    Case {
        what: "today's, 13 hours old, at a location with a 12-hour limit",
        opened_minutes_ago: 780,
        days_before_today: 0,
        limit_minutes: 720,
        forgotten: true,
    },
    Case {
        what: "today's, a minute under the limit",
        opened_minutes_ago: 719,
        days_before_today: 0,
        limit_minutes: 720,
        forgotten: false,
    },
    Case {
        what: "today's, an hour old",
        opened_minutes_ago: 60,
        days_before_today: 0,
        limit_minutes: 1440,
        forgotten: false,
    },
];

/// Sets the open session's opening time and business day, and the location's limit, behind
/// the store's back (no caller chooses a time: only the database's owner can move it).
async fn make(shop: &Shop, session: SessionId, case: &Case) {
    let location = shop.store.find_location(&LocationCode::parse("DT").unwrap()).await.unwrap();
    let rule = ForgottenRule::of(&location).unwrap();
    let today = business_day(till_core::clock::system_now(), rule.zone, rule.cutoff);
    let day = today - chrono::Duration::days(case.days_before_today);
    let opened = till_core::clock::system_now() - chrono::Duration::minutes(case.opened_minutes_ago);
    let (id, at) = (shop.db.uuid(session.0), opened.format("%Y-%m-%dT%H:%M:%S%.6fZ"));
    shop.db
        .execute(&format!(
            "UPDATE sessions SET business_day = '{day}', opened_at = '{at}' WHERE id = {id};
             UPDATE locations SET session_limit_minutes = {}",
            case.limit_minutes
        ))
        .await;
}

fn sale() -> SaleRequest {
    let line = SaleLineRequest {
        product_id: None,
        sku: None,
        barcode: Some("333".into()),
        quantity: 1,
        discount: None,
        price_override: None,
        reason: None,
    };
    SaleRequest {
        lines: vec![line],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![Tender::Cash { amount: 229 }],
    }
}

async fn every_path_asks_the_one_forgotten_rule(backend: Backend) {
    for case in CASES {
        let shop = shop(backend, 1).await;
        let s = shop.store.as_ref();
        let start = service::StartRequest {
            request_id: RequestId::new(),
            opening_cash: Some(CashAmount::Typed("100")),
            notes: None,
        };
        let session = service::start_shift(s, &shop.fx.cashier, &dt_r1(), &pc1(), start).await.unwrap().session;
        make(&shop, session.id, case).await;
        let session = s.find_session(&SessionRef::Id(session.id)).await.unwrap();
        let location = s.find_location(&LocationCode::parse("DT").unwrap()).await.unwrap();
        let rule = ForgottenRule::of(&location).unwrap();
        assert_eq!(
            rule.is_forgotten(session.opened_at, session.business_day, till_core::clock::system_now()),
            case.forgotten,
            "the Rust rule: {}",
            case.what
        );
        if backend == Backend::Postgres {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&shop.db.url).await.unwrap();
            let copy: bool = sqlx::query_scalar("SELECT till_session_forgotten(s) FROM sessions s WHERE s.id = $1")
                .bind(session.id.0)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            assert_eq!(copy, case.forgotten, "plpgsql's copy: {}", case.what);
        }
        // The banner.
        let listed = service::forgotten_sessions(s, &LocationCode::parse("DT").unwrap()).await.unwrap();
        assert_eq!(listed.iter().any(|l| l.id == session.id), case.forgotten, "the banner: {}", case.what);
        // Start and join (another cashier's PC joining).
        let start = service::StartRequest {
            request_id: RequestId::new(),
            opening_cash: Some(CashAmount::Typed("100")),
            notes: None,
        };
        let joined = service::start_shift(s, &shop.fx.cashier, &dt_r1(), &pc1(), start).await;
        assert_eq!(refused(&joined), case.forgotten, "start: {} ({joined:?})", case.what);
        // The store itself refuses a join, whoever calls it (a terminal skipping till-core).
        let direct =
            s.start_shift(till_testkit::start(&shop.fx.cashier, session.register_id, CASHIER_DEVICE, None)).await;
        assert_eq!(refused(&direct), case.forgotten, "the store's join: {} ({direct:?})", case.what);
        // The resume path: the device names the session it is in.
        let register = dt_r1();
        let device = pc1();
        let resume = Till {
            who: &shop.fx.cashier,
            register: &register,
            device: &device,
            session: Some(session.id),
            approval: None,
        };
        let sold = service::record_sale(s, resume, ReceiptId::new(), &sale()).await;
        assert_eq!(refused(&sold), case.forgotten, "a sale into it: {} ({sold:?})", case.what);
        let movement = MovementRequest {
            id: MovementId::new(),
            kind: MovementKind::PaidIn,
            amount: Some(CashAmount::Typed("5.00")),
            reason: "float_top_up",
            note: None,
        };
        let moved = service::record_movement(s, &shop.fx.cashier, None, &register, &device, movement).await;
        assert_eq!(refused(&moved), case.forgotten, "a paid-in: {} ({moved:?})", case.what);
        // A void: part of a sale, refused where a sale is.
        let (dt, milk) = (LocationCode::parse("DT").unwrap(), ProductKey::Sku(Sku::parse("MILK").unwrap()));
        let lines = [VoidLine { product_id: s.find_product(&dt, &milk).await.unwrap().id, quantity: 1 }];
        let void = service::VoidRequest { id: VoidId::new(), kind: VoidKind::SaleCleared, lines: &lines };
        let voided = service::record_void(s, &shop.fx.cashier, &register, &device, void).await;
        assert_eq!(refused(&voided), case.forgotten, "a void: {} ({voided:?})", case.what);
        let voids = s.session_totals(session.id).await.unwrap().void_count;
        assert_eq!(voids, i64::from(!case.forgotten), "{}: a refused void writes nothing", case.what);
        let receipts = s.list_receipts(session.id).await.unwrap().len();
        assert_eq!(receipts, usize::from(!case.forgotten), "{}: a refusal writes nothing", case.what);
        // A force-close: only a forgotten session.
        let forced = service::force_close(
            s,
            &shop.fx.manager,
            None,
            &DeviceName::parse(till_testkit::MANAGER_DEVICE).unwrap(),
            service::ForceCloseRequest {
                request_id: RequestId::new(),
                session: &SessionRef::Id(session.id),
                reason: "left open",
                only_location: None,
            },
        )
        .await;
        assert_eq!(forced.is_ok(), case.forgotten, "force-close: {} ({forced:?})", case.what);
    }
}

/// Refused as forgotten (`session_forgotten`); any other error fails the test.
fn refused<T: std::fmt::Debug, E: HasCode + std::fmt::Debug>(result: &Result<T, E>) -> bool {
    match result {
        Ok(_) => false,
        Err(e) if e.code() == "session_forgotten" => true,
        Err(e) => panic!("unexpected {e:?}"),
    }
}

/// Errors of the service and of the store alike.
trait HasCode {
    fn code(&self) -> &'static str;
}

impl HasCode for TillError {
    fn code(&self) -> &'static str {
        TillError::code(self)
    }
}

impl HasCode for StoreError {
    fn code(&self) -> &'static str {
        StoreError::code(self)
    }
}
