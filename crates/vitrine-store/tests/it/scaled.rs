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
async fn each_owed_webhook_goes_to_one_replica_and_moves_only_when_its_lease_lapses() {
    let backend = Backend::scaled();
    let clock = Arc::new(ManualClock::new(1_000));
    let a = backend.open(3600, clock.clone()).await.expect("replica a");
    let b = backend.open(3600, clock.clone()).await.expect("replica b");
    let ids: Vec<String> = (0..20).map(|n| format!("h{n:02}")).collect();
    for id in &ids {
        let mut hooked = new(id, "acme");
        hooked.webhook = true;
        a.queue.enqueue(hooked).await.expect("enqueue");
        a.queue.claim(100).await.expect("claim").expect("work");
        a.queue
            .finish(id, ExecutionStatus::Completed, json!({}))
            .await
            .expect("finish");
    }
    // Both replicas look for owed webhooks at once (both starting, or both polling): each
    // webhook goes to exactly one of them.
    let (from_a, from_b) = tokio::join!(a.queue.claim_webhooks(), b.queue.claim_webhooks());
    let (from_a, from_b) = (from_a.expect("a claims"), from_b.expect("b claims"));
    let mut all: Vec<&str> = from_a
        .iter()
        .chain(&from_b)
        .map(|record| record.id.as_str())
        .collect();
    all.sort_unstable();
    assert_eq!(all, ids, "every owed webhook claimed once");
    assert!(a.queue.claim_webhooks().await.expect("again").is_empty());
    assert!(b.queue.claim_webhooks().await.expect("again").is_empty());
    // One of them, held by `holder`: the other replica cannot take it while an attempt or a
    // renewal keeps the lease (3 s) alive.
    let (holder, other, id) = match from_a.first() {
        Some(record) => (&a, &b, record.id.clone()),
        None => (&b, &a, from_b[0].id.clone()),
    };
    clock.advance(2);
    assert!(
        holder
            .queue
            .record_delivery(&id, json!({"status_code": 500, "by": "holder"}), false)
            .await
            .expect("attempt")
    );
    clock.advance(2);
    assert!(
        other
            .queue
            .claim_webhook(&id)
            .await
            .expect("claim")
            .is_none()
    );
    assert!(holder.queue.renew_webhook(&id).await.expect("renew"));
    clock.advance(2);
    assert!(
        other
            .queue
            .claim_webhook(&id)
            .await
            .expect("claim")
            .is_none()
    );
    // The holder dies: once its lease is over the other replica takes the delivery over, and
    // a late attempt of the old holder is refused and recorded nowhere.
    clock.advance(4);
    let taken = other
        .queue
        .claim_webhook(&id)
        .await
        .expect("claim")
        .expect("taken over");
    assert_eq!(taken.deliveries.len(), 1);
    assert!(
        !holder
            .queue
            .record_delivery(&id, json!({"status_code": 200, "by": "late"}), true)
            .await
            .expect("late attempt")
    );
    assert!(!holder.queue.renew_webhook(&id).await.expect("late renewal"));
    assert!(
        other
            .queue
            .record_delivery(&id, json!({"status_code": 200, "by": "other"}), true)
            .await
            .expect("delivered")
    );
    let record = a.queue.execution("acme", &id).await.expect("record");
    assert!(!record.webhook_pending);
    assert_eq!(
        record
            .deliveries
            .iter()
            .map(|delivery| delivery["by"].as_str().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["holder", "other"]
    );
    assert!(
        other
            .queue
            .claim_webhook(&id)
            .await
            .expect("settled")
            .is_none()
    );
    assert!(
        holder
            .queue
            .claim_webhooks()
            .await
            .expect("settled")
            .iter()
            .all(|r| r.id != id)
    );
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
    assert_eq!(
        claimed,
        ["t0", "t1"],
        "two at once for the tenant, the oldest two"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_store_copies_an_embedded_store_verifies_every_hash_and_can_run_again() {
    use tokio::io::AsyncReadExt as _;
    use vitrine_store::{
        ArtifactStore as _, ExecutionQueue as _, LocalStore, SkillStore as _, UsageLedger as _,
    };

    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(5_000));
    let local = LocalStore::open(dir.path(), 3600, clock.clone()).expect("open");
    let session = local.create_session("acme").await.expect("session");
    let mut written = Vec::new();
    for (seed, size) in [40usize, 300_000].into_iter().enumerate() {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 13 + seed) as u8).collect();
        let mut blob = local.stage(1 << 20).await.expect("stage");
        blob.write(&bytes).await.expect("write");
        let meta = local
            .put("acme", &session.id, blob, crate::png_artifact())
            .await
            .expect("put");
        written.push((meta, bytes));
    }
    let gone = {
        let mut blob = local.stage(64).await.expect("stage");
        blob.write(b"gone").await.expect("write");
        local
            .put("acme", &session.id, blob, crate::png_artifact())
            .await
            .expect("put")
    };
    local
        .delete("acme", &session.id, &gone.id)
        .await
        .expect("delete");
    let mut blob = local.stage(64).await.expect("stage");
    blob.write(b"file bytes").await.expect("write");
    let file = local
        .put_file("acme", blob, "f.txt", "assistants")
        .await
        .expect("file");
    local
        .enqueue(NewExecution {
            idempotency_key: Some("key-1".into()),
            ..new("m1", "acme")
        })
        .await
        .expect("enqueue");
    let skill = local
        .create_skill(
            "acme",
            vitrine_store::NewSkill {
                name: "s".into(),
                description: "d".into(),
                bundle: b"zip".to_vec(),
            },
        )
        .await
        .expect("skill");
    local
        .record_usage(vitrine_store::UsageRecord {
            tenant: "acme".into(),
            request_id: "r1".into(),
            kind: "chat".into(),
            at: 0,
            planner: "offline".into(),
            spans: Vec::new(),
            llm_tokens: None,
        })
        .await
        .expect("usage");

    let backend = Backend::scaled();
    let Backend::Scaled { options, .. } = &backend else {
        unreachable!("a scaled backend")
    };
    let target = vitrine_store::ScaledStore::open(
        vitrine_store::ScaledOptions {
            retention_secs: 3600,
            ..options.clone()
        },
        clock.clone(),
    )
    .await
    .expect("target");
    let first = vitrine_store::migrate_store(&local, &target)
        .await
        .expect("migrate");
    assert_eq!(
        (
            first.sessions,
            first.artifacts,
            first.tombstones,
            first.files
        ),
        (1, 2, 1, 1)
    );
    assert_eq!(first.already_there, 0);
    assert_eq!(first.bytes_uploaded, 40 + 300_000 + 10);
    assert_eq!((first.executions, first.skills, first.usage), (1, 1, 1));

    // Everything reads back through the scaled store.
    for (meta, bytes) in &written {
        let again = target
            .artifact("acme", &session.id, &meta.id)
            .await
            .expect("artifact");
        assert_eq!(&again, meta);
        let mut read = Vec::new();
        target
            .open(&again)
            .await
            .expect("open")
            .read_to_end(&mut read)
            .await
            .expect("read");
        assert_eq!(&read, bytes);
    }
    assert!(matches!(
        target.artifact("acme", &session.id, &gone.id).await,
        Err(vitrine_store::StoreError::ArtifactDeleted(_))
    ));
    assert_eq!(target.file("acme", &file.id).await.expect("file"), file);
    assert_eq!(
        target
            .execution_by_key("acme", "key-1")
            .await
            .expect("by key")
            .map(|record| record.id),
        Some("m1".to_owned())
    );
    assert_eq!(target.skill_bundle(&skill).await.expect("bundle"), b"zip");
    assert_eq!(
        target
            .usage_report("acme", 0, u64::MAX)
            .await
            .expect("usage")
            .requests,
        1
    );

    // A second run finds every object in place with the right hash and uploads nothing.
    let second = vitrine_store::migrate_store(&local, &target)
        .await
        .expect("migrate again");
    assert_eq!(second.bytes_uploaded, 0);
    assert_eq!(second.already_there, 3);
    assert_eq!(
        target.list("acme", &session.id).await.expect("list").len(),
        2
    );
}
