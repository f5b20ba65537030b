//! Receipts: each sale or refund is one call of `till_record_receipt` (migrations/postgres/
//! 0010_expand_sales_functions.sql), one round trip, ordered against a close by the session's
//! row lock.

use crate::conn::map_err;
use crate::PostgresStore;
use async_trait::async_trait;
use serde_json::json;
use sqlx::{PgConnection, Row};
use till_core::*;
use till_sqlx::sales as sql;
use uuid::Uuid;

/// The argument till_record_receipt takes for `r`, before the store adds who acts (`login`,
/// `approval`): public for the tests that call the function in plain SQL as a terminal would.
pub fn payload(r: &NewReceipt) -> serde_json::Value {
    let lines: Vec<serde_json::Value> = r
        .lines
        .iter()
        .map(|l| {
            json!({
                "line_no": l.line_no, "product_id": l.product_id.0, "sku": l.sku, "name": l.name,
                "category": l.category, "tax_rate_id": l.tax_rate_id.0, "rate_ppm": l.rate_ppm, "quantity": l.quantity,
                "catalog_unit_price": l.catalog_unit_price, "unit_price": l.unit_price, "extended": l.extended,
                "line_discount": l.line_discount, "receipt_discount": l.receipt_discount, "amount": l.amount,
                "tax": l.tax, "total": l.total, "refund_of_line": l.refund_of_line,
                "price_change_reason": l.price_change_reason,
            })
        })
        .collect();
    let tenders: Vec<serde_json::Value> = r
        .tenders
        .iter()
        .enumerate()
        .map(|(n, t)| json!({ "n": n, "kind": t.kind, "amount": t.amount, "reference": t.reference }))
        .collect();
    let taxes: Vec<serde_json::Value> = r
        .taxes
        .iter()
        .map(|t| {
            json!({ "tax_rate_id": t.tax_rate_id.0, "name": t.name, "rate_ppm": t.rate_ppm, "net": t.net,
                    "tax": t.tax, "gross": t.gross })
        })
        .collect();
    json!({
        "id": r.id.0, "kind": r.kind.as_str(), "refund_of": r.refund_of.map(|id| id.0), "session_id": r.session_id.0,
        "register_id": r.register_id.0, "device": r.device, "request_hash": r.request_hash,
        "prices_include_tax": r.prices_include_tax, "subtotal": r.subtotal, "discount": r.discount, "tax": r.tax,
        "total": r.total, "rounding": r.rounding, "tendered": r.tendered, "change": r.change, "cash_net": r.cash_net,
        "refund_reason": r.refund_reason, "receipt_discount_reason": r.receipt_discount_reason, "lines": lines, "tenders": tenders, "taxes": taxes,
    })
}

/// The function's SQLSTATEs (class TL, see its migration) as the store's errors.
pub(crate) fn receipt_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let message = db.message().to_string();
        match db.code().as_deref() {
            Some("TL422") => return Refusal::CatalogChanged(message).into(),
            Some("TL423") => return Refusal::Rejected(message).into(),
            Some("TL424") => return StoreError::not_found(Entity::Receipt, message),
            Some("TL425") => return StoreError::not_found(Entity::Receipt, message),
            Some("23514") if db.constraint() == Some("line_refunds_never_more_than_sold") => {
                return Refusal::RefundExceedsSale(message).into()
            }
            Some("23505") if db.constraint() == Some("sales_pkey") => {
                return Refusal::IdempotencyConflict(message).into()
            }
            _ => {}
        }
    }
    map_err(e)
}

async fn complete(conn: &mut PgConnection, mut receipt: Receipt) -> Result<Receipt, sqlx::Error> {
    let id = receipt.id.0;
    let lines = sqlx::query(sql::LINES).bind(id).fetch_all(&mut *conn).await?;
    let tenders = sqlx::query(sql::TENDERS).bind(id).fetch_all(&mut *conn).await?;
    let taxes = sqlx::query(sql::TAXES).bind(id).fetch_all(&mut *conn).await?;
    let decode = |e: StoreError| sqlx::Error::Decode(e.to_string().into());
    receipt.lines = lines.iter().map(till_sqlx::receipt_line).collect::<Result<_, _>>().map_err(decode)?;
    receipt.tenders = tenders.iter().map(till_sqlx::receipt_tender).collect::<Result<_, _>>().map_err(decode)?;
    receipt.taxes = taxes.iter().map(till_sqlx::receipt_tax).collect::<Result<_, _>>().map_err(decode)?;
    Ok(receipt)
}

#[async_trait]
impl SalesStore for PostgresStore {
    async fn pricing_settings(&self, location: &LocationCode) -> Result<PricingSettings, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::PRICING)
            .bind(location.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Location, location))?;
        let location_id: Uuid = row.try_get("id").map_err(map_err)?;
        let rates = sqlx::query(till_sqlx::catalog::TAX_RATES)
            .bind(location_id)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .iter()
            .map(till_sqlx::tax_rate)
            .collect::<Result<_, _>>()?;
        till_sqlx::pricing_settings(&row, rates)
    }

    async fn record_receipt(&self, receipt: NewReceipt) -> Result<Recorded, StoreError> {
        let action = match receipt.kind {
            ReceiptKind::Refund => "refund",
            ReceiptKind::Sale => "sale",
        };
        let request = self.acting(action, payload(&receipt), &receipt.actor, &receipt.device).await?;
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT number, repeated FROM till_record_receipt($1)")
            .bind(sqlx::types::Json(request))
            .fetch_one(conn.db())
            .await;
        let row = row.map_err(|e| conn.fail_with(e, receipt_error))?;
        Ok(Recorded {
            number: row.try_get("number").map_err(map_err)?,
            repeated: row.try_get("repeated").map_err(map_err)?,
        })
    }

    async fn find_receipt(&self, number: &str) -> Result<Receipt, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(sql::RECEIPT_BY_NUMBER)
            .bind(number)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Receipt, number))?;
        let receipt = till_sqlx::receipt(&row)?;
        complete(conn.db(), receipt).await.map_err(|e| conn.fail(e))
    }

    async fn prior_receipt(&self, id: ReceiptId) -> Result<Option<Prior<String>>, StoreError> {
        let mut conn = self.conn().await?;
        let row =
            sqlx::query(sql::PRIOR_RECEIPT).bind(id.0).fetch_optional(conn.db()).await.map_err(|e| conn.fail(e))?;
        row.map(|row| till_sqlx::prior(&row, "number")).transpose()
    }

    async fn list_receipts(&self, session: SessionId) -> Result<Vec<Receipt>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(sql::RECEIPTS_OF_SESSION)
            .bind(session.0)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::receipt).collect()
    }

    async fn session_totals(&self, session: SessionId) -> Result<SessionTotals, StoreError> {
        let mut conn = self.conn().await?;
        // One snapshot (REPEATABLE READ): the session's row and its per-tender, per-rate and
        // per-category rows are one moment, whatever the register records meanwhile (an X of
        // a selling register mixed two moments before: tenders, drawer and taxes disagreed).
        let read: Result<Result<SessionTotals, StoreError>, sqlx::Error> = async {
            let mut tx = sqlx::Connection::begin(conn.db()).await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            let Some(row) = sqlx::query(sql::TOTALS).bind(session.0).fetch_optional(&mut *tx).await? else {
                return Ok(Err(StoreError::not_found(Entity::Session, session)));
            };
            let tenders = sqlx::query(sql::TENDER_TOTALS).bind(session.0).fetch_all(&mut *tx).await?;
            let taxes = sqlx::query(sql::TAX_TOTALS).bind(session.0).fetch_all(&mut *tx).await?;
            let categories = sqlx::query(sql::CATEGORY_TOTALS).bind(session.0).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            Ok((|| {
                let mut totals = till_sqlx::session_totals(&row)?;
                totals.tenders = tenders.iter().map(till_sqlx::tender_total).collect::<Result<_, _>>()?;
                totals.taxes = taxes.iter().map(till_sqlx::receipt_tax).collect::<Result<_, _>>()?;
                totals.categories = categories.iter().map(till_sqlx::category_total).collect::<Result<_, _>>()?;
                Ok(totals)
            })())
        }
        .await;
        read.map_err(|e| conn.fail(e))?
    }
}
