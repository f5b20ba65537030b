//! The variance sign-off is one rule (till-core's `VarianceLimit`, plpgsql's copy in
//! `till_close_session.sql`): this table closes a drawer off by each amount around the
//! location's limit, with and without a reason and a refused count first, on both backends,
//! and checks each store answers what the Rust rule says.

use std::sync::Arc;
use till_core::service::{self, CloseRequest};
use till_core::*;
use till_testkit::{both_backends, provision, Backend, Fixture, TestDatabase, CASHIER_DEVICE, MANAGER_DEVICE};

both_backends!(every_close_answers_what_the_variance_rule_says);

/// One row: how far the count is off the expected cash, the reason given, and whether a count
/// was refused first.
struct Case {
    what: &'static str,
    off_minor: i64,
    reason: Option<&'static str>,
    recounted: bool,
}

/// The location's limit in these cases (the default, 5.00).
const LIMIT: i64 = 500;

const CASES: &[Case] = &[
    Case { what: "exact", off_minor: 0, reason: None, recounted: false },
    Case { what: "short by the limit exactly", off_minor: -LIMIT, reason: None, recounted: false },
    Case { what: "over by the limit exactly", off_minor: LIMIT, reason: None, recounted: false },
    Case { what: "a cent over the limit, no reason", off_minor: LIMIT + 1, reason: None, recounted: true },
    Case { what: "a cent short past the limit, no reason", off_minor: -LIMIT - 1, reason: None, recounted: true },
    Case {
        what: "past the limit with a reason but no recount",
        off_minor: -LIMIT - 1,
        reason: Some("till roll jammed"),
        recounted: false,
    },
    Case {
        what: "past the limit, recounted and signed off",
        off_minor: -2_000,
        reason: Some("a 20 given as change"),
        recounted: true,
    },
    Case {
        what: "within the limit, with a reason",
        off_minor: 120,
        reason: Some("coins miscounted"),
        recounted: false,
    },
];

async fn every_close_answers_what_the_variance_rule_says(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store: Arc<dyn Store> = db.open().await;
    let fx: Fixture = provision(store.as_ref(), 1).await;
    let s = store.as_ref();
    let location = s.find_location(&LocationCode::parse("DT").unwrap()).await.unwrap();
    assert_eq!(location.variance_limit_minor, LIMIT, "the cases are written for the default limit");
    let rule = VarianceLimit::of(&location);
    let register = RegisterRef::parse("DT/R1").unwrap();
    let device = DeviceName::parse(CASHIER_DEVICE).unwrap();
    let office = DeviceName::parse(MANAGER_DEVICE).unwrap();
    let currency = location.currency;
    for case in CASES {
        let start = service::StartRequest {
            request_id: RequestId::new(),
            opening_cash: Some(CashAmount::Typed("100.00")),
            notes: None,
        };
        let session = service::start_shift(s, &fx.cashier, &register, &device, start).await.unwrap().session;
        let by_id = SessionRef::Id(session.id);
        let counted = Money::from_minor(10_000 + case.off_minor, currency).to_string();
        let close = |sign_off: Option<&'static str>| CloseRequest {
            request_id: RequestId::new(),
            session: &by_id,
            counted_cash: CashAmount::Typed(&counted),
            only_register: None,
            float_left: Some(CashAmount::Typed("0")),
            denominations: Vec::new(),
            sign_off,
        };
        let mut refused = 0;
        if case.recounted {
            let first = service::close_shift(s, &fx.manager, None, &office, close(None)).await;
            if rule.exceeded_by(case.off_minor) {
                assert!(
                    matches!(first, Err(TillError::Store(StoreError::Refused(Refusal::VarianceNeedsSignoff(_))))),
                    "{}: {first:?}",
                    case.what
                );
                refused = 1;
            }
        }
        let expected = rule.check_close(case.off_minor, case.reason, refused);
        let answer = service::close_shift(s, &fx.manager, None, &office, close(case.reason)).await;
        match (&expected, &answer) {
            (Ok(signed), Ok(closed)) => {
                assert_eq!(closed.status, SessionStatus::Closed, "{}", case.what);
                assert_eq!(closed.variance.map(|v| v.minor()), Some(case.off_minor), "{}", case.what);
                assert_eq!(
                    closed.variance_reason.as_deref(),
                    case.reason.map(str::trim),
                    "{}: the reason is kept",
                    case.what
                );
                assert_eq!(
                    closed.approved_by.is_some(),
                    *signed,
                    "{}: signed by a manager only above the limit",
                    case.what
                );
            }
            (
                Err(StoreError::Refused(Refusal::VarianceNeedsSignoff(_))),
                Err(TillError::Store(StoreError::Refused(Refusal::VarianceNeedsSignoff(_)))),
            ) => {
                let open = s.find_session(&by_id).await.unwrap();
                assert_eq!(open.status, SessionStatus::Open, "{}: a refused close writes nothing", case.what);
                // Close it for the next case: recounted and signed off.
                let signed = CloseRequest { sign_off: Some("closing for the next case"), ..close(None) };
                service::close_shift(s, &fx.manager, None, &office, signed).await.unwrap();
            }
            _ => panic!("{} on {backend:?}: the rule says {expected:?}, the store answered {answer:?}", case.what),
        }
    }
}
