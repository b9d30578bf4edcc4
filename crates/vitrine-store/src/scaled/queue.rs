//! [`ExecutionQueue`] in PostgreSQL, shared by every replica.
//!
//! A claim is one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)` that takes
//! the oldest execution that is waiting, or running under a lease that ran out (its replica
//! died), and leases it to the caller until `now + lease`. The worker renews the lease while
//! it runs ([`ExecutionQueue::renew_lease`]). Claims take a transaction-scoped advisory lock
//! first: the per-tenant running count in the sub-select must be read and acted on as one
//! step across replicas, which `READ COMMITTED` alone does not give (two replicas would each
//! count the tenant before the other's claim commits). Claims are short, so serialising them
//! costs little next to the work they start.

use async_trait::async_trait;
use serde_json::Value;
use sqlx::{Postgres, Transaction};

use super::{ScaledStore, to_i64};
use crate::{
    Cancelled, ExecutionQueue, ExecutionRecord, ExecutionStatus, NewExecution, StoreError,
};

const CLAIM_LOCK: i64 = 0x5649_5452_494e_0002;

fn parse(record: &str, seq: i64) -> Result<ExecutionRecord, StoreError> {
    let mut record: ExecutionRecord = serde_json::from_str(record)?;
    record.seq = u64::try_from(seq).unwrap_or_default();
    Ok(record)
}

async fn load_for_update(
    txn: &mut Transaction<'_, Postgres>,
    id: &str,
) -> Result<ExecutionRecord, StoreError> {
    let row = sqlx::query_as::<_, (String, i64)>(
        "SELECT record, seq FROM executions WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **txn)
    .await?;
    match row {
        Some((record, seq)) => parse(&record, seq),
        None => Err(StoreError::ExecutionNotFound(id.to_owned())),
    }
}

async fn save(
    txn: &mut Transaction<'_, Postgres>,
    record: &ExecutionRecord,
    lease_until: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE executions SET status = $2, lease_until = $3, webhook_pending = $4, record = $5
         WHERE id = $1",
    )
    .bind(&record.id)
    .bind(record.status.as_str())
    .bind(lease_until)
    .bind(record.webhook_pending)
    .bind(serde_json::to_string(record)?)
    .execute(&mut **txn)
    .await?;
    Ok(())
}

impl ScaledStore {
    fn now_ms(&self) -> i64 {
        // The clock has second resolution; leases are counted in milliseconds so that a
        // short test lease still orders correctly.
        self.now().saturating_mul(1000)
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX)
    }

    /// Leases owed webhooks (all, or the one with `only`'s id) that no live lease holds to
    /// this process. `FOR UPDATE SKIP LOCKED` makes two replicas claiming at once take
    /// disjoint rows, and a row another replica leased in the meantime fails the re-checked
    /// condition, as with claimed executions.
    async fn lease_webhooks(&self, only: Option<&str>) -> Result<Vec<ExecutionRecord>, StoreError> {
        let now_ms = self.now_ms();
        let rows = sqlx::query_as::<_, (String, i64)>(
            "UPDATE executions SET webhook_owner = $1, webhook_lease_until = $3
             WHERE id IN (
                 SELECT id FROM executions
                 WHERE webhook_pending AND status IN ('completed', 'failed')
                   AND (webhook_lease_until IS NULL OR webhook_lease_until < $2)
                   AND ($4::TEXT IS NULL OR id = $4)
                 ORDER BY seq FOR UPDATE SKIP LOCKED)
             RETURNING record, seq",
        )
        .bind(&self.owner)
        .bind(now_ms)
        .bind(now_ms.saturating_add(self.lease_ms()))
        .bind(only)
        .fetch_all(self.db().await?)
        .await?;
        let mut records = rows
            .iter()
            .map(|(record, seq)| parse(record, *seq))
            .collect::<Result<Vec<_>, _>>()?;
        records.sort_by_key(|record| record.seq);
        Ok(records)
    }

    async fn by_key(&self, tenant: &str, key: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        let row = sqlx::query_as::<_, (String, i64)>(
            "SELECT record, seq FROM executions WHERE tenant = $1 AND idempotency_key = $2",
        )
        .bind(tenant)
        .bind(key)
        .fetch_optional(self.db().await?)
        .await?;
        row.map(|(record, seq)| parse(&record, seq)).transpose()
    }
}

#[async_trait]
impl ExecutionQueue for ScaledStore {
    async fn enqueue(&self, new: NewExecution) -> Result<(ExecutionRecord, bool), StoreError> {
        if let Some(key) = &new.idempotency_key
            && let Some(earlier) = self.by_key(&new.tenant, key).await?
        {
            return Ok((earlier, false));
        }
        let mut record = ExecutionRecord {
            id: new.id,
            tenant: new.tenant,
            status: ExecutionStatus::Enqueued,
            seq: 0,
            created_at: self.clock.now(),
            started_at: None,
            completed_at: None,
            attempts: 0,
            cancel_requested: false,
            job: new.job,
            outcome: None,
            deliveries: Vec::new(),
            webhook_pending: new.webhook,
        };
        let seq = sqlx::query_as::<_, (i64,)>(
            "INSERT INTO executions (id, tenant, status, idempotency_key, webhook_pending, record)
             VALUES ($1, $2, 'enqueued', $3, $4, $5)
             ON CONFLICT DO NOTHING RETURNING seq",
        )
        .bind(&record.id)
        .bind(&record.tenant)
        .bind(&new.idempotency_key)
        .bind(record.webhook_pending)
        .bind(serde_json::to_string(&record)?)
        .fetch_optional(self.db().await?)
        .await?;
        match (seq, &new.idempotency_key) {
            (Some((seq,)), _) => {
                record.seq = u64::try_from(seq).unwrap_or_default();
                Ok((record, true))
            }
            // Another replica enqueued the same key between our look-up and insert.
            (None, Some(key)) => match self.by_key(&record.tenant, key).await? {
                Some(earlier) => Ok((earlier, false)),
                None => Err(StoreError::Index(format!(
                    "execution id `{}` is taken",
                    record.id
                ))),
            },
            (None, None) => Err(StoreError::Index(format!(
                "execution id `{}` is taken",
                record.id
            ))),
        }
    }

    async fn execution_by_key(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError> {
        self.by_key(tenant, key).await
    }

    async fn execution(&self, tenant: &str, id: &str) -> Result<ExecutionRecord, StoreError> {
        let row = sqlx::query_as::<_, (String, i64)>(
            "SELECT record, seq FROM executions WHERE id = $1 AND tenant = $2",
        )
        .bind(id)
        .bind(tenant)
        .fetch_optional(self.db().await?)
        .await?;
        match row {
            Some((record, seq)) => parse(&record, seq),
            None => Err(StoreError::ExecutionNotFound(id.to_owned())),
        }
    }

    async fn list_executions(
        &self,
        tenant: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<ExecutionRecord>, StoreError> {
        let rows = sqlx::query_as::<_, (String, i64)>(
            "SELECT record, seq FROM executions WHERE tenant = $1
             ORDER BY seq DESC LIMIT $2 OFFSET $3",
        )
        .bind(tenant)
        .bind(to_i64(limit as u64))
        .bind(to_i64(skip as u64))
        .fetch_all(self.db().await?)
        .await?;
        rows.iter()
            .map(|(record, seq)| parse(record, *seq))
            .collect()
    }

    async fn claim(&self, max_per_tenant: usize) -> Result<Option<ExecutionRecord>, StoreError> {
        let now_ms = self.now_ms();
        let mut txn = self.db().await?.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CLAIM_LOCK)
            .execute(&mut *txn)
            .await?;
        let row = sqlx::query_as::<_, (String, i64)>(
            "UPDATE executions SET status = 'running', lease_until = $2
             WHERE id = (
                 SELECT e.id FROM executions e
                 WHERE (e.status = 'enqueued' OR (e.status = 'running' AND e.lease_until < $1))
                   AND (SELECT count(*) FROM executions r
                        WHERE r.tenant = e.tenant AND r.status = 'running'
                          AND r.lease_until >= $1) < $3
                 ORDER BY e.seq LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING record, seq",
        )
        .bind(now_ms)
        .bind(now_ms.saturating_add(self.lease_ms()))
        .bind(to_i64(max_per_tenant as u64))
        .fetch_optional(&mut *txn)
        .await?;
        let Some((record, seq)) = row else {
            return Ok(None);
        };
        let mut record = parse(&record, seq)?;
        record.status = ExecutionStatus::Running;
        record.started_at = Some(self.clock.now());
        record.attempts += 1;
        save(
            &mut txn,
            &record,
            Some(now_ms.saturating_add(self.lease_ms())),
        )
        .await?;
        txn.commit().await?;
        Ok(Some(record))
    }

    async fn finish(
        &self,
        id: &str,
        status: ExecutionStatus,
        outcome: Value,
    ) -> Result<ExecutionRecord, StoreError> {
        let mut txn = self.db().await?.begin().await?;
        let mut record = load_for_update(&mut txn, id).await?;
        if record.status.is_final() {
            return Ok(record);
        }
        record.status = status;
        record.outcome = Some(outcome);
        record.completed_at = Some(self.clock.now());
        save(&mut txn, &record, None).await?;
        txn.commit().await?;
        Ok(record)
    }

    async fn cancel(
        &self,
        tenant: &str,
        id: &str,
        outcome: Value,
    ) -> Result<Cancelled, StoreError> {
        let mut txn = self.db().await?.begin().await?;
        let mut record = load_for_update(&mut txn, id).await?;
        if record.tenant != tenant {
            return Err(StoreError::ExecutionNotFound(id.to_owned()));
        }
        let result = match record.status {
            ExecutionStatus::Enqueued => {
                record.status = ExecutionStatus::Failed;
                record.outcome = Some(outcome);
                record.completed_at = Some(self.clock.now());
                save(&mut txn, &record, None).await?;
                Cancelled::Dequeued(record)
            }
            ExecutionStatus::Running => {
                record.cancel_requested = true;
                sqlx::query("UPDATE executions SET record = $2 WHERE id = $1")
                    .bind(id)
                    .bind(serde_json::to_string(&record)?)
                    .execute(&mut *txn)
                    .await?;
                Cancelled::Flagged(record)
            }
            ExecutionStatus::Completed | ExecutionStatus::Failed => Cancelled::AlreadyFinal(record),
        };
        txn.commit().await?;
        Ok(result)
    }

    async fn record_delivery(
        &self,
        id: &str,
        delivery: Value,
        settled: bool,
    ) -> Result<bool, StoreError> {
        let mut txn = self.db().await?.begin().await?;
        let mut record = load_for_update(&mut txn, id).await?;
        let (owner,) = sqlx::query_as::<_, (Option<String>,)>(
            "SELECT webhook_owner FROM executions WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *txn)
        .await?;
        if !record.webhook_pending || owner.as_deref() != Some(self.owner.as_str()) {
            return Ok(false);
        }
        record.deliveries.push(delivery);
        if settled {
            record.webhook_pending = false;
        }
        // An attempt renews the lease; a settled delivery releases it.
        let lease_until = (!settled).then(|| self.now_ms().saturating_add(self.lease_ms()));
        sqlx::query(
            "UPDATE executions SET webhook_pending = $2, record = $3, webhook_lease_until = $4,
                 webhook_owner = CASE WHEN $2 THEN webhook_owner END
             WHERE id = $1",
        )
        .bind(id)
        .bind(record.webhook_pending)
        .bind(serde_json::to_string(&record)?)
        .bind(lease_until)
        .execute(&mut *txn)
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    async fn claim_webhooks(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        self.lease_webhooks(None).await
    }

    async fn claim_webhook(&self, id: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        Ok(self.lease_webhooks(Some(id)).await?.pop())
    }

    async fn renew_webhook(&self, id: &str) -> Result<bool, StoreError> {
        let renewed = sqlx::query(
            "UPDATE executions SET webhook_lease_until = $3
             WHERE id = $1 AND webhook_pending AND webhook_owner = $2",
        )
        .bind(id)
        .bind(&self.owner)
        .bind(self.now_ms().saturating_add(self.lease_ms()))
        .execute(self.db().await?)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Nothing to do at start-up: other replicas may be running what is `running`, and work
    /// whose replica died comes back through its expired lease instead.
    async fn requeue_running(&self, _cancelled: Value) -> Result<Vec<ExecutionRecord>, StoreError> {
        Ok(Vec::new())
    }

    async fn queued(&self) -> Result<u64, StoreError> {
        let (count,) = sqlx::query_as::<_, (i64,)>(
            "SELECT count(*) FROM executions WHERE status = 'enqueued'",
        )
        .fetch_one(self.db().await?)
        .await?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    fn lease(&self) -> Option<std::time::Duration> {
        Some(self.lease)
    }

    async fn renew_lease(&self, id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query_as::<_, (String,)>(
            "UPDATE executions SET lease_until = $2 WHERE id = $1 AND status = 'running'
             RETURNING record",
        )
        .bind(id)
        .bind(self.now_ms().saturating_add(self.lease_ms()))
        .fetch_optional(self.db().await?)
        .await?;
        match row {
            Some((record,)) => {
                Ok(serde_json::from_str::<ExecutionRecord>(&record)?.cancel_requested)
            }
            None => Ok(false),
        }
    }
}
