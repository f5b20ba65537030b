//! Backups a one-PC store can count on (the embedded SQLite file): a copy taken while eight tills
//! sell restores whole (totals, gapless numbers, journal); a damaged copy is refused and the
//! database left as it was; a restore keeps the current database aside; a missing backup folder
//! is refused without writing; the folder keeps the newest N copies; PostgreSQL is refused with
//! what IT runs instead. Each invariant is read back from the restored database.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use till_backend::backup::{self, BackupError};
use till_core::service::{self, SaleLineRequest, SaleRequest, Till};
use till_core::*;
use till_testkit::shop::{device, dt_r1, shop, Shop};
use till_testkit::{Backend, Fixture, CASHIER_DEVICE, MANAGER_DEVICE};

/// A folder for one test (a "USB drive", a fresh data folder), removed when the test ends.
struct Folder(PathBuf);

impl Folder {
    fn new(tag: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("till_backup_{tag}_{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&path).unwrap();
        Folder(path)
    }

    fn names(&self) -> Vec<String> {
        names_in(&self.0)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn latte_for_cash() -> SaleRequest {
    let line = SaleLineRequest {
        product_id: None,
        sku: None,
        barcode: Some("111".into()),
        quantity: 1,
        discount: None,
        price_override: None,
        reason: None,
    };
    SaleRequest {
        lines: vec![line],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![Tender::Cash { amount: 500 }],
    }
}

async fn open_shift(store: &dyn Store, fixture: &Fixture) -> Session {
    let request = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed("100.00")),
        notes: None,
    };
    service::start_shift(store, &fixture.cashier, &dt_r1(), &device(CASHIER_DEVICE), request).await.unwrap().session
}

/// Closes at the expected cash.
async fn close(store: &dyn Store, fixture: &Fixture, session: &Session) -> Session {
    let expected = store.session_totals(session.id).await.unwrap().expected_cash;
    let counted = format!("{}.{:02}", expected / 100, expected % 100);
    let session_ref = SessionRef::Id(session.id);
    let request = service::CloseRequest {
        request_id: RequestId::new(),
        session: &session_ref,
        counted_cash: CashAmount::Typed(&counted),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: None,
    };
    service::close_shift(store, &fixture.manager, None, &device(MANAGER_DEVICE), request).await.unwrap()
}

async fn sell(store: &dyn Store, who: &Authenticated, pc: &DeviceName) -> Result<Receipt, TillError> {
    let till = Till { who, register: &dt_r1(), device: pc, session: None, approval: None };
    service::record_sale(store, till, ReceiptId::new(), &latte_for_cash()).await
}

fn url_of(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-29T02:00:00Z").unwrap().to_utc() + Duration::seconds(seconds)
}

/// Every session's running totals equal the sum of its receipts; the register's receipt numbers
/// are 1..n without a gap; the journal verifies. Answers the receipts' numbers.
async fn check_whole(store: &dyn Store, sessions: &[SessionId]) -> HashSet<String> {
    let mut seqs = Vec::new();
    let mut numbers = HashSet::new();
    for &session in sessions {
        let totals = store.session_totals(session).await.unwrap();
        let receipts = store.list_receipts(session).await.unwrap();
        assert!(receipts.iter().all(|r| r.kind == ReceiptKind::Sale));
        assert_eq!(totals.sales_count, receipts.len() as i64);
        assert_eq!(totals.sales_total, receipts.iter().map(|r| r.total).sum::<i64>());
        assert_eq!(totals.tax_total, receipts.iter().map(|r| r.tax).sum::<i64>());
        assert_eq!(totals.cash_net, receipts.iter().map(|r| r.cash_net).sum::<i64>());
        assert_eq!(totals.expected_cash, totals.opening_cash + totals.cash_net);
        seqs.extend(receipts.iter().map(|r| r.receipt_seq));
        numbers.extend(receipts.into_iter().map(|r| r.number));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "receipt numbers are gapless");
    let report = service::verify_journal(store, &[]).await.unwrap();
    assert!(report.ok, "the journal verifies: {report:?}");
    numbers
}

/// Eight tills (one PC and one login each) sell into one session while a backup is taken: the
/// copy holds every receipt acknowledged before it started, and restored into a fresh folder it
/// is whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_eight_tills_sell_restores_whole() {
    let shop = Arc::new(shop(Backend::Sqlite, 1).await);
    let (store, fixture) = (shop.store.as_ref(), &shop.fx);
    // Yesterday: three sales and a close, so the copy holds a Z.
    let yesterday = open_shift(store, fixture).await;
    for _ in 0..3 {
        sell(store, &fixture.cashier, &device(CASHIER_DEVICE)).await.unwrap();
    }
    let closed = close(store, fixture, &yesterday).await;
    let today = open_shift(store, fixture).await;

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let barrier = Arc::new(tokio::sync::Barrier::new(9));
    let mut tills = Vec::new();
    for n in 0..8 {
        let (shop, acknowledged, stop, barrier) = (shop.clone(), acknowledged.clone(), stop.clone(), barrier.clone());
        tills.push(tokio::spawn(async move {
            let pc = device(&format!("till-{n}"));
            let who = till_testkit::login(shop.store.as_ref(), "alice", "1234", pc.as_str()).await;
            barrier.wait().await;
            while !stop.load(Ordering::SeqCst) {
                match sell(shop.store.as_ref(), &who, &pc).await {
                    Ok(receipt) => acknowledged.lock().unwrap().push(receipt.number),
                    // Nothing was written: the till would try again.
                    Err(e) if e.code() == "database_busy" => {}
                    Err(e) => panic!("a sale failed: {e}"),
                }
            }
        }));
    }
    barrier.wait().await;
    while acknowledged.lock().unwrap().len() < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let usb = Folder::new("usb");
    let before: HashSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();
    let taken = backup::take_backup(&shop.db.url, &usb.0, 10, till_core::clock::system_now()).await.unwrap();
    let during = acknowledged.lock().unwrap().len();
    while acknowledged.lock().unwrap().len() < during + 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for till in tills {
        till.await.unwrap();
    }
    let acknowledged: HashSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();

    // The answer: the file, its size, what it holds.
    assert_eq!(taken.file.parent(), Some(usb.0.as_path()));
    let name = taken.file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("till-") && name.ends_with("Z.db"), "{name}");
    assert_eq!(usb.names(), vec![name], "only the verified copy is left in the folder");
    assert_eq!(taken.bytes, std::fs::metadata(&taken.file).unwrap().len());
    assert!(taken.removed.is_empty());
    let last_z = taken.holds.last_z.clone().unwrap();
    assert_eq!((last_z.session.as_str(), last_z.closed_at), (closed.number.as_str(), closed.closed_at.unwrap()));
    assert!(taken.holds.receipts >= 3 + before.len() as i64);

    // Restored into a fresh data folder: the copy, whole.
    let fresh = Folder::new("fresh");
    let restored_url = url_of(&fresh.0.join("till.db"));
    let restore = backup::restore(&taken.file, &restored_url, till_core::clock::system_now(), true).await.unwrap();
    assert!(restore.restored && restore.kept_aside.is_none());
    assert_eq!(restore.holds, taken.holds);
    let restored = till_backend::open(&restored_url, &StoreOptions::default()).await.unwrap();
    let numbers = check_whole(restored.as_ref(), &[yesterday.id, today.id]).await;
    assert_eq!(numbers.len() as i64, taken.holds.receipts);
    assert!(before.is_subset(&numbers), "every receipt acknowledged before the backup is in it");
    let yesterdays: HashSet<String> =
        restored.list_receipts(yesterday.id).await.unwrap().into_iter().map(|r| r.number).collect();
    assert!(numbers.difference(&yesterdays).all(|n| acknowledged.contains(n)), "and only receipts that were sold");
    let newest = taken.holds.last_receipt.clone().unwrap();
    assert!(numbers.contains(&newest.number) && newest.register == "DT/R1", "{newest:?}");
    assert_eq!((last_z.register.as_str(), last_z.z_number), ("DT/R1", Some(1)));
    // The live database carried on: whole, with every acknowledged receipt.
    let live = check_whole(store, &[yesterday.id, today.id]).await;
    assert!(acknowledged.is_subset(&live));
}

/// A copy with a page overwritten is refused by verification and by restore, with the reason,
/// and the database (open, as a running till has it) is left exactly as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_damaged_copy_is_refused_and_the_database_is_untouched() {
    let shop = shop(Backend::Sqlite, 1).await;
    let (store, fixture) = (shop.store.as_ref(), &shop.fx);
    let session = open_shift(store, fixture).await;
    for _ in 0..20 {
        sell(store, &fixture.cashier, &device(CASHIER_DEVICE)).await.unwrap();
    }
    let usb = Folder::new("usb");
    let taken = backup::take_backup(&shop.db.url, &usb.0, 10, at(0)).await.unwrap();
    assert_eq!(backup::verify_copy(&taken.file).await.unwrap(), taken.holds);

    let damaged = usb.0.join("damaged.db");
    let mut bytes = std::fs::read(&taken.file).unwrap();
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 4096].fill(0xA5);
    std::fs::write(&damaged, &bytes).unwrap();

    let refused = backup::verify_copy(&damaged).await.unwrap_err();
    assert!(matches!(&refused, BackupError::Damaged { path, .. } if path == &damaged), "{refused}");
    assert!(refused.to_string().contains("integrity check"), "{refused}");
    // Sound as SQLite, but not as Till: a sale's total edited behind the journal's back, and an
    // index Till relies on dropped. Each is refused for its reason.
    for (sql, reason) in [
        (
            "UPDATE sales SET total = total + 100, tendered = tendered + 100 WHERE receipt_seq = 7",
            "journal does not verify",
        ),
        ("DROP INDEX sessions_one_open_per_register", "not a Till database"),
    ] {
        let edited = usb.0.join("edited.db");
        std::fs::copy(&taken.file, &edited).unwrap();
        let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url_of(&edited)).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        sqlx::Connection::close(conn).await.unwrap();
        let refused = backup::verify_copy(&edited).await.unwrap_err();
        assert!(matches!(&refused, BackupError::Damaged { .. }) && refused.to_string().contains(reason), "{refused}");
        std::fs::remove_file(&edited).unwrap();
    }
    let data = shop.sqlite_file().parent().unwrap().to_path_buf();
    let before = (names_in(&data), std::fs::read(shop.sqlite_file()).unwrap());
    let refused = backup::restore(&damaged, &shop.db.url, at(60), true).await.unwrap_err();
    assert!(matches!(&refused, BackupError::Damaged { .. }), "{refused}");
    assert_eq!(refused.error_code(), ErrorCode::InvalidInput);
    let text = refused.to_string();
    assert!(text.contains("damaged.db") && text.contains("failed verification"), "{text}");
    assert_eq!(
        (names_in(&data), std::fs::read(shop.sqlite_file()).unwrap()),
        before,
        "nothing beside the database changed"
    );
    assert_eq!(usb.names(), vec!["damaged.db".to_string(), "till-20261129T020000Z.db".to_string()]);
    assert_eq!(store.list_receipts(session.id).await.unwrap().len(), 20);
    check_whole(store, &[session.id]).await;

    // A good copy is refused too while the database is open: close Till first.
    let busy = backup::restore(&taken.file, &shop.db.url, at(60), true).await.unwrap_err();
    assert!(matches!(busy, BackupError::InUse(_)), "{busy}");
    assert_eq!(busy.error_code(), ErrorCode::DatabaseBusy);
    assert_eq!(names_in(&data), before.0);
    assert_eq!(store.list_receipts(session.id).await.unwrap().len(), 20);
}

/// A dry run says what the copy holds and changes nothing; with `--yes` the current database
/// (with what its WAL held) is kept aside and the copy takes its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restore_keeps_the_current_database_aside() {
    let shop = shop(Backend::Sqlite, 1).await;
    let (store, fixture) = (shop.store.as_ref(), &shop.fx);
    let session = open_shift(store, fixture).await;
    for _ in 0..2 {
        sell(store, &fixture.cashier, &device(CASHIER_DEVICE)).await.unwrap();
    }
    let usb = Folder::new("usb");
    let taken = backup::take_backup(&shop.db.url, &usb.0, 10, at(0)).await.unwrap();
    for _ in 0..3 {
        sell(store, &fixture.cashier, &device(CASHIER_DEVICE)).await.unwrap();
    }
    let Shop { db, store, .. } = shop;
    drop(store); // Till is closed on this PC.
    let file = PathBuf::from(db.url.strip_prefix("sqlite://").unwrap());
    let data = file.parent().unwrap().to_path_buf();

    let plan = backup::restore(&taken.file, &db.url, at(3600), false).await.unwrap();
    let aside = data.join("till.db.before-restore-20261129T030000Z");
    assert!(!plan.restored);
    assert_eq!(plan.kept_aside.as_deref(), Some(aside.as_path()));
    assert_eq!(plan.holds.receipts, 2);
    assert!(!aside.exists() && names_in(&data).iter().all(|n| !n.contains("restore")), "a dry run changes nothing");

    // The store's connections close on their own threads; a restore waits a moment for them.
    let done = backup::restore(&taken.file, &db.url, at(3600), true).await.unwrap();
    assert!(done.restored);
    assert_eq!(done.kept_aside.as_deref(), Some(aside.as_path()));
    assert!(names_in(&data).iter().all(|n| !n.ends_with(".tmp") && !n.ends_with("-wal")), "{:?}", names_in(&data));
    let restored = db.open().await;
    assert_eq!(restored.list_receipts(session.id).await.unwrap().len(), 2);
    check_whole(restored.as_ref(), &[session.id]).await;
    let options = StoreOptions { migrate: false, ..StoreOptions::default() };
    let kept = till_backend::open(&url_of(&aside), &options).await.unwrap();
    assert_eq!(kept.list_receipts(session.id).await.unwrap().len(), 5, "the kept database holds every sale");
}

/// A database whose journal no longer verifies (a sale edited behind its back): its copy fails
/// verification, is deleted, and no copy is kept; the answer says where to look.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_copy_that_fails_verification_is_not_kept() {
    let shop = shop(Backend::Sqlite, 1).await;
    let (store, fixture) = (shop.store.as_ref(), &shop.fx);
    open_shift(store, fixture).await;
    for _ in 0..3 {
        sell(store, &fixture.cashier, &device(CASHIER_DEVICE)).await.unwrap();
    }
    shop.db.execute("UPDATE sales SET total = total + 100, tendered = tendered + 100 WHERE receipt_seq = 2").await;
    let usb = Folder::new("usb");
    let refused = backup::take_backup(&shop.db.url, &usb.0, 10, at(0)).await.unwrap_err();
    assert!(matches!(refused, BackupError::Unverified { .. }), "{refused}");
    assert_eq!(refused.error_code(), ErrorCode::Internal);
    let text = refused.to_string();
    assert!(text.contains("journal does not verify") && text.contains("tillctl journal verify"), "{text}");
    assert!(usb.names().is_empty(), "nothing kept: {:?}", usb.names());
}

/// A backup drive that is not plugged in: refused, naming the folder, and nothing is written
/// (not even the folder, which would fill the empty mount point).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_missing_backup_folder_is_refused_and_nothing_is_written() {
    let shop = shop(Backend::Sqlite, 1).await;
    let mount = Folder::new("media");
    let stick = mount.0.join("TILL-USB");
    let refused = backup::take_backup(&shop.db.url, &stick, 10, at(0)).await.unwrap_err();
    assert!(matches!(&refused, BackupError::FolderMissing(dir) if dir == &stick), "{refused}");
    assert_eq!(refused.error_code(), ErrorCode::InvalidInput);
    let text = refused.to_string();
    assert!(text.contains(&stick.display().to_string()) && text.contains("plug in"), "{text}");
    assert!(mount.names().is_empty(), "nothing was written: {:?}", mount.names());

    let file = mount.0.join("a-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let refused = backup::take_backup(&shop.db.url, &file, 10, at(0)).await.unwrap_err();
    assert!(matches!(refused, BackupError::NotAFolder(_)), "{refused}");
    assert_eq!(mount.names(), vec!["a-file".to_string()]);
}

/// The folder keeps the newest N copies, by the time in their names; two copies in one second
/// both keep theirs; nothing but copies is ever deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotation_keeps_the_newest_n() {
    let shop = shop(Backend::Sqlite, 1).await;
    let usb = Folder::new("usb");
    let others = ["till.db", "till-demo.db", "till-old.db", "notes.txt", "till-20200101T000000Z.db.bak"];
    for other in others {
        std::fs::write(usb.0.join(other), b"someone else's").unwrap();
    }
    let mut removed = Vec::new();
    for n in 0..5 {
        let taken = backup::take_backup(&shop.db.url, &usb.0, 3, at(n * 3600)).await.unwrap();
        removed.extend(taken.removed);
    }
    let twice = backup::take_backup(&shop.db.url, &usb.0, 3, at(4 * 3600)).await.unwrap();
    assert_eq!(twice.file.file_name().unwrap(), "till-20261129T060000Z-2.db");
    removed.extend(twice.removed);
    let copies: Vec<String> = usb.names().into_iter().filter(|n| !others.contains(&n.as_str())).collect();
    assert_eq!(copies, ["till-20261129T050000Z.db", "till-20261129T060000Z-2.db", "till-20261129T060000Z.db"]);
    let removed: Vec<String> = removed.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(removed, ["till-20261129T020000Z.db", "till-20261129T030000Z.db", "till-20261129T040000Z.db"]);
    for other in others {
        assert!(usb.0.join(other).exists(), "{other} is not a copy and stays");
    }
}

/// PostgreSQL: refused before connecting (no server here), with what IT runs instead and no
/// password in the words.
#[tokio::test]
async fn postgres_is_refused_with_the_pg_dump_advice() {
    let usb = Folder::new("usb");
    let url = "postgres://till:s3cret@db.example:5432/till?sslmode=verify-full";
    let refused = backup::take_backup(url, &usb.0, 10, at(0)).await.unwrap_err();
    assert!(matches!(refused, BackupError::Postgres { .. }), "{refused}");
    assert_eq!(refused.error_code(), ErrorCode::InvalidInput);
    let text = refused.to_string();
    assert!(
        text.contains("pg_dump") && text.contains("pg_basebackup") && text.contains("docs/operations.md"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    let copy = usb.0.join("till-20261129T020000Z.db");
    std::fs::write(&copy, b"whatever").unwrap();
    let refused = backup::restore(&copy, url, at(0), true).await.unwrap_err();
    assert!(matches!(refused, BackupError::Postgres { .. }) && refused.to_string().contains("pg_restore"), "{refused}");
    assert_eq!(usb.names(), vec!["till-20261129T020000Z.db".to_string()]);
}

/// Every open store holds `<file>.inuse` shared for its life, and a restore takes it
/// exclusively: a restore is refused while any Till has the file open, even one whose pools hold
/// no connection at that moment (SQLite's own locks show nothing then), and a Till that opens
/// while a restore swaps the file is refused as busy instead of given the file half-swapped.
/// Before, only SQLite's locks were asked, so an idle Till's file could be swapped under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restore_and_an_open_till_exclude_each_other() {
    let shop = shop(Backend::Sqlite, 1).await;
    let usb = Folder::new("usb");
    let taken = backup::take_backup(&shop.db.url, &usb.0, 10, at(0)).await.unwrap();
    let mut in_use = shop.sqlite_file().into_os_string();
    in_use.push(".inuse");
    let restorer = std::fs::OpenOptions::new().write(true).open(&in_use).unwrap();
    assert!(restorer.try_lock().is_err(), "an open store holds the lock a restore needs");
    // tillctl beside the app shares it, and leaves it held by the app when it ends.
    let tillctl = shop.db.open().await;
    drop(tillctl);
    assert!(restorer.try_lock().is_err(), "the app's store still holds it");

    let Shop { db, store, .. } = shop;
    drop(store); // Till is closed on this PC.
    restorer.try_lock().unwrap(); // as a restore holds it while it swaps the file
    let refused = till_backend::open(&db.url, &StoreOptions::default()).await.err().unwrap();
    assert_eq!(refused.error_code(), ErrorCode::DatabaseBusy, "{refused}");
    assert!(refused.to_string().contains("being restored from a backup"), "{refused}");
    restorer.unlock().unwrap();
    let done = backup::restore(&taken.file, &db.url, at(60), true).await.unwrap();
    assert!(done.restored);
    db.open().await;
}

/// What a backup killed half-way left in the folder (its temporary copy, the empty file that
/// reserved its name) is deleted by the next backup once it is an hour old, and an empty
/// reserved name never counts as a copy. Younger leftovers may be a running backup's: kept.
/// Before, they stayed for ever, and each empty name pushed a real copy out of the rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn what_an_interrupted_backup_left_is_cleared() {
    let shop = shop(Backend::Sqlite, 1).await;
    let usb = Folder::new("usb");
    let two_hours_ago = std::time::SystemTime::from(till_core::clock::system_now() - Duration::hours(2));
    let leftover = |name: &str, content: &[u8], old: bool| {
        let path = usb.0.join(name);
        std::fs::write(&path, content).unwrap();
        if old {
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(two_hours_ago).unwrap();
        }
    };
    backup::take_backup(&shop.db.url, &usb.0, 2, at(0)).await.unwrap();
    leftover(".till-backup-20261129T010000Z-77-1.tmp", b"half a copy", true);
    leftover(".till-backup-20261129T010000Z-77-1.tmp-wal", b"", true);
    leftover("till-20261129T010000Z.db", b"", true);
    leftover(".till-backup-20261129T015900Z-78-1.tmp", b"a running backup's", false);
    leftover("till-20261129T015900Z.db", b"", false);
    let second = backup::take_backup(&shop.db.url, &usb.0, 2, at(3600)).await.unwrap();
    let names = usb.names();
    assert_eq!(
        names,
        [
            ".till-backup-20261129T015900Z-78-1.tmp",
            "till-20261129T015900Z.db",
            "till-20261129T020000Z.db",
            "till-20261129T030000Z.db"
        ],
        "the old leftovers are gone, the young ones stay, and both real copies are kept"
    );
    assert_eq!(second.removed.len(), 3, "{:?}", second.removed);
}
