//! Stored bytes of a tenant and of a session, summed from the index inside the transaction
//! that writes, so a quota check and the write it allows are one step (redb has one writer).
//!
//! The session sum reads only that session's records (they share a key prefix). The tenant
//! sum reads every record of the index, which is fine for one node's index; the check runs
//! only when a tenant quota is set.

use redb::{ReadableTable, WriteTransaction};
use vitrine_wire::SessionId;

use super::{ARTIFACTS, ArtifactRecord, FILES, FileEntry, State};
use crate::{QuotaScope, Quotas, StoreError};

/// Refuses adding `adding` bytes for `tenant` (and to `session`, for an artifact) when that
/// would exceed a quota; `replacing` bytes of the tenant's are given up by the same write.
pub(super) fn check(
    txn: &WriteTransaction,
    quotas: Quotas,
    tenant: &str,
    session: Option<&SessionId>,
    adding: u64,
    replacing: u64,
    now: u64,
) -> Result<(), StoreError> {
    if let (Some(limit), Some(session)) = (quotas.session_bytes, session) {
        let stored = session_bytes(txn, session, now)?;
        Quotas::check(Some(limit), QuotaScope::Session, stored, adding)?;
    }
    if let Some(limit) = quotas.tenant_bytes {
        let stored = tenant_bytes(txn, tenant, now)?.saturating_sub(replacing);
        Quotas::check(Some(limit), QuotaScope::Tenant, stored, adding)?;
    }
    Ok(())
}

fn counts(record: &ArtifactRecord, now: u64) -> bool {
    matches!(record.state, State::Live) && record.meta.expires_at > now
}

fn session_bytes(txn: &WriteTransaction, session: &SessionId, now: u64) -> Result<u64, StoreError> {
    let table = txn.open_table(ARTIFACTS)?;
    // Keys are `<session>/<id>`; `0` is the byte after `/`.
    let (start, end) = (format!("{session}/"), format!("{session}0"));
    let mut total = 0u64;
    for entry in table.range(start.as_str()..end.as_str())? {
        let (_, value) = entry?;
        let record: ArtifactRecord = serde_json::from_slice(value.value())?;
        if counts(&record, now) {
            total = total.saturating_add(record.meta.size);
        }
    }
    Ok(total)
}

fn tenant_bytes(txn: &WriteTransaction, tenant: &str, now: u64) -> Result<u64, StoreError> {
    let mut total = 0u64;
    for entry in txn.open_table(ARTIFACTS)?.iter()? {
        let (_, value) = entry?;
        let record: ArtifactRecord = serde_json::from_slice(value.value())?;
        if record.meta.tenant == tenant && counts(&record, now) {
            total = total.saturating_add(record.meta.size);
        }
    }
    for entry in txn.open_table(FILES)?.iter()? {
        let (_, value) = entry?;
        let file: FileEntry = serde_json::from_slice(value.value())?;
        if file.record.tenant == tenant && file.record.complete && file.record.expires_at > now {
            total = total.saturating_add(file.record.bytes);
        }
    }
    Ok(total)
}
