//! The journal: entries, chain heads, and the heads Z reports anchored.

use super::read;
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};
use till_core::journal::{ChainHead, JournalEntry, ZAnchor};
use till_core::{RegisterId, SessionId, StoreError};
use uuid::Uuid;

columns! {
    /// A row of `journal`.
    pub struct JournalEntryRow {
        chain_id: Uuid,
        seq: i64,
        at: DateTime<Utc>,
        device: String,
        user_id: Option<Uuid>,
        event: String,
        ref_id: Option<Uuid>,
        body: String,
        prev_hash: String,
        hash: String,
    }
}

impl From<JournalEntryRow> for JournalEntry {
    fn from(row: JournalEntryRow) -> JournalEntry {
        JournalEntry {
            chain_id: row.chain_id,
            seq: row.seq,
            at: row.at,
            device: row.device,
            user_id: row.user_id,
            event: row.event,
            ref_id: row.ref_id,
            body: row.body,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// Decodes a row of `journal`.
pub fn journal_entry<'r, R: Row>(row: &'r R) -> Result<JournalEntry, StoreError>
where
    JournalEntryRow: FromRow<'r, R>,
{
    read::<JournalEntryRow, R>(row).map(JournalEntry::from)
}

columns! {
    /// A row of [`crate::journal::HEADS`].
    pub struct ChainHeadRow {
        chain_id: Uuid,
        seq: i64,
        hash: String,
    }
}

impl From<ChainHeadRow> for ChainHead {
    fn from(row: ChainHeadRow) -> ChainHead {
        ChainHead { chain_id: row.chain_id, seq: row.seq, hash: row.hash }
    }
}

/// Decodes a row of [`crate::journal::HEADS`].
pub fn chain_head<'r, R: Row>(row: &'r R) -> Result<ChainHead, StoreError>
where
    ChainHeadRow: FromRow<'r, R>,
{
    read::<ChainHeadRow, R>(row).map(ChainHead::from)
}

columns! {
    /// A row of [`crate::journal::ANCHORS`].
    pub struct ZAnchorRow {
        register_id: Uuid,
        z_number: i64,
        session_id: Uuid,
        journal_seq: i64,
        journal_head: String,
    }
}

impl From<ZAnchorRow> for ZAnchor {
    fn from(row: ZAnchorRow) -> ZAnchor {
        ZAnchor {
            register_id: RegisterId(row.register_id),
            z_number: row.z_number,
            session_id: SessionId(row.session_id),
            journal_seq: row.journal_seq,
            journal_head: row.journal_head,
        }
    }
}

/// Decodes a row of [`crate::journal::ANCHORS`].
pub fn z_anchor<'r, R: Row>(row: &'r R) -> Result<ZAnchor, StoreError>
where
    ZAnchorRow: FromRow<'r, R>,
{
    read::<ZAnchorRow, R>(row).map(ZAnchor::from)
}
