//! Every command the screens call that the application answers, by name, with its arguments as
//! `ui/src/api.ts` sends them (a camelCased JSON object): one table for both transports. The
//! desktop app hands each webview call here after Tauri's ACL has allowed its name; the browser
//! tests' loopback bridge (`till-ui-bridge`) hands each mocked IPC call here. Each arm is a
//! one-line call into [`AppState`]: the rules are in till-core and the stores.
//!
//! Three commands belong to the desktop shell, not to the application (the build it is, and
//! the updater's): src-tauri answers `build_info`, `update_status` and `install_update_now`.

use crate::error::IpcError;
use crate::state::{AppState, Approval, SetupRequest};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use till_core::service::{RefundRequest, SaleLineRequest, SaleRequest};
use till_core::{
    CloseCount, DenominationCount, Discount, InputError, MovementId, MovementKind, ReceiptId, RequestId, SessionId,
    StoreFailure, TillError, VoidId, VoidKind, VoidLine,
};
use till_devices::settings::{DrawerSection, PrinterSection};

include!("command_names.rs");

/// Does [`call`] answer `command`? Every command but the shell's.
pub fn serves(command: &str) -> bool {
    COMMANDS.contains(&command) && !SHELL_COMMANDS.contains(&command)
}

/// A command's arguments: a struct of the named fields, camelCased as the UI sends them (as
/// Tauri's own commands take them). A missing optional field is `None`.
macro_rules! args {
    ($value:expr, $($field:ident : $ty:ty),+ $(,)?) => {{
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Args {
            $($field: $ty),+
        }
        parse::<Args>($value)?
    }};
}

/// Answers `command` with `args`: the answer as JSON, or the refusal (`{code, message}` when
/// serialized). An unknown command or malformed arguments are `invalid_input`: the UI and this
/// table disagree, which the browser tests catch.
pub async fn call(state: &AppState, command: &str, args: Value) -> Result<Value, IpcError> {
    match command {
        "device_status" => answer(state.status().await),
        "setup_device" => {
            let a = args!(args, request: SetupRequest, approval: Option<Approval>);
            answer(state.setup(a.request, a.approval).await)
        }
        "location_presets" => answer(Ok(till_core::location::preset_views())),
        "list_registers" => answer(state.list_registers().await),
        "choose_register" => {
            let a = args!(args, register: String, approval: Option<Approval>);
            answer(state.choose_register(&a.register, a.approval).await)
        }
        "repair_settings" => answer(state.repair_settings(args!(args, approval: Option<Approval>).approval).await),
        "list_users" => answer(state.list_users().await),
        "login" => {
            let a = args!(args, user: String, pin: String);
            answer(state.login(&a.user, &a.pin).await)
        }
        "logout" => {
            state.logout().await;
            Ok(Value::Null)
        }
        "unlock_user" => {
            let a = args!(args, user: String, approval: Approval);
            answer(state.unlock_user(&a.user, a.approval).await)
        }
        "current_session" => answer(state.current_session().await),
        "start_shift" => {
            let a = args!(args, request_id: RequestId, opening_cash: Option<i64>, notes: Option<String>,
                denominations: Option<Vec<DenominationCount>>);
            answer(
                state
                    .start_shift(a.request_id, a.opening_cash, a.notes.as_deref(), a.denominations.unwrap_or_default())
                    .await,
            )
        }
        "close_shift" => {
            let a = args!(args, request_id: RequestId, session: String, counted_cash: i64, approval: Approval,
                count: Option<CloseCount>);
            let count = a.count.unwrap_or_default();
            answer(state.close_shift(a.request_id, &a.session, a.counted_cash, a.approval, count).await)
        }
        "last_backup" => answer(state.last_backup().await),
        "set_backup_folder" => {
            let a = args!(args, folder: Option<String>, approval: Option<Approval>);
            answer(state.set_backup_folder(a.folder, a.approval).await)
        }
        "set_hardware" => {
            let a =
                args!(args, printer: Option<PrinterSection>, drawer: Option<DrawerSection>, approval: Option<Approval>);
            answer(state.set_hardware(a.printer, a.drawer, a.approval).await)
        }
        "print_test_page" => answer(state.print_test_page().await),
        "open_items" => answer(state.open_items().await),
        "price_cart" => {
            let a = args!(args, lines: Vec<SaleLineRequest>, receipt_discount: Option<Discount>);
            answer(state.price_cart(a.lines, a.receipt_discount).await)
        }
        "record_sale" => {
            let a = args!(args, id: ReceiptId, session_id: SessionId, request: SaleRequest, approval: Option<Approval>);
            answer(state.record_sale(a.id, a.session_id, a.request, a.approval).await)
        }
        "find_product" => {
            let a = args!(args, barcode: Option<String>, sku: Option<String>);
            answer(state.find_product(a.barcode.as_deref(), a.sku.as_deref()).await)
        }
        "search_products" => answer(state.search_products(&args!(args, text: String).text).await),
        "quick_keys" => answer(state.quick_keys().await),
        "find_receipt" => answer(state.find_receipt(&args!(args, number: String).number).await),
        "quote_refund" => {
            let a = args!(args, receipt: String, request: RefundRequest);
            answer(state.quote_refund(&a.receipt, a.request).await)
        }
        "refund" => {
            let a = args!(args, id: ReceiptId, receipt: String, request: RefundRequest, approval: Approval);
            answer(state.refund(a.id, &a.receipt, a.request, a.approval).await)
        }
        "session_totals" => answer(state.session_totals().await),
        "cash_reasons" => answer(state.cash_reasons().await),
        "record_movement" => {
            let a = args!(args, id: MovementId, kind: MovementKind, amount: Option<i64>, reason: String,
                note: Option<String>, approval: Option<Approval>);
            answer(state.record_movement(a.id, a.kind, a.amount, a.reason, a.note, a.approval).await)
        }
        "x_report" => {
            let a = args!(args, session: Option<String>, approval: Option<Approval>);
            answer(state.x_report(a.session, a.approval).await)
        }
        "z_report" => answer(state.z_report(args!(args, session: String).session).await),
        "force_close" => {
            let a = args!(args, request_id: RequestId, session: String, reason: String, approval: Approval);
            answer(state.force_close(a.request_id, a.session, a.reason, a.approval).await)
        }
        "late_count" => {
            let a = args!(args, session: String, counted_cash: i64, count: Option<CloseCount>, approval: Approval);
            answer(state.late_count(a.session, a.counted_cash, a.count.unwrap_or_default(), a.approval).await)
        }
        "sign_off_figures" => {
            let a = args!(args, session: String, counted_cash: i64, approval: Approval);
            answer(state.sign_off_figures(a.session, a.counted_cash, a.approval).await)
        }
        "check_approval" => answer(state.check_approval(args!(args, approval: Approval).approval).await),
        "record_reprint" => answer(state.record_reprint(args!(args, number: String).number).await),
        "printer_status" => answer(state.printer_status().await),
        "show_customer" => answer(state.show_customer(args!(args, view: till_core::CustomerView).view)),
        "customer_view" => answer(Ok::<_, IpcError>(state.customer_view())),
        "print_x_report" => {
            let a = args!(args, session: Option<String>, approval: Option<Approval>);
            answer(state.print_x_report(a.session, a.approval).await)
        }
        "print_z_report" => answer(state.print_z_report(args!(args, session: String).session).await),
        "record_void" => {
            let a = args!(args, request_id: VoidId, kind: VoidKind, lines: Vec<VoidLine>);
            answer(state.record_void(a.request_id, a.kind, a.lines).await)
        }
        "forgotten_sessions" => answer(state.forgotten_sessions().await),
        "day_view" => answer(state.day_view(args!(args, day: Option<chrono::NaiveDate>).day).await),
        unknown => Err(invalid("command", format!("{unknown:?} is not a command of the application"))),
    }
}

fn parse<T: DeserializeOwned>(args: Value) -> Result<T, IpcError> {
    // Tauri passes no arguments as an empty object; the bridge may pass null.
    let args = if args.is_null() { Value::Object(serde_json::Map::new()) } else { args };
    serde_json::from_value(args).map_err(|e| invalid("arguments", e.to_string()))
}

fn answer<T: Serialize>(answered: Result<T, IpcError>) -> Result<Value, IpcError> {
    answered.and_then(|value| {
        serde_json::to_value(value).map_err(|e| StoreFailure::Internal(format!("cannot encode: {e}")).into())
    })
}

fn invalid(field: &'static str, reason: String) -> IpcError {
    IpcError::Till(TillError::Input(InputError::Invalid { field, reason }))
}
