//! The execution queue: order, per-tenant limits, idempotency, cancel, recovery.

use std::sync::Arc;

use serde_json::json;
use vitrine_store::{
    Cancelled, ExecutionQueue, ExecutionStatus, LocalStore, ManualClock, NewExecution, StoreError,
};

use crate::DAY;

fn new(id: &str, tenant: &str, key: Option<&str>) -> NewExecution {
    NewExecution {
        id: id.into(),
        tenant: tenant.into(),
        idempotency_key: key.map(str::to_owned),
        job: json!({ "n": id }),
        webhook: false,
    }
}

fn open(dir: &std::path::Path) -> LocalStore {
    LocalStore::open(dir, DAY, Arc::new(ManualClock::new(1_000))).expect("open")
}

#[tokio::test]
async fn claims_go_oldest_first_within_each_tenants_limit() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path());
    for (id, tenant) in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")] {
        store.enqueue(new(id, tenant, None)).await.expect("enqueue");
    }
    let first = store.claim(2).await.expect("claim").expect("work");
    let second = store.claim(2).await.expect("claim").expect("work");
    assert_eq!((first.id.as_str(), second.id.as_str()), ("a1", "a2"));
    // `a` is at its limit: `b` goes ahead of `a3`.
    let third = store.claim(2).await.expect("claim").expect("work");
    assert_eq!(third.id, "b1");
    assert!(store.claim(2).await.expect("claim").is_none());
    store
        .finish("a1", ExecutionStatus::Completed, json!({"ok": true}))
        .await
        .expect("finish");
    assert_eq!(store.claim(2).await.expect("claim").expect("work").id, "a3");
    // Finishing twice keeps the first outcome.
    let again = store
        .finish("a1", ExecutionStatus::Failed, json!({"ok": false}))
        .await
        .expect("finish");
    assert_eq!(again.status, ExecutionStatus::Completed);
    assert_eq!(again.outcome, Some(json!({"ok": true})));
    let listed = store.list_executions("a", 0, 10).await.expect("list");
    let ids: Vec<&str> = listed.iter().map(|record| record.id.as_str()).collect();
    assert_eq!(ids, ["a3", "a2", "a1"], "newest first");
}

#[tokio::test]
async fn an_idempotency_key_returns_the_first_execution_per_tenant() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path());
    let (first, created) = store
        .enqueue(new("x1", "a", Some("k")))
        .await
        .expect("enqueue");
    assert!(created);
    let (again, created) = store
        .enqueue(new("x2", "a", Some("k")))
        .await
        .expect("enqueue");
    assert!(!created);
    assert_eq!(again.id, first.id);
    let (other, created) = store
        .enqueue(new("x3", "b", Some("k")))
        .await
        .expect("enqueue");
    assert!(created);
    assert_eq!(other.id, "x3");
    assert_eq!(store.queued().await.expect("queued"), 2);
    assert!(matches!(
        store.execution("b", "x1").await,
        Err(StoreError::ExecutionNotFound(_))
    ));
}

#[tokio::test]
async fn a_reopened_store_requeues_running_work_and_keeps_finished_work() {
    let dir = tempfile::tempdir().expect("dir");
    {
        let store = open(dir.path());
        for id in ["r1", "r2", "r3", "r4"] {
            store.enqueue(new(id, "a", None)).await.expect("enqueue");
        }
        let done = store.claim(4).await.expect("claim").expect("r1");
        store
            .finish(&done.id, ExecutionStatus::Completed, json!({}))
            .await
            .expect("finish");
        store.claim(4).await.expect("claim").expect("r2");
        let cancelled = store.claim(4).await.expect("claim").expect("r3");
        let flagged = store
            .cancel("a", &cancelled.id, json!({"message": "cancelled"}))
            .await
            .expect("cancel");
        assert!(matches!(flagged, Cancelled::Flagged(_)));
    }
    let store = open(dir.path());
    let requeued = store
        .requeue_running(json!({"message": "cancelled"}))
        .await
        .expect("requeue");
    let ids: Vec<&str> = requeued.iter().map(|record| record.id.as_str()).collect();
    assert_eq!(ids, ["r2"], "the cancelled one is not run again");
    let r3 = store.execution("a", "r3").await.expect("r3");
    assert_eq!(r3.status, ExecutionStatus::Failed);
    // r2 is back ahead of r4, where it was; r1 never comes back.
    let next = store.claim(4).await.expect("claim").expect("work");
    assert_eq!((next.id.as_str(), next.attempts), ("r2", 2));
    assert_eq!(store.claim(4).await.expect("claim").expect("work").id, "r4");
    assert!(store.claim(4).await.expect("claim").is_none());
    let r1 = store.execution("a", "r1").await.expect("r1");
    assert_eq!((r1.status, r1.attempts), (ExecutionStatus::Completed, 1));
}

#[tokio::test]
async fn a_webhook_stays_owed_until_its_deliveries_settle() {
    let dir = tempfile::tempdir().expect("dir");
    let store = open(dir.path());
    let mut with_hook = new("w1", "a", None);
    with_hook.webhook = true;
    store.enqueue(with_hook).await.expect("enqueue");
    store.enqueue(new("w2", "a", None)).await.expect("enqueue");
    assert!(
        store.claim_webhooks().await.expect("pending").is_empty(),
        "not final yet"
    );
    for id in ["w1", "w2"] {
        store.claim(2).await.expect("claim").expect("work");
        store
            .finish(id, ExecutionStatus::Completed, json!({}))
            .await
            .expect("finish");
    }
    let owed = store.claim_webhooks().await.expect("pending");
    assert_eq!(
        owed.iter()
            .map(|record| record.id.as_str())
            .collect::<Vec<_>>(),
        ["w1"]
    );
    assert!(
        store
            .record_delivery("w1", json!({"status_code": 500}), false)
            .await
            .expect("log")
    );
    assert_eq!(store.claim_webhooks().await.expect("pending").len(), 1);
    assert!(
        store
            .record_delivery("w1", json!({"status_code": 204}), true)
            .await
            .expect("log")
    );
    assert!(store.claim_webhooks().await.expect("pending").is_empty());
    assert_eq!(
        store
            .execution("a", "w1")
            .await
            .expect("w1")
            .deliveries
            .len(),
        2
    );
}
