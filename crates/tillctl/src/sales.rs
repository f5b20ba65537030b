//! `tillctl sale record|show|list` and `tillctl refund`: the same core operations as the app's
//! sale and refund screens. The cart and refund files name products and lines; every price and
//! total comes from the catalog, never from the file.

use crate::output::{Output, Printable};
use crate::PinArgs;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use till_core::service::{self, RefundRequest, SaleRequest, Till};
use till_core::*;

#[derive(Subcommand)]
pub enum SaleCommand {
    /// Record a sale from a cart file into the register's open session; prints the receipt.
    /// cart.json: {"lines": [{"sku"|"barcode"|"product_id": ..., "quantity": 2,
    /// "discount": {"kind": "percent", "percent": 100000}}], "receipt_discount": null,
    /// "tenders": [{"kind": "cash", "amount": 2000}, {"kind": "card", "amount": 500,
    /// "approval_reference": "AUTH 42"}]} (amounts in minor units; README: sales).
    Record {
        #[arg(long)]
        register: String,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        pin: PinArgs,
        #[arg(long)]
        file: PathBuf,
        /// A UUID you choose: running the command again with it answers the same receipt.
        #[arg(long)]
        id: Option<uuid::Uuid>,
        #[arg(long)]
        device: Option<String>,
    },
    /// One receipt, as printed.
    Show { number: String },
    /// A session's receipts.
    List {
        /// Session id or number.
        #[arg(long)]
        session: String,
    },
}

/// `tillctl refund`'s arguments.
#[derive(clap::Args)]
pub struct RefundArgs {
    /// The sale's receipt number (DT-R1-000123).
    #[arg(long)]
    receipt: String,
    /// lines.json: {"lines": [{"line": 0, "quantity": 1}], "tender": {"kind": "cash"}}
    /// ("card" with "approval_reference" refunds to a card).
    #[arg(long)]
    file: PathBuf,
    /// A manager or admin: refunds need one.
    #[arg(long)]
    user: String,
    #[command(flatten)]
    pin: PinArgs,
    /// The register the refund is paid out at (default: the sale's).
    #[arg(long)]
    register: Option<String>,
    #[arg(long)]
    id: Option<uuid::Uuid>,
    #[arg(long)]
    device: Option<String>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TillError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::Invalid { field: "file", reason: format!("cannot read {}: {e}", path.display()) })?;
    serde_json::from_str(&text)
        .map_err(|e| InputError::Invalid { field: "file", reason: format!("{}: {e}", path.display()) }.into())
}

pub async fn sale(store: &dyn Store, out: Output, command: SaleCommand) -> Result<(), TillError> {
    match command {
        SaleCommand::Record { register, user, pin, file, id, device } => {
            let request: SaleRequest = read_json(&file)?;
            let register = RegisterRef::parse(&register)?;
            let device = crate::device(device.as_deref())?;
            let who = crate::log_in(store, &user, &pin, &device).await?;
            // A manager ringing up approves their own discounts and overrides (till-core's rule).
            let till = Till { who: &who, register: &register, device: &device, session: None, approval: None };
            let id = id.map_or_else(ReceiptId::new, ReceiptId);
            let sold = service::record_sale(store, till, id, &request).await;
            crate::log_out(store, &who).await;
            out.print(&sold?);
        }
        SaleCommand::Show { number } => out.print(&store.find_receipt(&number).await?),
        SaleCommand::List { session } => {
            let session = store.find_session(&SessionRef::parse(&session)?).await?;
            out.print(&store.list_receipts(session.id).await?);
        }
    }
    Ok(())
}

pub async fn refund(store: &dyn Store, out: Output, args: RefundArgs) -> Result<(), TillError> {
    let request: RefundRequest = read_json(&args.file)?;
    let device = crate::device(args.device.as_deref())?;
    let register = match args.register {
        Some(register) => RegisterRef::parse(&register)?,
        None => {
            let sold = store.find_receipt(&args.receipt).await?;
            RegisterRef::parse(&format!("{}/{}", sold.location_code, sold.register_code))?
        }
    };
    // The manager refunds as themselves: their login is the approval.
    let who = crate::log_in(store, &args.user, &args.pin, &device).await?;
    let till = Till { who: &who, register: &register, device: &device, session: None, approval: None };
    let id = args.id.map_or_else(ReceiptId::new, ReceiptId);
    let refunded = service::refund(store, till, id, &args.receipt, &request).await;
    crate::log_out(store, &who).await;
    out.print(&refunded?);
    Ok(())
}

/// Minor units as a decimal in the receipt's currency (`1530` USD → `15.30`).
fn money(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).to_string()
}

impl Printable for Receipt {
    fn human(&self) -> String {
        let c = self.currency;
        let mut text = format!("{}\n", self.location_name);
        if !self.location_address.is_empty() {
            text.push_str(&format!("{}\n", self.location_address));
        }
        let title = match self.kind {
            ReceiptKind::Sale => "Receipt".to_string(),
            ReceiptKind::Refund => format!("Refund of {}", self.refund_of.as_deref().unwrap_or("?")),
        };
        text.push_str(&format!(
            "{title} {}\n{} UTC  {}  cashier {}\n\n",
            self.number,
            self.at.format("%Y-%m-%d %H:%M"),
            self.register_code,
            self.cashier
        ));
        for l in &self.lines {
            text.push_str(&format!("{:>3} x {:<28} {:>10}\n", l.quantity, l.name, money(l.amount, c)));
            if l.line_discount + l.receipt_discount > 0 && self.kind == ReceiptKind::Sale {
                text.push_str(&format!(
                    "      discount {:>27}\n",
                    format!("-{}", money(l.line_discount + l.receipt_discount, c))
                ));
            }
        }
        for t in &self.taxes {
            text.push_str(&format!("  {:<20} on {:>10}: {:>10}\n", t.name, money(t.net, c), money(t.tax, c)));
        }
        text.push_str(&format!("{:<34} {:>10}\n", "TOTAL", money(self.total, c)));
        if self.rounding != 0 {
            text.push_str(&format!("{:<34} {:>10}\n", "cash rounding", money(self.rounding, c)));
        }
        for t in &self.tenders {
            let reference = t.reference.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
            text.push_str(&format!("{:<34} {:>10}\n", format!("{}{reference}", t.kind), money(t.amount, c)));
        }
        if self.change > 0 {
            text.push_str(&format!("{:<34} {:>10}\n", "change", money(self.change, c)));
        }
        if let Some(anchor) = &self.anchor {
            text.push_str(&format!("anchor: {}\n", anchor.text));
        }
        text
    }
}

impl Printable for Vec<Receipt> {
    fn human(&self) -> String {
        self.iter()
            .map(|r| {
                format!(
                    "{:<16} {:<7} {} {:>12} {}",
                    r.number,
                    r.kind.as_str(),
                    r.at.format("%H:%M:%S"),
                    money(r.total, r.currency),
                    r.cashier
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
