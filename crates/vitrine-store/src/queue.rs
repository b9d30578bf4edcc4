//! The durable execution queue: work that outlives one HTTP request.
//!
//! An execution is enqueued once (an idempotency key makes a repeat return the
//! same record), claimed by one worker at a time, and finished once. What to
//! run (`job`) and what came out (`outcome`) are opaque JSON to the store: the
//! server owns their shape, the store owns the life cycle.
//!
//! The trait has two backends. [`LocalStore`](crate::LocalStore) keeps the queue in
//! its redb index and, being the only process on its data, re-queues every
//! `running` record at start-up ([`ExecutionQueue::requeue_running`]). The
//! PostgreSQL backend is shared by replicas: a claim is a lease that its worker
//! renews ([`ExecutionQueue::renew_lease`]) and that another replica takes over
//! once it runs out. Waking workers stays outside the trait (a
//! `tokio::sync::Notify`, plus polling when the queue is shared).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::StoreError;

/// Where an execution is in its life: `enqueued → running → completed | failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionStatus {
    /// Waiting for a worker.
    Enqueued,
    /// A worker holds it.
    Running,
    /// Finished with a result. Final.
    Completed,
    /// Finished without one (error or cancellation). Final.
    Failed,
}

impl ExecutionStatus {
    /// True for `completed` and `failed`: nothing will change it any more.
    pub fn is_final(self) -> bool {
        matches!(self, ExecutionStatus::Completed | ExecutionStatus::Failed)
    }

    /// The wire word, e.g. `enqueued`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Enqueued => "enqueued",
            ExecutionStatus::Running => "running",
            ExecutionStatus::Completed => "completed",
            ExecutionStatus::Failed => "failed",
        }
    }
}

/// Work to enqueue.
#[derive(Debug, Clone)]
pub struct NewExecution {
    /// The id clients will use; unique.
    pub id: String,
    /// The owner.
    pub tenant: String,
    /// The caller's `Idempotency-Key`, unique per tenant.
    pub idempotency_key: Option<String>,
    /// What to run, in the server's own shape.
    pub job: Value,
    /// A webhook is owed once it is final: it stays owed, across restarts,
    /// until [`ExecutionQueue::record_delivery`] says the deliveries are over.
    pub webhook: bool,
}

/// One execution as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// Its id.
    pub id: String,
    /// The owner.
    pub tenant: String,
    /// Where it is in its life.
    pub status: ExecutionStatus,
    /// Queue position: smaller runs first.
    pub seq: u64,
    /// Seconds since the epoch.
    pub created_at: u64,
    /// When a worker last claimed it.
    #[serde(default)]
    pub started_at: Option<u64>,
    /// When it became final.
    #[serde(default)]
    pub completed_at: Option<u64>,
    /// How many times a worker claimed it (more than one after a restart).
    #[serde(default)]
    pub attempts: u32,
    /// The owner asked to cancel it while it was running.
    #[serde(default)]
    pub cancel_requested: bool,
    /// What to run.
    pub job: Value,
    /// What came out, once final.
    #[serde(default)]
    pub outcome: Option<Value>,
    /// Webhook delivery attempts, oldest first.
    #[serde(default)]
    pub deliveries: Vec<Value>,
    /// A webhook is owed and not yet settled.
    #[serde(default)]
    pub webhook_pending: bool,
}

/// What [`ExecutionQueue::cancel`] did.
#[derive(Debug, Clone)]
pub enum Cancelled {
    /// It was waiting; it is now `failed` and will never run.
    Dequeued(ExecutionRecord),
    /// It is running; the flag is set and the worker must stop it.
    Flagged(ExecutionRecord),
    /// It was already final; nothing changed.
    AlreadyFinal(ExecutionRecord),
}

/// Durable executions, per tenant.
///
/// Reads take the caller's tenant: another tenant's execution answers exactly
/// like one that does not exist.
#[async_trait]
pub trait ExecutionQueue: Send + Sync + 'static {
    /// Enqueues `new`, unless the tenant already used its idempotency key: then
    /// the earlier execution comes back and `false` says nothing was added.
    async fn enqueue(&self, new: NewExecution) -> Result<(ExecutionRecord, bool), StoreError>;

    /// The tenant's execution enqueued with this idempotency key, if any.
    async fn execution_by_key(
        &self,
        tenant: &str,
        key: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError>;

    /// One execution of `tenant`.
    async fn execution(&self, tenant: &str, id: &str) -> Result<ExecutionRecord, StoreError>;

    /// The tenant's executions, newest first.
    async fn list_executions(
        &self,
        tenant: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<ExecutionRecord>, StoreError>;

    /// Marks the oldest enqueued execution whose tenant has fewer than
    /// `max_per_tenant` running as `running` and returns it; `None` when
    /// nothing may start now. Other tenants' work is not held up behind a busy
    /// tenant.
    async fn claim(&self, max_per_tenant: usize) -> Result<Option<ExecutionRecord>, StoreError>;

    /// Makes an execution final with `outcome`. An execution that is already
    /// final keeps its first outcome (the returned record says which).
    async fn finish(
        &self,
        id: &str,
        status: ExecutionStatus,
        outcome: Value,
    ) -> Result<ExecutionRecord, StoreError>;

    /// Cancels an execution of `tenant`; a waiting one becomes `failed` with
    /// `outcome`, a running one is flagged for its worker.
    async fn cancel(&self, tenant: &str, id: &str, outcome: Value)
    -> Result<Cancelled, StoreError>;

    /// Appends one webhook delivery attempt to the execution's log; `settled`
    /// (delivered, refused for good, or out of attempts) ends what is owed. Returns `false`,
    /// recording nothing, when this process no longer holds the delivery (its lease ran out
    /// and another replica took it over): the caller must stop sending.
    async fn record_delivery(
        &self,
        id: &str,
        delivery: Value,
        settled: bool,
    ) -> Result<bool, StoreError>;

    /// Takes over the delivery of every owed webhook (final executions whose webhook is not
    /// settled, e.g. because a server stopped between attempts) that no live process holds.
    /// On a shared queue each is leased to this process like a claimed execution, so two
    /// replicas never send the same one; a single-process queue returns them all.
    async fn claim_webhooks(&self) -> Result<Vec<ExecutionRecord>, StoreError>;

    /// Takes over the delivery of one execution's owed webhook, as
    /// [`claim_webhooks`](Self::claim_webhooks) does: `None` when nothing is owed or another
    /// process holds it.
    async fn claim_webhook(&self, id: &str) -> Result<Option<ExecutionRecord>, StoreError>;

    /// Extends this process's lease on a webhook delivery; `false` when it is no longer
    /// this process's (settled, or taken over). Always `true` on a single-process queue.
    async fn renew_webhook(&self, id: &str) -> Result<bool, StoreError> {
        let _ = id;
        Ok(true)
    }

    /// Start-up recovery for a single-process store: every `running`
    /// execution lost its worker and goes back to the queue at its old
    /// position (or, if its owner had asked to cancel it, becomes `failed`
    /// with `cancelled`). Returns the re-queued ones.
    async fn requeue_running(&self, cancelled: Value) -> Result<Vec<ExecutionRecord>, StoreError>;

    /// How many executions wait in the queue (all tenants).
    async fn queued(&self) -> Result<u64, StoreError>;

    /// For a queue shared by several processes: how long a claim lasts unless its worker
    /// renews it. `None` (the default) for a single-process queue, whose claims last until
    /// the process stops.
    fn lease(&self) -> Option<std::time::Duration> {
        None
    }

    /// Extends the lease of a running execution; returns whether its owner asked to cancel
    /// it (the flag may have been set through another process).
    async fn renew_lease(&self, id: &str) -> Result<bool, StoreError> {
        let _ = id;
        Ok(false)
    }
}
