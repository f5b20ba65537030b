//! The auditor's round trip: a customer keeps a receipt, the manager files the Z; their QR
//! codes are scanned, and `tillctl journal verify --anchors FILE` checks them against the
//! journal. The database's owner deletes a sale and re-chains everything after it (the rows,
//! the journal, its head, the Z's anchor and totals), so that the journal checks out against
//! itself; the printed anchors still catch it. On both backends.

use serde_json::{json, Value};
use std::process::Command;
use till_core::journal::{canonical_json, entry_hash, JournalEntry};
use till_core::service::{self, CloseRequest, ProductInput, SaleLineRequest, SaleRequest, Till};
use till_core::*;
use till_testkit::{both_backends, provision, scan_qr, Backend, TestDatabase, CASHIER_DEVICE, MANAGER_DEVICE};

both_backends!(an_owners_rechain_is_caught_by_the_paper_it_left_out, a_copied_or_rewritten_chain_is_caught);

fn tillctl_verify(url: &str, anchors: Option<&std::path::Path>) -> (bool, Value) {
    let mut args = vec!["--json".to_string(), "--database-url".into(), url.into(), "journal".into(), "verify".into()];
    if let Some(file) = anchors {
        args.extend(["--anchors".into(), file.display().to_string()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl")).args(&args).output().expect("run tillctl");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"));
    (out.status.success(), json)
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What an owner with full rights does to make a sale vanish: its rows deleted, the session's
/// and the register's running totals lowered, its journal entry deleted, every later entry
/// renumbered and re-hashed (the Z's entry restating its totals and the close's new position),
/// the chain's head and the Z row moved to match. Afterwards the journal agrees with itself and
/// with every row.
async fn rechain_without(db: &TestDatabase, store: &dyn Store, sale: &Receipt) {
    let id = db.uuid(sale.id.0);
    let total = sale.total;
    for table in ["sale_taxes", "sale_tenders", "sale_lines"] {
        db.execute(&format!("DELETE FROM {table} WHERE sale_id = {id}")).await;
    }
    db.execute(&format!("DELETE FROM sales WHERE id = {id}")).await;
    let session = db.uuid(sale.session_id.0);
    db.execute(&format!(
        "UPDATE sessions SET sales_count = sales_count - 1, sales_total = sales_total - {total},
            tax_total = tax_total - {} WHERE id = {session}",
        sale.tax
    ))
    .await;
    let register = db.uuid(sale.register_id.0);
    db.execute(&format!("UPDATE register_counters SET last_receipt = last_receipt - 1 WHERE register_id = {register}"))
        .await;
    db.execute(&format!(
        "UPDATE register_z_counters SET grand_sales = grand_sales - {total} WHERE register_id = {register}"
    ))
    .await;

    let entries: Vec<JournalEntry> = service::chain_entries(store, sale.register_id.0).await.unwrap();
    let gone = entries.iter().position(|e| e.ref_id == Some(sale.id.0)).unwrap();
    db.execute(&format!("DELETE FROM journal WHERE chain_id = {register} AND seq = {}", entries[gone].seq)).await;
    let mut prev = entries[gone].prev_hash.clone();
    let mut close: Option<(i64, String)> = None;
    for entry in &entries[gone + 1..] {
        let mut body: Value = serde_json::from_str(&entry.body).unwrap();
        let seq = entry.seq - 1;
        body["seq"] = json!(seq);
        if entry.event == "z_report" {
            let p = &mut body["payload"];
            p["sales_total"] = json!(p["sales_total"].as_i64().unwrap() - total);
            p["grand_sales"] = json!(p["grand_sales"].as_i64().unwrap() - total);
            let (close_seq, close_hash) = close.clone().unwrap();
            (p["journal_seq"], p["journal_head"]) = (json!(close_seq), json!(close_hash));
        }
        let body = canonical_json(&body);
        let hash = entry_hash(&prev, &body);
        db.execute(&format!(
            "UPDATE journal SET seq = {seq}, body = {}, prev_hash = '{prev}', hash = '{hash}'
              WHERE chain_id = {register} AND seq = {}",
            quoted(&body),
            entry.seq
        ))
        .await;
        if entry.event == "session_close" {
            close = Some((seq, hash.clone()));
        }
        prev = hash;
    }
    let head = entries.last().unwrap().seq - 1;
    db.execute(&format!("UPDATE journal_heads SET seq = {head}, hash = '{prev}' WHERE chain_id = {register}")).await;
    let (close_seq, close_hash) = close.unwrap();
    db.execute(&format!(
        "UPDATE z_reports SET grand_sales = grand_sales - {total}, journal_seq = {close_seq},
            journal_head = '{close_hash}' WHERE session_id = {session}"
    ))
    .await;
}

/// A shop's shift: three sales (the second by card), closed, with its Z. Returns the receipts
/// as read back (with their anchors) and the Z.
async fn a_shift(db: &TestDatabase) -> (std::sync::Arc<dyn Store>, Vec<Receipt>, till_core::reports::ZReport) {
    let store = db.open().await;
    let s = store.as_ref();
    let fx = provision(s, 1).await;
    service::add_tax_rate(s, "DT", "TAX", "NY sales tax", "8.875").await.unwrap();
    let barcodes = ["111".to_string()];
    let latte = ProductInput {
        sku: "LATTE",
        name: "Latte",
        price: "4.50",
        tax_rate: "TAX",
        category: None,
        barcodes: &barcodes,
    };
    service::add_product(s, "DT", latte).await.unwrap();

    // A shift: a cash sale, a card sale (the one that will vanish), a cash sale, the close.
    let (register, pc, office) = (
        RegisterRef::parse("DT/R1").unwrap(),
        DeviceName::parse(CASHIER_DEVICE).unwrap(),
        DeviceName::parse(MANAGER_DEVICE).unwrap(),
    );
    let start = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed("100.00")),
        notes: None,
    };
    let session = service::start_shift(s, &fx.cashier, &register, &pc, start).await.unwrap().session;
    let mut receipts = Vec::new();
    for (quantity, tender) in [
        (1, Tender::Cash { amount: 1_000 }),
        (2, Tender::Card { amount: 980, approval_reference: "A1".into() }),
        (3, Tender::Cash { amount: 2_000 }),
    ] {
        let line = SaleLineRequest {
            product_id: None,
            sku: None,
            barcode: Some("111".into()),
            quantity,
            discount: None,
            price_override: None,
            reason: None,
        };
        let till = Till { who: &fx.cashier, register: &register, device: &pc, session: None, approval: None };
        let request = SaleRequest {
            lines: vec![line],
            receipt_discount: None,
            receipt_discount_reason: None,
            tenders: vec![tender],
        };
        let sold = service::record_sale(s, till, ReceiptId::new(), &request).await.unwrap();
        // What the customer takes home: the receipt as the store reads it back.
        receipts.push(s.find_receipt(&sold.number).await.unwrap());
    }
    let expected = s.session_totals(session.id).await.unwrap().expected_cash;
    let by_id = SessionRef::Id(session.id);
    let counted = Money::from_minor(expected, Currency::USD).to_string();
    let close = CloseRequest {
        request_id: RequestId::new(),
        session: &by_id,
        counted_cash: CashAmount::Typed(&counted),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: None,
    };
    service::close_shift(s, &fx.manager, None, &office, close).await.unwrap();
    let z = service::z_report(s, &by_id, service::Asker::It("test")).await.unwrap();
    (store, receipts, z)
}

async fn an_owners_rechain_is_caught_by_the_paper_it_left_out(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let (store, receipts, z) = a_shift(&db).await;
    let s = store.as_ref();

    // The paper, scanned: each QR code reads back as its document's anchor.
    let scanned = |anchor: &Option<till_core::anchor::PrintedAnchor>| {
        let anchor = anchor.as_ref().expect("a printed anchor");
        let text = scan_qr(&anchor.qr_svg);
        assert_eq!(text, anchor.text);
        text
    };
    let (first, vanished, last) =
        (scanned(&receipts[0].anchor), scanned(&receipts[1].anchor), scanned(&receipts[2].anchor));
    let z_anchor = scanned(&z.z.anchor);
    assert!(
        vanished.starts_with("TILL1;R;DT-R1-000002;") && z_anchor.starts_with("TILL1;Z;1;"),
        "{vanished} {z_anchor}"
    );
    let dir = std::env::temp_dir().join(format!("till-anchors-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, lines: &[&String]| {
        let path = dir.join(name);
        let text: Vec<&str> = lines.iter().map(|l| l.as_str()).collect();
        std::fs::write(&path, format!("# scanned at the store\n{}\n\n", text.join("\n"))).unwrap();
        path
    };
    let everything = file("all.txt", &[&first, &vanished, &last, &z_anchor]);
    let (ok, report) = tillctl_verify(&db.url, Some(&everything));
    assert!(ok, "{report}");
    assert_eq!(report["anchors"].as_array().unwrap().len(), 4, "{report}");

    // The owner's re-chain: the journal now checks out against itself and every row. This is
    // what an owner who holds no paper can do; only anchors kept outside the database catch it.
    rechain_without(&db, s, &receipts[1]).await;
    let (ok, report) = tillctl_verify(&db.url, None);
    assert!(ok, "the re-chain is thorough enough to pass on its own: {report}");

    // The paper catches it: the vanished sale's receipt, the later sale's and the Z's anchors no
    // longer match; the receipt from before the deleted sale still does.
    let (ok, report) = tillctl_verify(&db.url, Some(&everything));
    assert!(!ok, "{report}");
    let verdict = |text: &String| {
        report["anchors"].as_array().unwrap().iter().find(|a| a["anchor"] == text.as_str()).unwrap()["ok"].clone()
    };
    assert_eq!(verdict(&first), true, "{report}");
    assert_eq!(verdict(&vanished), false, "{report}");
    assert_eq!(verdict(&last), false, "{report}");
    assert_eq!(verdict(&z_anchor), false, "{report}");
    // The Z alone is enough: one sheet in the binder pins the whole shift.
    let (ok, report) = tillctl_verify(&db.url, Some(&file("z.txt", &[&z_anchor])));
    assert!(!ok, "{report}");

    // A file that is not anchors is refused, with its line, before anything is checked.
    let typo = dir.join("typo.txt");
    std::fs::write(&typo, format!("{first}\nTILL1;R;oops\n")).unwrap();
    let (ok, report) = tillctl_verify(&db.url, Some(&typo));
    assert!(!ok);
    assert!(report["error"]["message"].as_str().unwrap().contains("line 2"), "{report}");
    // Nothing to check is refused too (a file of comments must not read as verified); a
    // Windows editor's byte-order mark is not a problem.
    std::fs::write(&typo, "# scanned later\n\n").unwrap();
    let (ok, report) = tillctl_verify(&db.url, Some(&typo));
    assert!(!ok && report["error"]["message"].as_str().unwrap().contains("no anchor"), "{report}");
    std::fs::write(&typo, format!("\u{feff}{first}\n")).unwrap();
    let (ok, report) = tillctl_verify(&db.url, Some(&typo));
    assert!(ok && report["anchors"][0]["ok"] == true, "the receipt from before the deleted sale: {report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Rewrites a chain's entries in place, in order: `edit` changes each body, every hash is
/// recomputed, and the head row (if the chain has one) follows. What an owner does to make a
/// doctored chain agree with itself.
async fn rewrite_chain(db: &TestDatabase, store: &dyn Store, chain: uuid::Uuid, edit: impl Fn(&mut Value)) {
    let entries = service::chain_entries(store, chain).await.unwrap();
    let id = db.uuid(chain);
    let mut prev = till_core::journal::GENESIS.to_string();
    for entry in &entries {
        let mut body: Value = serde_json::from_str(&entry.body).unwrap();
        edit(&mut body);
        let body = canonical_json(&body);
        let hash = entry_hash(&prev, &body);
        db.execute(&format!(
            "UPDATE journal SET body = {}, prev_hash = '{prev}', hash = '{hash}' WHERE chain_id = {id} AND seq = {}",
            quoted(&body),
            entry.seq
        ))
        .await;
        prev = hash;
    }
    db.execute(&format!("UPDATE journal_heads SET hash = '{prev}' WHERE chain_id = {id}")).await;
}

/// Two rewrites an attacker review found verify blind to: a register's chain copied under an
/// id that is no register's (the decoy left when a register's id is changed: verify walked only
/// registers and head rows), and the staff chain re-chained after a Z (nothing pinned it). Each
/// is now reported without any paper.
async fn a_copied_or_rewritten_chain_is_caught(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let (store, receipts, _) = a_shift(&db).await;
    let s = store.as_ref();
    let (ok, report) = tillctl_verify(&db.url, None);
    assert!(ok, "{report}");

    // A doctored copy of the register's chain under a new id, with no head row.
    let (register, decoy) = (receipts[0].register_id.0, uuid::Uuid::now_v7());
    db.execute(&format!(
        "INSERT INTO journal (chain_id, seq, at, device, user_id, event, ref_id, body, prev_hash, hash)
         SELECT {}, seq, at, device, user_id, event, ref_id, body, prev_hash, hash FROM journal WHERE chain_id = {}",
        db.uuid(decoy),
        db.uuid(register)
    ))
    .await;
    rewrite_chain(&db, s, decoy, |body| body["chain"] = json!(decoy)).await;
    let (ok, report) = tillctl_verify(&db.url, None);
    assert!(!ok, "{report}");
    let copied = report["chains"].as_array().unwrap().iter().find(|c| c["chain_id"] == decoy.to_string()).unwrap();
    assert!(copied["first_problem"]["what"].as_str().unwrap().contains("no register"), "{report}");
    db.execute(&format!("DELETE FROM journal WHERE chain_id = {}", db.uuid(decoy))).await;
    let (ok, report) = tillctl_verify(&db.url, None);
    assert!(ok, "{report}");

    // The staff chain re-chained after the Z: a cashier journaled as a manager from the start,
    // the users row to match. The Z recorded the staff chain's head at its close.
    let cashier = receipts[0].cashier.clone();
    db.execute(&format!("UPDATE users SET role = 'manager' WHERE name = '{cashier}'")).await;
    if backend == Backend::Postgres {
        // The trigger journaled that; the owner removes the entry and its head moves back.
        let staff = service::chain_entries(s, till_core::journal::STAFF_CHAIN).await.unwrap();
        let last = staff.last().unwrap();
        db.execute(&format!(
            "DELETE FROM journal WHERE chain_id = {} AND seq = {}",
            db.uuid(uuid::Uuid::nil()),
            last.seq
        ))
        .await;
        db.execute(&format!(
            "UPDATE journal_heads SET seq = {}, hash = '{}' WHERE chain_id = {}",
            last.seq - 1,
            last.prev_hash,
            db.uuid(uuid::Uuid::nil())
        ))
        .await;
    }
    rewrite_chain(&db, s, uuid::Uuid::nil(), |body| {
        if body["event"] == "user" && body["payload"]["name"] == cashier.as_str() {
            body["payload"]["role"] = json!("manager");
        }
    })
    .await;
    let (ok, report) = tillctl_verify(&db.url, None);
    assert!(!ok, "{report}");
    let problems: Vec<&str> = report["chains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["problems"].as_array().unwrap().iter().map(|p| p["what"].as_str().unwrap()))
        .collect();
    assert!(problems.iter().any(|p| p.contains("staff chain was rewritten")), "{report}");
}
