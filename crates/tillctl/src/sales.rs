//! `tillctl sale record|show|list`, `tillctl refund` and `tillctl schema`: the same core
//! operations as the app's sale and refund screens. The cart and refund files name products and
//! lines; every price and total comes from the catalog, never from the file. Their formats are
//! the JSON Schemas of the core's request types, which `tillctl schema` prints.

use crate::output::{Output, Printable};
use crate::PinArgs;
use clap::Subcommand;
use schemars::schema::{InstanceType, RootSchema, Schema, SchemaObject, SingleOrVec};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use till_core::service::{
    self, PriceChangeReason, PriceChangeReasonKind, RefundReason, RefundReasonKind, RefundRequest, SaleRequest, Till,
};
use till_core::*;

#[derive(Subcommand)]
pub enum SaleCommand {
    /// Record a sale from a cart file into the register's open session; prints the receipt.
    /// cart.json: {"lines": [{"sku"|"barcode"|"product_id": ..., "quantity": 2,
    /// "discount": {"kind": "percent", "percent": 100000}}], "receipt_discount": null,
    /// "tenders": [{"kind": "cash", "amount": 2000}, {"kind": "card", "amount": 500,
    /// "approval_reference": "AUTH 42"}]} (amounts in minor units; every field: `tillctl schema
    /// cart`). A cashier's discount above the limit or price override needs --approver.
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
        #[command(flatten)]
        approver: ApproverArgs,
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
    /// lines.json: {"lines": [{"line": 0, "quantity": 1}], "tender": {"kind": "cash"},
    /// "reason": {"kind": "damaged"}} ("card" with "approval_reference" refunds to a card; every
    /// field: `tillctl schema lines`). Its "reason" may instead be given with --reason.
    #[arg(long)]
    file: PathBuf,
    /// Why: damaged, wrong_item, changed_mind, price_match or other (with --reason-text), unless
    /// lines.json has a "reason" (not both). Neither: recorded as other, "none given".
    #[arg(long, value_parser = parse_reason_kind)]
    reason: Option<RefundReasonKind>,
    /// The reason in words, 1 to 200 characters: needed for --reason other, optional otherwise.
    #[arg(long, requires = "reason")]
    reason_text: Option<String>,
    /// A manager or admin: refunds need one (or a cashier, with a manager's --approver).
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
    #[command(flatten)]
    approver: ApproverArgs,
}

/// A manager who approves, with their PIN, what the user's role may not do alone. The PIN is
/// read as [`PinArgs`] reads the user's: `--approver-pin-stdin`, `--approver-pin` or
/// `TILL_APPROVER_PIN`, else a prompt without echo when stdin is a terminal.
#[derive(clap::Args)]
pub(crate) struct ApproverArgs {
    /// A manager or admin who approves what the user may not do alone: a discount above the
    /// location's limit, a price override, a refund. The store checks their PIN with the
    /// receipt, and records them as its approver.
    #[arg(long)]
    approver: Option<String>,
    /// The approver's PIN on the command line (readable in the process list: prefer the
    /// prompt, TILL_APPROVER_PIN or --approver-pin-stdin).
    #[arg(long, env = "TILL_APPROVER_PIN", hide_env_values = true)]
    approver_pin: Option<String>,
    /// Read the approver's PIN from the next line of standard input: the second line when
    /// --pin-stdin reads the first.
    #[arg(long, conflicts_with = "approver_pin")]
    approver_pin_stdin: bool,
}

impl ApproverArgs {
    /// The approval to send with the request, parsed (`invalid_pin`) but not checked: the store
    /// checks it with the receipt it approves. `None` without `--approver`. Read it after the
    /// user's PIN, so that with both on standard input the user's is the first line.
    fn approval(&self) -> Result<Option<Credentials>, TillError> {
        let Some(name) = &self.approver else {
            return Ok(None);
        };
        let pin = PinArgs { pin: self.approver_pin.clone(), pin_stdin: self.approver_pin_stdin };
        let pin = pin.read(name).map_err(|_| {
            InputError::InvalidPin(
                "no approver PIN given: type it at the prompt, or use TILL_APPROVER_PIN or --approver-pin-stdin",
            )
        })?;
        Ok(Some(service::approval(name, &pin)?))
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TillError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::Invalid { field: "file", reason: format!("cannot read {}: {e}", path.display()) })?;
    serde_json::from_str(&text).map_err(|e| {
        // A decimal (or a quoted one) where an integer amount goes.
        let decimal = ["floating point", "expected i64"].iter().any(|said| e.to_string().contains(said));
        let hint = if decimal { "amounts are in minor units: 2.50 is 250; " } else { "" };
        let reason =
            format!("{}: {e}; {hint}`tillctl schema cart` and `tillctl schema lines` list every field", path.display());
        InputError::Invalid { field: "file", reason }.into()
    })
}

pub async fn sale(store: &dyn Store, out: Output, command: SaleCommand) -> Result<(), TillError> {
    match command {
        SaleCommand::Record { register, user, pin, file, id, device, approver } => {
            let request = with_price_change_reasons(read_json(&file)?);
            let register = RegisterRef::parse(&register)?;
            let device = crate::device(device.as_deref())?;
            let id = id.map_or_else(ReceiptId::new, ReceiptId);
            let who = crate::log_in(store, &user, &pin, &device).await?;
            let sold = async {
                // Without --approver, a manager ringing up approves their own discounts and
                // overrides, and a cashier's are refused (till-core's rule).
                let approval = approver.approval()?;
                let till = Till {
                    who: &who,
                    register: &register,
                    device: &device,
                    session: None,
                    approval: approval.as_ref(),
                };
                service::record_sale(store, till, id, &request).await
            }
            .await;
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

/// The reason recorded for a discount or a new price in a cart.json from before reasons.
const NO_PRICE_REASON_GIVEN: &str = "none given (a cart.json without a reason)";

/// cart.json with a reason for each discount and new price: the file's, or, where it gives
/// none (IT's files from before reasons, a public contract), other, "none given". A line the
/// store finds unchanged drops it.
fn with_price_change_reasons(mut request: SaleRequest) -> SaleRequest {
    let none_given =
        || Some(PriceChangeReason { kind: PriceChangeReasonKind::Other, text: Some(NO_PRICE_REASON_GIVEN.into()) });
    for line in &mut request.lines {
        if line.reason.is_none() && (line.discount.is_some() || line.price_override.is_some()) {
            line.reason = none_given();
        }
    }
    if request.receipt_discount_reason.is_none() && request.receipt_discount.is_some() {
        request.receipt_discount_reason = none_given();
    }
    request
}

fn parse_reason_kind(text: &str) -> Result<RefundReasonKind, String> {
    RefundReasonKind::parse(text)
        .map_err(|_| "one of damaged, wrong_item, changed_mind, price_match, other".to_string())
}

/// The reason recorded for a refund made with neither --reason nor a "reason" in lines.json.
const NO_REASON_GIVEN: &str = "none given (tillctl refund without --reason)";

/// lines.json with its reason: the file's, or --reason's (one of them, not both); neither: other,
/// "none given".
fn refund_request(args: &RefundArgs) -> Result<RefundRequest, TillError> {
    let mut file: serde_json::Value = read_json(&args.file)?;
    let refused = |reason: &str| TillError::from(InputError::Invalid { field: "reason", reason: reason.to_string() });
    let reason = match (args.reason, file.get("reason").is_some()) {
        (Some(_), true) => return Err(refused("give the reason in lines.json or with --reason, not both")),
        (Some(kind), false) => Some(RefundReason { kind, text: args.reason_text.clone() }),
        // tillctl's refund is a public contract older than reasons: its old form keeps working,
        // and the receipt says plainly that no reason was given.
        (None, false) => Some(RefundReason { kind: RefundReasonKind::Other, text: Some(NO_REASON_GIVEN.into()) }),
        (None, true) => None,
    };
    if let (Some(reason), Some(object)) = (reason, file.as_object_mut()) {
        object.insert("reason".into(), serde_json::to_value(reason).map_err(|e| refused(&e.to_string()))?);
    }
    serde_json::from_value(file).map_err(|e| {
        let reason = format!("{}: {e}; `tillctl schema lines` lists every field", args.file.display());
        InputError::Invalid { field: "file", reason }.into()
    })
}

pub async fn refund(store: &dyn Store, out: Output, args: RefundArgs) -> Result<(), TillError> {
    let request = refund_request(&args)?;
    let device = crate::device(args.device.as_deref())?;
    let register = match args.register {
        Some(register) => RegisterRef::parse(&register)?,
        None => {
            let sold = store.find_receipt(&args.receipt).await?;
            RegisterRef::parse(&format!("{}/{}", sold.location_code, sold.register_code))?
        }
    };
    let id = args.id.map_or_else(ReceiptId::new, ReceiptId);
    let who = crate::log_in(store, &args.user, &args.pin, &device).await?;
    let refunded = async {
        // Without --approver, a manager refunds as themselves: their login is the approval.
        let approval = args.approver.approval()?;
        let till = Till { who: &who, register: &register, device: &device, session: None, approval: approval.as_ref() };
        service::refund(store, till, id, &args.receipt, &request).await
    }
    .await;
    crate::log_out(store, &who).await;
    out.print(&refunded?);
    Ok(())
}

/// Which request file `tillctl schema` describes.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SchemaFile {
    /// `cart.json` of `tillctl sale record` (the core's `SaleRequest`).
    Cart,
    /// `lines.json` of `tillctl refund` (the core's `RefundRequest`).
    Lines,
}

/// `tillctl schema`'s arguments.
#[derive(clap::Args)]
pub struct SchemaArgs {
    #[arg(value_enum)]
    file: SchemaFile,
}

/// A request file's JSON Schema, derived from the core's request types (schemars reads their
/// serde attributes and doc comments). `--json` prints the schema itself; the human form is the
/// field reference docs/sales-files.md holds.
#[derive(serde::Serialize)]
#[serde(transparent)]
pub struct FileSchema {
    schema: RootSchema,
}

impl FileSchema {
    pub fn of(file: SchemaFile) -> FileSchema {
        let schema = match file {
            SchemaFile::Cart => schemars::schema_for!(SaleRequest),
            SchemaFile::Lines => schemars::schema_for!(RefundRequest),
        };
        FileSchema { schema }
    }

    fn file_name(&self) -> &'static str {
        match self.schema.schema.metadata.as_ref().and_then(|m| m.title.as_deref()) {
            Some("RefundRequest") => "lines.json",
            _ => "cart.json",
        }
    }
}

pub fn schema(out: Output, args: &SchemaArgs) {
    out.print(&FileSchema::of(args.file));
}

/// The definition a `$ref` names (`#/definitions/Tender` → `Tender`).
fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn object(schema: &Schema) -> Option<&SchemaObject> {
    match schema {
        Schema::Object(o) => Some(o),
        Schema::Bool(_) => None,
    }
}

fn description(schema: &SchemaObject) -> String {
    let text = schema.metadata.as_ref().and_then(|m| m.description.as_deref()).unwrap_or("");
    // One table cell: a single line, and a `|` would end the cell.
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// A field's type as the reference prints it: `integer`, `string (uuid)`, ``array of `Tender` ``,
/// `` `Discount` or null``.
fn type_name(schema: &Schema) -> String {
    let Some(o) = object(schema) else {
        return "any".into();
    };
    if let Some(reference) = &o.reference {
        return format!("`{}`", ref_name(reference));
    }
    if let Some(sub) = &o.subschemas {
        if let Some(all) = sub.all_of.as_ref().filter(|all| all.len() == 1) {
            return type_name(&all[0]);
        }
        if let Some(any) = sub.any_of.as_ref().or(sub.one_of.as_ref()) {
            return any.iter().map(type_name).collect::<Vec<_>>().join(" or ");
        }
    }
    if let Some([only]) = o.enum_values.as_deref() {
        return format!("`{only}`");
    }
    let types: Vec<InstanceType> = match &o.instance_type {
        Some(SingleOrVec::Single(t)) => vec![**t],
        Some(SingleOrVec::Vec(ts)) => ts.clone(),
        None => return "any".into(),
    };
    types
        .iter()
        .map(|t| match t {
            InstanceType::Array => {
                let items = o.array.as_ref().and_then(|a| a.items.as_ref());
                match items {
                    Some(SingleOrVec::Single(item)) => format!("array of {}", type_name(item)),
                    _ => "array".into(),
                }
            }
            InstanceType::String if o.format.is_some() => format!("string ({})", o.format.as_deref().unwrap_or("")),
            InstanceType::Integer => "integer".into(),
            InstanceType::String => "string".into(),
            InstanceType::Null => "null".into(),
            InstanceType::Boolean => "boolean".into(),
            InstanceType::Number => "number".into(),
            InstanceType::Object => "object".into(),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The definitions `schema` names, in the order its fields name them (not alphabetical).
fn references(schema: &Schema, found: &mut Vec<String>) {
    let Some(o) = object(schema) else { return };
    if let Some(reference) = &o.reference {
        let name = ref_name(reference).to_string();
        if !found.contains(&name) {
            found.push(name);
        }
    }
    let sub = o.subschemas.iter().flat_map(|s| [&s.all_of, &s.any_of, &s.one_of]).flatten().flatten();
    let items = o.array.iter().filter_map(|a| match &a.items {
        Some(SingleOrVec::Single(item)) => Some(item.as_ref()),
        _ => None,
    });
    let properties = o.object.iter().flat_map(|ob| ob.properties.values());
    for child in sub.chain(items).chain(properties) {
        references(child, found);
    }
}

/// An object's fields as a Markdown table; `tag` (an enum's `kind`) is left out, being said
/// above the table.
fn fields_table(o: &SchemaObject, tag: Option<&str>, text: &mut String) {
    let Some(ob) = &o.object else { return };
    let fields: Vec<_> = ob.properties.iter().filter(|(name, _)| Some(name.as_str()) != tag).collect();
    if fields.is_empty() {
        text.push_str("No other field.\n\n");
        return;
    }
    text.push_str("| field | type | required | what |\n| --- | --- | --- | --- |\n");
    for (name, field) in fields {
        let required = if ob.required.contains(name) { "yes" } else { "no" };
        let what = object(field).map(description).unwrap_or_default();
        text.push_str(&format!("| `{name}` | {} | {required} | {what} |\n", type_name(field)));
    }
    if matches!(ob.additional_properties.as_deref(), Some(Schema::Bool(false))) {
        text.push_str("\nAny other field is refused (`invalid_input`).\n");
    }
    text.push('\n');
}

/// The field of an internally tagged enum's variants that names the variant (`kind`).
fn tag_of(variant: &SchemaObject) -> Option<(&str, String)> {
    let ob = variant.object.as_ref()?;
    ob.properties.iter().find_map(|(name, field)| match object(field)?.enum_values.as_deref() {
        Some([value]) if ob.required.contains(name) => Some((name.as_str(), value.to_string())),
        _ => None,
    })
}

/// One definition: an object's fields, or an enum's variants, each with its fields.
fn definition(name: &str, o: &SchemaObject, text: &mut String) {
    text.push_str(&format!("#### `{name}`\n\n"));
    let about = description(o);
    let variants = o.subschemas.as_ref().and_then(|s| s.one_of.as_ref());
    match variants {
        Some(variants) => {
            let variants: Vec<&SchemaObject> = variants.iter().filter_map(object).collect();
            let tag = variants.first().and_then(|v| tag_of(v)).map(|(tag, _)| tag).unwrap_or("kind");
            if !about.is_empty() {
                text.push_str(&format!("{about}\n\n"));
            }
            text.push_str(&format!("One of these, by `{tag}`:\n\n"));
            for variant in variants {
                let value = tag_of(variant).map(|(_, value)| value).unwrap_or_default();
                text.push_str(&format!("`\"{tag}\": {value}`: {}\n\n", description(variant)));
                fields_table(variant, Some(tag), text);
            }
        }
        None => {
            if !about.is_empty() {
                text.push_str(&format!("{about}\n\n"));
            }
            fields_table(o, None, text);
        }
    }
}

impl Printable for FileSchema {
    /// The field reference in Markdown: the file's object, then each type it names, in the order
    /// it names them.
    fn human(&self) -> String {
        let root = &self.schema;
        let title = root.schema.metadata.as_ref().and_then(|m| m.title.as_deref()).unwrap_or("");
        let mut text = format!("#### `{}`: `{title}`\n\n", self.file_name());
        let about = description(&root.schema);
        if !about.is_empty() {
            text.push_str(&format!("{about}\n\n"));
        }
        fields_table(&root.schema, None, &mut text);
        let mut names = Vec::new();
        references(&Schema::Object(root.schema.clone()), &mut names);
        let mut done = BTreeSet::new();
        while let Some(name) = names.iter().find(|n| !done.contains(*n)).cloned() {
            done.insert(name.clone());
            if let Some(o) = root.definitions.get(&name).and_then(object) {
                references(&Schema::Object(o.clone()), &mut names);
                definition(&name, o, &mut text);
            }
        }
        text.trim_end().to_string()
    }
}

/// Minor units as a decimal in the receipt's currency (`1530` USD → `15.30`).
/// Money as the receipt's location writes it (`27,93 €` in de-DE): text output only.
fn money(minor: i64, (currency, locale): (Currency, &str)) -> String {
    Money::from_minor(minor, currency).localized(locale)
}

impl Printable for Receipt {
    /// As a customer reads it: the store, its address and tax number; the local time; each line
    /// at its price before discount with the discount under it; tax per rate; the total, and
    /// the amount to pay in cash when cash is rounded; tenders and change.
    fn human(&self) -> String {
        let c = (self.currency, self.locale.as_str());
        let mut text = format!("{}\n", self.location_name);
        if !self.location_address.is_empty() {
            text.push_str(&format!("{}\n", self.location_address));
        }
        if !self.location_tax_number.is_empty() {
            text.push_str(&format!("Tax number {}\n", self.location_tax_number));
        }
        let title = match self.kind {
            ReceiptKind::Sale => "Receipt".to_string(),
            ReceiptKind::Refund => format!("REFUND of {}", self.refund_of.as_deref().unwrap_or("?")),
        };
        let at = crate::output::Local::new(&self.time_zone, &self.locale).time(self.at, "%Y-%m-%d %H:%M");
        text.push_str(&format!("{title} {}\n{at}  {}  cashier {}\n", self.number, self.register_code, self.cashier));
        // Why a refund was given, and which manager approved (a refund, or an approved sale).
        if let Some(reason) = &self.refund_reason {
            let words = reason.text.as_deref().map(|t| format!(": {t}")).unwrap_or_default();
            text.push_str(&format!("reason {}{words}\n", reason.kind.as_str()));
        }
        if let Some(manager) = &self.approved_by {
            text.push_str(&format!("approved by {manager}\n"));
        }
        text.push('\n');
        for l in &self.lines {
            let discount = l.line_discount + l.receipt_discount;
            let shown = if self.kind == ReceiptKind::Sale { l.extended } else { l.amount };
            text.push_str(&format!("{:>3} x {:<28} {:>10}\n", l.quantity, l.name, money(shown, c)));
            if discount > 0 && self.kind == ReceiptKind::Sale {
                text.push_str(&format!("      discount {:>27}\n", money(-discount, c)));
            }
        }
        for t in &self.taxes {
            text.push_str(&format!("  {:<20} on {:>10}: {:>10}\n", t.name, money(t.net, c), money(t.tax, c)));
        }
        text.push_str(&format!("{:<34} {:>10}\n", "TOTAL", money(self.total, c)));
        if self.rounding != 0 {
            text.push_str(&format!("{:<34} {:>10}\n", "cash rounding", money(self.rounding, c)));
            let label = if self.kind == ReceiptKind::Sale { "TO PAY" } else { "PAID OUT" };
            text.push_str(&format!("{:<34} {:>10}\n", label, money(self.total + self.rounding, c)));
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
                    money(r.total, (r.currency, r.locale.as_str())),
                    r.cashier
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
