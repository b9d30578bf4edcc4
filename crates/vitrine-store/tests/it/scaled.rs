//! What only a store shared by replicas must do: leases that move work from a dead replica
//! to a live one, and per-tenant limits that hold across replicas.

use std::sync::Arc;

use serde_json::json;
use vitrine_store::{ExecutionStatus, ManualClock, NewExecution};

use crate::backend::Backend;

fn new(id: &str, tenant: &str) -> NewExecution {
    NewExecution {
        id: id.to_owned(),
        tenant: tenant.to_owned(),
        idempotency_key: None,
        job: json!({}),
        webhook: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lapsed_lease_moves_the_execution_to_another_replica_which_completes_it_once() {
    let backend = Backend::scaled();
    let clock = Arc::new(ManualClock::new(1_000));
    let a = backend.open(3600, clock.clone()).await.expect("replica a");
    let b = backend.open(3600, clock.clone()).await.expect("replica b");
    a.queue.enqueue(new("x1", "acme")).await.expect("enqueue");
    let claimed = a.queue.claim(1).await.expect("claim").expect("x1");
    assert_eq!(claimed.attempts, 1);
    // While A's lease lasts (3 s), B finds nothing, and renewing keeps it A's.
    assert!(b.queue.claim(1).await.expect("claim").is_none());
    clock.advance(2);
    assert!(!a.queue.renew_lease("x1").await.expect("renew"));
    clock.advance(2);
    assert!(b.queue.claim(1).await.expect("claim").is_none(), "renewed");
    // A dies: nothing renews; once the lease is over B takes the execution.
    clock.advance(4);
    let taken = b.queue.claim(1).await.expect("claim").expect("taken over");
    assert_eq!((taken.id.as_str(), taken.attempts), ("x1", 2));
    let done = b
        .queue
        .finish("x1", ExecutionStatus::Completed, json!({"by": "b"}))
        .await
        .expect("finish");
    assert_eq!(done.outcome, Some(json!({"by": "b"})));
    // A late finish from A changes nothing: it completed once.
    let late = a
        .queue
        .finish("x1", ExecutionStatus::Failed, json!({"by": "a"}))
        .await
        .expect("late finish");
    assert_eq!(late.status, ExecutionStatus::Completed);
    assert_eq!(late.outcome, Some(json!({"by": "b"})));
    assert!(b.queue.claim(1).await.expect("claim").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_per_tenant_limit_holds_across_replicas_claiming_at_once() {
    let backend = Backend::scaled();
    let clock = Arc::new(ManualClock::new(1_000));
    let replicas = [
        backend.open(3600, clock.clone()).await.expect("a"),
        backend.open(3600, clock.clone()).await.expect("b"),
        backend.open(3600, clock.clone()).await.expect("c"),
    ];
    for index in 0..12 {
        replicas[0]
            .queue
            .enqueue(new(&format!("t{index}"), "acme"))
            .await
            .expect("enqueue");
    }
    let mut claims = tokio::task::JoinSet::new();
    for round in 0..12 {
        let queue = Arc::clone(&replicas[round % 3].queue);
        claims.spawn(async move { queue.claim(2).await.expect("claim") });
    }
    let mut claimed = Vec::new();
    while let Some(joined) = claims.join_next().await {
        if let Some(record) = joined.expect("task") {
            claimed.push(record.id);
        }
    }
    claimed.sort();
    assert_eq!(claimed, ["t0", "t1"], "two at once for the tenant, the oldest two");
}
