//! `tillctl session`: show and list sessions, force-close a forgotten one, count it late.

use crate::output::{self, Output};
use crate::{cash, device, log_in, log_out, session_out, SessionCommand};
use till_core::service;
use till_core::*;

/// `session show|list|force-close|late-count`.
pub async fn session(store: &dyn Store, out: Output, command: SessionCommand) -> Result<(), TillError> {
    match command {
        SessionCommand::ForceClose { session, reason, user, pin, device: name, request_id } => {
            let device = device(name.as_deref())?;
            let request_id = request_id.map_or_else(RequestId::new, RequestId);
            let session = SessionRef::parse(&session)?;
            let who = log_in(store, &user, &pin, &device).await?;
            let closed = service::force_close(
                store,
                &who,
                None,
                &device,
                service::ForceCloseRequest { request_id, session: &session, reason: &reason, only_location: None },
            )
            .await;
            log_out(store, &who).await;
            out.print(&session_out(store, closed?).await);
        }
        SessionCommand::LateCount {
            session,
            counted_cash,
            float_left,
            variance_reason,
            denominations,
            user,
            pin,
            device: name,
        } => {
            let device = device(name.as_deref())?;
            let session = SessionRef::parse(&session)?;
            let currency = store.find_session(&session).await?.currency;
            let request = service::LateCountRequest {
                session: &session,
                only_location: None,
                counted_cash: CashAmount::Typed(&counted_cash),
                float_left: float_left.as_deref().map(CashAmount::Typed),
                denominations: cash::parse_denominations(denominations.as_deref(), currency)?,
                variance_reason: variance_reason.as_deref(),
            };
            let who = log_in(store, &user, &pin, &device).await?;
            let counted = service::late_count(store, &who, None, &device, request).await;
            log_out(store, &who).await;
            out.print(&session_out(store, counted?).await);
        }
        SessionCommand::Show { session } => {
            let session = store.find_session(&SessionRef::parse(&session)?).await?;
            out.print(&session_out(store, session).await);
        }
        SessionCommand::List(args) => {
            let filter = SessionFilter {
                location: args.location.as_deref().map(LocationCode::parse).transpose()?,
                register: args.register.as_deref().map(RegisterRef::parse).transpose()?,
                status: args.status.as_deref().map(output::parse_status).transpose()?,
                limit: Some(args.limit),
            };
            let sessions = store.list_sessions(&filter).await?;
            // The text's terms only: a role that may not list locations still lists its sessions (in UTC).
            let locations = store.list_locations().await.unwrap_or_default();
            let locals = locations.iter().map(|l| (l.code.clone(), output::Local::of(l))).collect();
            out.print(&output::Sessions { sessions, locals });
        }
    }
    Ok(())
}
