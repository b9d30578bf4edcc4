//! [`ExecutionQueue`] in the redb index.
//!
//! Every state change is one write transaction, so a crash leaves an execution
//! either before or after the change, never half-way: the queue entry, the
//! running set and the record move together.
//!
//! ```text
//! executions        id → record (JSON)
//! exec_queue        seq → (tenant, id)      enqueued, oldest first
//! exec_running      (tenant, id) → ()       running, counted per tenant
//! exec_by_tenant    (tenant, seq) → id      listing, newest first
//! exec_idempotency  (tenant, key) → id
//! exec_meta         "seq" → next sequence number
//! exec_webhooks     id → ()                 final, webhook still owed
//! ```

use std::collections::HashMap;

use async_trait::async_trait;
use redb::{
    ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};
use serde_json::Value;

use super::{LocalStore, get_json, put_json};
use crate::{
    Cancelled, ExecutionQueue, ExecutionRecord, ExecutionStatus, NewExecution, StoreError,
};

const EXECUTIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("executions");
const QUEUE: TableDefinition<u64, (&str, &str)> = TableDefinition::new("exec_queue");
const RUNNING: TableDefinition<(&str, &str), ()> = TableDefinition::new("exec_running");
const BY_TENANT: TableDefinition<(&str, u64), &str> = TableDefinition::new("exec_by_tenant");
const IDEMPOTENCY: TableDefinition<(&str, &str), &str> = TableDefinition::new("exec_idempotency");
const META: TableDefinition<&str, u64> = TableDefinition::new("exec_meta");
const WEBHOOKS: TableDefinition<&str, ()> = TableDefinition::new("exec_webhooks");

/// Creates the queue's tables, so read transactions find them.
pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(EXECUTIONS)?;
    txn.open_table(QUEUE)?;
    txn.open_table(RUNNING)?;
    txn.open_table(BY_TENANT)?;
    txn.open_table(IDEMPOTENCY)?;
    txn.open_table(META)?;
    txn.open_table(WEBHOOKS)?;
    Ok(())
}

fn load(txn: &WriteTransaction, id: &str) -> Result<ExecutionRecord, StoreError> {
    let table = txn.open_table(EXECUTIONS)?;
    get_json(&table, id)?.ok_or_else(|| StoreError::ExecutionNotFound(id.to_owned()))
}

fn save(txn: &WriteTransaction, record: &ExecutionRecord) -> Result<(), StoreError> {
    put_json(txn, EXECUTIONS, &record.id, record)
}

/// Moves `record` to a final status, taking it out of the queue or the running set.
fn make_final(
    txn: &WriteTransaction,
    record: &mut ExecutionRecord,
    status: ExecutionStatus,
    outcome: Value,
    now: u64,
) -> Result<(), StoreError> {
    match record.status {
        ExecutionStatus::Enqueued => {
            txn.open_table(QUEUE)?.remove(record.seq)?;
        }
        ExecutionStatus::Running => {
            txn.open_table(RUNNING)?
                .remove((record.tenant.as_str(), record.id.as_str()))?;
        }
        ExecutionStatus::Completed | ExecutionStatus::Failed => return Ok(()),
    }
    record.status = status;
    record.outcome = Some(outcome);
    record.completed_at = Some(now);
    if record.webhook_pending {
        txn.open_table(WEBHOOKS)?.insert(record.id.as_str(), ())?;
    }
    save(txn, record)
}

#[async_trait]
impl ExecutionQueue for LocalStore {
    async fn enqueue(&self, new: NewExecution) -> Result<(ExecutionRecord, bool), StoreError> {
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let result = {
                let mut keys = txn.open_table(IDEMPOTENCY)?;
                let earlier = match &new.idempotency_key {
                    Some(key) => keys
                        .get((new.tenant.as_str(), key.as_str()))?
                        .map(|id| id.value().to_owned()),
                    None => None,
                };
                if let Some(id) = earlier {
                    (load(&txn, &id)?, false)
                } else {
                    let mut meta = txn.open_table(META)?;
                    let seq = meta.get("seq")?.map(|value| value.value()).unwrap_or(0);
                    meta.insert("seq", seq + 1)?;
                    let record = ExecutionRecord {
                        id: new.id,
                        tenant: new.tenant,
                        status: ExecutionStatus::Enqueued,
                        seq,
                        created_at: now,
                        started_at: None,
                        completed_at: None,
                        attempts: 0,
                        cancel_requested: false,
                        job: new.job,
                        outcome: None,
                        deliveries: Vec::new(),
                        webhook_pending: new.webhook,
                    };
                    if txn
                        .open_table(EXECUTIONS)?
                        .get(record.id.as_str())?
                        .is_some()
                    {
                        return Err(StoreError::Index(format!(
                            "execution id `{}` is taken",
                            record.id
                        )));
                    }
                    save(&txn, &record)?;
                    txn.open_table(QUEUE)?
                        .insert(seq, (record.tenant.as_str(), record.id.as_str()))?;
                    txn.open_table(BY_TENANT)?
                        .insert((record.tenant.as_str(), seq), record.id.as_str())?;
                    if let Some(key) = &new.idempotency_key {
                        keys.insert((record.tenant.as_str(), key.as_str()), record.id.as_str())?;
                    }
                    (record, true)
                }
            };
            txn.commit()?;
            Ok(result)
        })
        .await
    }

    async fn execution_by_key(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError> {
        let (tenant, key) = (tenant.to_owned(), key.to_owned());
        self.blocking(move |db, _| {
            let txn = db.begin_read()?;
            let Some(id) = txn
                .open_table(IDEMPOTENCY)?
                .get((tenant.as_str(), key.as_str()))?
                .map(|id| id.value().to_owned())
            else {
                return Ok(None);
            };
            let table = txn.open_table(EXECUTIONS)?;
            get_json(&table, &id)
        })
        .await
    }

    async fn execution(&self, tenant: &str, id: &str) -> Result<ExecutionRecord, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.blocking(move |db, _| {
            let txn = db.begin_read()?;
            let table = txn.open_table(EXECUTIONS)?;
            match get_json::<ExecutionRecord>(&table, &id)? {
                Some(record) if record.tenant == tenant => Ok(record),
                _ => Err(StoreError::ExecutionNotFound(id)),
            }
        })
        .await
    }

    async fn list_executions(
        &self,
        tenant: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<ExecutionRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.blocking(move |db, _| {
            let txn = db.begin_read()?;
            let by_tenant = txn.open_table(BY_TENANT)?;
            let executions = txn.open_table(EXECUTIONS)?;
            let mut records = Vec::new();
            let range = by_tenant.range((tenant.as_str(), 0)..=(tenant.as_str(), u64::MAX))?;
            for entry in range.rev().skip(skip).take(limit) {
                let (_, id) = entry?;
                if let Some(record) = get_json(&executions, id.value())? {
                    records.push(record);
                }
            }
            Ok(records)
        })
        .await
    }

    async fn claim(&self, max_per_tenant: usize) -> Result<Option<ExecutionRecord>, StoreError> {
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let picked = {
                let queue = txn.open_table(QUEUE)?;
                let running = txn.open_table(RUNNING)?;
                let mut busy: HashMap<String, usize> = HashMap::new();
                let mut picked = None;
                for entry in queue.iter()? {
                    let (seq, value) = entry?;
                    let (tenant, id) = value.value();
                    let count = match busy.get(tenant) {
                        Some(count) => *count,
                        None => {
                            let count = running
                                .range((tenant, "")..)?
                                .take_while(|entry| {
                                    entry.as_ref().is_ok_and(|(key, _)| key.value().0 == tenant)
                                })
                                .count();
                            busy.insert(tenant.to_owned(), count);
                            count
                        }
                    };
                    if count < max_per_tenant {
                        picked = Some((seq.value(), tenant.to_owned(), id.to_owned()));
                        break;
                    }
                }
                picked
            };
            let Some((seq, tenant, id)) = picked else {
                return Ok(None);
            };
            txn.open_table(QUEUE)?.remove(seq)?;
            txn.open_table(RUNNING)?
                .insert((tenant.as_str(), id.as_str()), ())?;
            let mut record = load(&txn, &id)?;
            record.status = ExecutionStatus::Running;
            record.started_at = Some(now);
            record.attempts += 1;
            save(&txn, &record)?;
            txn.commit()?;
            Ok(Some(record))
        })
        .await
    }

    async fn finish(
        &self,
        id: &str,
        status: ExecutionStatus,
        outcome: Value,
    ) -> Result<ExecutionRecord, StoreError> {
        let id = id.to_owned();
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let mut record = load(&txn, &id)?;
            make_final(&txn, &mut record, status, outcome, now)?;
            txn.commit()?;
            Ok(record)
        })
        .await
    }

    async fn cancel(
        &self,
        tenant: &str,
        id: &str,
        outcome: Value,
    ) -> Result<Cancelled, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let mut record = load(&txn, &id)?;
            if record.tenant != tenant {
                return Err(StoreError::ExecutionNotFound(id));
            }
            let result = match record.status {
                ExecutionStatus::Enqueued => {
                    make_final(&txn, &mut record, ExecutionStatus::Failed, outcome, now)?;
                    Cancelled::Dequeued(record)
                }
                ExecutionStatus::Running => {
                    record.cancel_requested = true;
                    save(&txn, &record)?;
                    Cancelled::Flagged(record)
                }
                ExecutionStatus::Completed | ExecutionStatus::Failed => {
                    Cancelled::AlreadyFinal(record)
                }
            };
            txn.commit()?;
            Ok(result)
        })
        .await
    }

    async fn record_delivery(
        &self,
        id: &str,
        delivery: Value,
        settled: bool,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.blocking(move |db, _| {
            let txn = db.begin_write()?;
            let mut record = load(&txn, &id)?;
            record.deliveries.push(delivery);
            if settled {
                record.webhook_pending = false;
                txn.open_table(WEBHOOKS)?.remove(id.as_str())?;
            }
            save(&txn, &record)?;
            txn.commit()?;
            // One process: the delivery is always its own.
            Ok(true)
        })
        .await
    }

    async fn requeue_running(&self, cancelled: Value) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let ids: Vec<String> = txn
                .open_table(RUNNING)?
                .iter()?
                .map(|entry| entry.map(|(key, _)| key.value().1.to_owned()))
                .collect::<Result<_, _>>()?;
            let mut requeued = Vec::new();
            for id in ids {
                let mut record = load(&txn, &id)?;
                if record.cancel_requested {
                    make_final(
                        &txn,
                        &mut record,
                        ExecutionStatus::Failed,
                        cancelled.clone(),
                        now,
                    )?;
                    continue;
                }
                txn.open_table(RUNNING)?
                    .remove((record.tenant.as_str(), record.id.as_str()))?;
                // Back at its old position: it was ahead of everything queued after it.
                txn.open_table(QUEUE)?
                    .insert(record.seq, (record.tenant.as_str(), record.id.as_str()))?;
                record.status = ExecutionStatus::Enqueued;
                save(&txn, &record)?;
                requeued.push(record);
            }
            txn.commit()?;
            Ok(requeued)
        })
        .await
    }

    /// One process on its data: every owed webhook is its own (read once, at start-up).
    async fn claim_webhooks(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.blocking(|db, _| {
            let txn = db.begin_read()?;
            let executions = txn.open_table(EXECUTIONS)?;
            let mut records = Vec::new();
            for entry in txn.open_table(WEBHOOKS)?.iter()? {
                let (id, _) = entry?;
                if let Some(record) = get_json(&executions, id.value())? {
                    records.push(record);
                }
            }
            Ok(records)
        })
        .await
    }

    async fn claim_webhook(&self, id: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        let id = id.to_owned();
        self.blocking(move |db, _| {
            let txn = db.begin_read()?;
            if txn.open_table(WEBHOOKS)?.get(id.as_str())?.is_none() {
                return Ok(None);
            }
            get_json(&txn.open_table(EXECUTIONS)?, &id)
        })
        .await
    }

    async fn queued(&self) -> Result<u64, StoreError> {
        self.blocking(|db, _| {
            let txn = db.begin_read()?;
            Ok(txn.open_table(QUEUE)?.len()?)
        })
        .await
    }
}

#[cfg(all(feature = "s3", feature = "postgres"))]
/// Every execution with its idempotency key, if it had one.
pub(super) fn export(
    txn: &redb::ReadTransaction,
) -> Result<Vec<(ExecutionRecord, Option<String>)>, StoreError> {
    let mut keys = HashMap::new();
    for entry in txn.open_table(IDEMPOTENCY)?.iter()? {
        let (key, id) = entry?;
        keys.insert(id.value().to_owned(), key.value().1.to_owned());
    }
    let mut records = Vec::new();
    for entry in txn.open_table(EXECUTIONS)?.iter()? {
        let record: ExecutionRecord = serde_json::from_slice(entry?.1.value())?;
        let key = keys.remove(&record.id);
        records.push((record, key));
    }
    Ok(records)
}
