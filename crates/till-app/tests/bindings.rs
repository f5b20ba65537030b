//! The UI's TypeScript types are generated from the Rust types (ts-rs) and committed under
//! `ui/src/bindings/`: till-core's, and the app's own requests and answers. It lives in the app
//! crate because that sees them all. This test fails when they are stale, so a code the core
//! can answer and the UI cannot word (or a field it does not know) is caught here and by the
//! UI's type check. Regenerate with `TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings`.

use std::path::PathBuf;
use till_core::*;
use ts_rs::TS;

fn check(name: &str, generated: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings").join(name);
    let generated = format!(
        "// Generated from Rust by ts-rs: do not edit. Regenerate with\n// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings\n{generated}\n"
    );
    write_or_compare(&path, &generated);
}

/// Writes `generated` to `path` when regenerating, else checks the committed file is the same.
fn write_or_compare(path: &std::path::Path, generated: &str) {
    if std::env::var_os("TILL_UPDATE_BINDINGS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap_or(path)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path, generated).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        committed,
        generated,
        "{} is stale: run TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings",
        path.display()
    );
}

#[test]
fn error_codes_match_the_ui() {
    let generated = format!("export type ErrorCode = {};", ErrorCode::inline(&ts_rs::Config::default()));
    // Every code the core lists is in the union, and the union has no other member.
    for code in ErrorCode::ALL {
        assert!(generated.contains(&format!("\"{}\"", code.as_str())), "{code} missing from {generated}");
    }
    assert_eq!(generated.matches('"').count(), 2 * ErrorCode::ALL.len(), "ErrorCode::ALL misses a variant");
    check("ErrorCode.ts", generated);
}

/// One file per type the UI reads, each with its own imports.
#[test]
fn views_match_the_ui() {
    fn export<T: TS + 'static>(name: &str) {
        let cfg = ts_rs::Config::default();
        let mut imports: Vec<String> = T::dependencies(&cfg)
            .into_iter()
            .map(|d| format!("import type {{ {} }} from \"./{}\";", d.ts_name, d.ts_name))
            .collect();
        imports.sort();
        imports.dedup();
        let body = format!("{}\nexport {}", imports.join("\n"), T::decl(&cfg));
        check(name, body.trim_start().to_string());
    }
    export::<Role>("Role.ts");
    export::<Location>("Location.ts");
    // The new-store screen's countries.
    export::<till_core::location::PresetRate>("PresetRate.ts");
    export::<till_core::location::PresetView>("PresetView.ts");
    export::<Register>("Register.ts");
    export::<User>("User.ts");
    export::<SessionStatus>("SessionStatus.ts");
    export::<Join>("Join.ts");
    export::<SessionView>("SessionView.ts");
    export::<ShiftStartedView>("ShiftStartedView.ts");
    export::<AuthEventKind>("AuthEventKind.ts");
    export::<AuthEvent>("AuthEvent.ts");
    // Pricing: amounts are integer minor units, at most 10^12, so exact as numbers.
    // Catalog and receipts.
    export::<Category>("Category.ts");
    export::<Product>("Product.ts");
    export::<ReceiptKind>("ReceiptKind.ts");
    export::<ReceiptLine>("ReceiptLine.ts");
    export::<ReceiptTender>("ReceiptTender.ts");
    export::<ReceiptTax>("ReceiptTax.ts");
    // A receipt's and a Z's journal anchor, as a QR code.
    export::<till_core::anchor::PrintedAnchor>("PrintedAnchor.ts");
    export::<Receipt>("Receipt.ts");
    export::<TenderTotal>("TenderTotal.ts");
    export::<CategoryTotal>("CategoryTotal.ts");
    export::<SessionTotals>("SessionTotals.ts");
    // Cash control and reports.
    export::<MovementKind>("MovementKind.ts");
    export::<CashReason>("CashReason.ts");
    export::<CashMovement>("CashMovement.ts");
    export::<DenominationCount>("DenominationCount.ts");
    export::<CloseCount>("CloseCount.ts");
    export::<ZRecord>("ZRecord.ts");
    export::<till_core::reports::ReportHeader>("ReportHeader.ts");
    export::<till_core::reports::CountAmount>("CountAmount.ts");
    export::<till_core::reports::SalesSection>("SalesSection.ts");
    export::<till_core::reports::DrawerSection>("DrawerSection.ts");
    export::<till_core::reports::XReport>("XReport.ts");
    export::<till_core::reports::ZReport>("ZReport.ts");
    // Voids: lines taken off a sale before it was paid.
    export::<VoidKind>("VoidKind.ts");
    export::<VoidLine>("VoidLine.ts");
    export::<VoidedLine>("VoidedLine.ts");
    export::<VoidRecorded>("VoidRecorded.ts");
    export::<till_core::service::DaySession>("DaySession.ts");
    export::<till_core::service::SignOffFigures>("SignOffFigures.ts");
    export::<service::SaleLineRequest>("SaleLineRequest.ts");
    export::<service::SaleRequest>("SaleRequest.ts");
    export::<service::RefundTender>("RefundTender.ts");
    export::<service::RefundLineRequest>("RefundLineRequest.ts");
    export::<service::RefundRequest>("RefundRequest.ts");
    export::<service::RefundReasonKind>("RefundReasonKind.ts");
    export::<service::RefundReason>("RefundReason.ts");
    export::<service::PriceChangeReasonKind>("PriceChangeReasonKind.ts");
    export::<service::PriceChangeReason>("PriceChangeReason.ts");
    export::<service::RefundQuoteLine>("RefundQuoteLine.ts");
    export::<service::RefundQuote>("RefundQuote.ts");
    export::<Ppm>("Ppm.ts");
    export::<TaxRate>("TaxRate.ts");
    export::<PricingSettings>("PricingSettings.ts");
    export::<Discount>("Discount.ts");
    export::<ProductSnapshot>("ProductSnapshot.ts");
    export::<CartLine>("CartLine.ts");
    export::<Cart>("Cart.ts");
    export::<PricedLine>("PricedLine.ts");
    export::<TaxLine>("TaxLine.ts");
    export::<Approval>("Approval.ts");
    export::<PricedCart>("PricedCart.ts");
    export::<Tender>("Tender.ts");
    export::<Settlement>("Settlement.ts");
    export::<CustomerStage>("CustomerStage.ts");
    export::<CustomerLine>("CustomerLine.ts");
    export::<CustomerView>("CustomerView.ts");
    // The app's own: the device, its set-up, its printer and drawer, and its updater.
    export::<till_app::settings::DatabaseKind>("DatabaseKind.ts");
    export::<till_app::state::DamagedView>("DamagedView.ts");
    export::<till_devices::settings::PrinterSection>("PrinterChoice.ts");
    export::<till_devices::settings::DrawerSection>("DrawerChoice.ts");
    export::<till_app::state::DeviceStatus>("DeviceStatus.ts");
    export::<till_backend::DemoUser>("DemoUser.ts");
    export::<till_app::state::SetupResult>("SetupResult.ts");
    export::<till_app::state::NewStore>("NewStore.ts");
    export::<till_app::state::SetupRequest>("SetupRequest.ts");
    export::<till_app::state::Approval>("ManagerApproval.ts");
    export::<till_app::state::BackupAfterClose>("BackupAfterClose.ts");
    export::<till_app::state::QuickKeys>("QuickKeys.ts");
    export::<till_app::printing::PrinterStatusView>("PrinterStatusView.ts");
    export::<till_app::error::ApiError>("ApiError.ts");
    export::<till_app::updates::UpdateState>("UpdateState.ts");
    export::<till_app::updates::UpdateStatus>("UpdateStatus.ts");
    export::<till_app::updates::BuildInfo>("BuildInfo.ts");
}
