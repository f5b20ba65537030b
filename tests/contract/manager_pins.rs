//! A location may require managers' and admins' PINs longer than a cashier's 4 digits.
//! Users serve every location, so the strictest location's figure applies. Both backends:
//! till-core's `auth::pin_long_enough` on SQLite, its plpgsql copy in till_pin_check on
//! PostgreSQL.

use till_core::service;
use till_core::*;
use till_testkit::{both_backends, provision, Backend, TestDatabase};

both_backends!(a_location_requires_longer_manager_pins);

async fn a_location_requires_longer_manager_pins(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    provision(store, 1).await;
    let pc = DeviceName::parse("pc").unwrap();
    for digits in [3, 9] {
        let refused = service::set_manager_pin_min_length(store, "DT", digits).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{digits} digits");
    }
    let location = service::set_manager_pin_min_length(store, "DT", 6).await.unwrap();
    assert_eq!(location.manager_pin_min_length, 6);
    assert_eq!(store.list_locations().await.unwrap()[0].manager_pin_min_length, 6);

    // bob's 4-digit PIN is right, but short now: set again by IT, and no login meanwhile.
    let short = service::authenticate(store, "bob", "9999", &pc).await.unwrap_err();
    assert_eq!(short.code(), "pin_reset_needed", "{short}");
    assert!(short.to_string().contains("tillctl user set-pin --name bob"), "{short}");
    // Nor does it approve anything.
    let refused = service::authorize_manager(store, "bob", "9999", &pc).await.unwrap_err();
    assert_eq!(refused.code(), "pin_reset_needed");
    // A wrong PIN is still a wrong PIN (and counts).
    assert_eq!(service::authenticate(store, "bob", "1111", &pc).await.unwrap_err().code(), "wrong_pin");
    assert_eq!(store.find_user(&UserName::parse("bob").unwrap()).await.unwrap().failed_pins, 1);
    // A cashier's 4 digits are fine.
    service::authenticate(store, "alice", "1234", &pc).await.unwrap();

    // IT cannot set a short one, nor make a new manager with one; 6 digits work.
    assert_eq!(service::set_pin(store, "bob", "4321", &pc).await.unwrap_err().code(), "invalid_input");
    assert_eq!(service::add_user(store, "carol", "admin", "12345").await.unwrap_err().code(), "invalid_input");
    service::add_user(store, "carol", "admin", "123456").await.unwrap();
    service::add_user(store, "dave", "cashier", "4444").await.unwrap();
    service::set_pin(store, "bob", "246810", &pc).await.unwrap();
    let bob = service::authenticate(store, "bob", "246810", &pc).await.unwrap();
    assert_eq!(bob.user.name, "bob");

    // The strictest location counts: a second, laxer location changes nothing.
    let uptown = service::LocationInput {
        code: "UP",
        name: "Uptown",
        time_zone: Some("America/New_York"),
        cutoff: None,
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    service::add_location(store, uptown).await.unwrap();
    assert_eq!(service::add_user(store, "erin", "manager", "1234").await.unwrap_err().code(), "invalid_input");
}

both_backends!(users_say_who_approves);

/// Each user as the screens get them says whether they approve (a manager or an admin), so the
/// UI never decides it from the role on its own.
async fn users_say_who_approves(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    provision(store.as_ref(), 1).await;
    service::add_user(store.as_ref(), "ada", "admin", "24680246").await.unwrap();
    let users = store.list_users().await.unwrap();
    assert!(users.len() >= 3, "{users:?}");
    for user in &users {
        assert_eq!(user.approves, user.role.is_manager(), "{user:?}");
        let json = serde_json::to_value(user).unwrap();
        assert_eq!(json["approves"], serde_json::json!(matches!(user.role, Role::Manager | Role::Admin)), "{json}");
    }
}
