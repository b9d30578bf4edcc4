//! The store suite: one set of behaviours every backend must have, run against each
//! (`<test>::embedded`, `<test>::scaled`).

use std::sync::Arc;

use serde_json::json;
use tokio::io::AsyncReadExt;
use vitrine_store::{
    ArtifactMeta, ArtifactStore, ExecutionStatus, ManualClock, NewExecution, NewSkill, QuotaScope,
    Quotas, SkillQuery, StoreError, UsageRecord, UsageSpan,
};
use vitrine_wire::SessionId;

use crate::backend::{Backend, on_every_backend};
use crate::{png_artifact, sha2_check::sha256_hex};

const DAY: u64 = 24 * 3600;

async fn put(store: &dyn ArtifactStore, session: &SessionId, bytes: &[u8]) -> ArtifactMeta {
    let mut blob = store.stage(64 << 20).await.expect("stage");
    blob.write(bytes).await.expect("write");
    store
        .put("acme", session, blob, png_artifact())
        .await
        .expect("put")
}

async fn read(store: &dyn ArtifactStore, meta: &ArtifactMeta) -> Vec<u8> {
    let mut bytes = Vec::new();
    store
        .open(meta)
        .await
        .expect("open")
        .read_to_end(&mut bytes)
        .await
        .expect("read");
    bytes
}

fn pattern(len: usize, seed: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i * 31 + seed * 7 + i / 251) as u8)
        .collect()
}

on_every_backend!(
    artifacts_read_back_from_a_second_open_with_their_hash,
    ranges_return_exactly_the_bytes_asked_for,
    other_tenants_see_nothing,
    expiry_answers_expired_and_one_sweep_frees_each_artifact,
    deleted_ids_are_not_reused_and_sessions_delete_whole,
    the_download_read_keeps_every_check_after_the_first_read,
    files_by_md5_presigned_uploads_and_files_into_sessions,
    concurrent_puts_each_get_their_own_id_and_bytes,
    the_queue_claims_oldest_first_within_tenant_limits,
    idempotency_keys_cancel_and_owed_webhooks,
    skills_keep_every_version_and_downloads_need_a_grant,
    usage_reports_sum_a_tenants_time_range,
    quotas_count_what_is_stored_and_refuse_writes_past_them,
);

/// Stages `bytes` and commits them as an artifact of `tenant`'s `session`.
async fn try_put(
    store: &dyn ArtifactStore,
    tenant: &str,
    session: &SessionId,
    bytes: &[u8],
) -> Result<ArtifactMeta, StoreError> {
    let mut blob = store.stage(64 << 20).await.expect("stage");
    blob.write(bytes).await.expect("write");
    store.put(tenant, session, blob, png_artifact()).await
}

/// Session and tenant quotas are counted from what the metadata store holds: a refused
/// write stores nothing, another replica (or the reopened store) counts the same bytes,
/// files count for their tenant, other tenants are not touched, and deleting makes room.
async fn quotas_count_what_is_stored_and_refuse_writes_past_them(backend: Backend) {
    let quotas = Quotas {
        tenant_bytes: Some(10_000),
        session_bytes: Some(6_000),
    };
    let clock = Arc::new(ManualClock::new(1_000));
    let first = backend
        .open_with(DAY, clock.clone(), quotas)
        .await
        .expect("open");
    let store = first.store.as_ref();
    let one = store.create_session("acme").await.expect("session").id;
    let kept = try_put(store, "acme", &one, &pattern(4_000, 1))
        .await
        .expect("under both quotas");
    let error = try_put(store, "acme", &one, &pattern(3_000, 2))
        .await
        .expect_err("the session would hold 7000 bytes");
    assert!(
        matches!(
            error,
            StoreError::QuotaExceeded {
                scope: QuotaScope::Session,
                limit: 6_000,
                stored: 4_000,
                adding: 3_000
            }
        ),
        "{error}"
    );
    assert_eq!(error.code(), "session_too_large");
    assert_eq!(
        store.list("acme", &one).await.expect("list").len(),
        1,
        "the refused artifact is not there"
    );
    let two = store.create_session("acme").await.expect("session").id;
    try_put(store, "acme", &two, &pattern(4_000, 3))
        .await
        .expect("8000 bytes for the tenant");

    // A second replica counts from the same metadata; the embedded store, reopened, too.
    let second = if backend.shared() {
        backend
            .open_with(DAY, clock.clone(), quotas)
            .await
            .expect("replica")
    } else {
        drop(first);
        backend
            .open_with(DAY, clock.clone(), quotas)
            .await
            .expect("reopen")
    };
    let store = second.store.as_ref();
    try_put(store, "acme", &two, &pattern(1_000, 4))
        .await
        .expect("9000 of the tenant's 10000 bytes (the session holds 5000)");
    // A fresh session, so that only the tenant's quota is in the way.
    let three = store.create_session("acme").await.expect("session").id;
    let error = try_put(store, "acme", &three, &pattern(2_001, 5))
        .await
        .expect_err("the tenant would hold 11001 bytes");
    assert!(
        matches!(
            error,
            StoreError::QuotaExceeded {
                scope: QuotaScope::Tenant,
                limit: 10_000,
                stored: 9_000,
                adding: 2_001
            }
        ),
        "{error}"
    );
    assert_eq!(error.code(), "tenant_quota_exceeded");
    // Files count for their tenant.
    let mut blob = store.stage(1 << 20).await.expect("stage");
    blob.write(&pattern(1_001, 6)).await.expect("write");
    let error = store
        .put_file("acme", blob, "a.bin", "assistants")
        .await
        .expect_err("a file past the tenant's quota");
    assert!(
        matches!(
            error,
            StoreError::QuotaExceeded {
                scope: QuotaScope::Tenant,
                ..
            }
        ),
        "{error}"
    );
    assert!(
        store
            .list_files("acme", 0, 10)
            .await
            .expect("files")
            .is_empty()
    );
    // Another tenant has its own.
    let theirs = store.create_session("globex").await.expect("session").id;
    try_put(store, "globex", &theirs, &pattern(5_000, 7))
        .await
        .expect("globex stores nothing else");
    // Deleting makes room again.
    store.delete("acme", &one, &kept.id).await.expect("delete");
    let mut blob = store.stage(1 << 20).await.expect("stage");
    blob.write(&pattern(3_000, 8)).await.expect("write");
    store
        .put_file("acme", blob, "b.bin", "assistants")
        .await
        .expect("room after the delete");
}

async fn artifacts_read_back_from_a_second_open_with_their_hash(backend: Backend) {
    let clock = Arc::new(ManualClock::new(1_000_000));
    // Small (kept inline by the embedded store), medium, and large enough for a multipart
    // upload on object storage (over 8 MiB).
    let sizes = [12, 300_000, 9 * 1024 * 1024 + 17];
    let (session, metas) = {
        let first = backend.open(DAY, clock.clone()).await.expect("open");
        let session = first.store.create_session("acme").await.expect("session");
        let mut metas = Vec::new();
        for (seed, size) in sizes.iter().enumerate() {
            metas.push(put(first.store.as_ref(), &session.id, &pattern(*size, seed)).await);
        }
        (session, metas)
    };
    let second = backend.open(DAY, clock).await.expect("reopen");
    for (seed, (meta, size)) in metas.iter().zip(sizes).enumerate() {
        let again = second
            .store
            .artifact("acme", &session.id, &meta.id)
            .await
            .expect("still there");
        assert_eq!(&again, meta);
        let bytes = read(second.store.as_ref(), &again).await;
        assert_eq!(bytes.len(), size);
        assert_eq!(bytes, pattern(size, seed));
        assert_eq!(
            again.sha256,
            sha256_hex(&bytes),
            "the recorded hash is the bytes'"
        );
    }
    let mut listed = second.store.list("acme", &session.id).await.expect("list");
    let mut metas = metas;
    // Made in the same second: the listing orders them by id.
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(listed, metas);
}

async fn ranges_return_exactly_the_bytes_asked_for(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(10)))
        .await
        .expect("open");
    let store = opened.store.as_ref();
    let session = store.create_session("acme").await.expect("session");
    for (seed, size) in [1_000usize, 400_000].into_iter().enumerate() {
        let bytes = pattern(size, seed);
        let meta = put(store, &session.id, &bytes).await;
        for range in [
            0..1,
            5..600,
            (size as u64 - 10)..size as u64,
            0..size as u64,
        ] {
            let mut got = Vec::new();
            store
                .open_range(&meta, range.clone())
                .await
                .expect("open range")
                .read_to_end(&mut got)
                .await
                .expect("read");
            assert_eq!(
                got,
                bytes[range.start as usize..range.end as usize],
                "{range:?} of {size}"
            );
        }
    }
}

async fn other_tenants_see_nothing(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(10)))
        .await
        .expect("open");
    let store = opened.store.as_ref();
    let session = store.create_session("acme").await.expect("session");
    let meta = put(store, &session.id, b"secret").await;
    let error = store
        .artifact("globex", &session.id, &meta.id)
        .await
        .expect_err("foreign");
    assert!(matches!(error, StoreError::SessionNotFound(_)), "{error}");
    assert!(store.list("globex", &session.id).await.is_err());
    assert!(store.delete("globex", &session.id, &meta.id).await.is_err());
    assert!(store.delete_session("globex", &session.id).await.is_err());
    assert!(store.artifact("acme", &session.id, &meta.id).await.is_ok());
}

async fn expiry_answers_expired_and_one_sweep_frees_each_artifact(backend: Backend) {
    let clock = Arc::new(ManualClock::new(5_000));
    let opened = backend.open(90, clock.clone()).await.expect("open");
    let store = opened.store.as_ref();
    let session = store.create_session("acme").await.expect("session");
    let old = put(store, &session.id, b"old").await;
    clock.advance(60);
    let newer = put(store, &session.id, b"newer").await;
    clock.advance(40); // old is 100 s old, newer 40 s
    let error = store
        .artifact("acme", &session.id, &old.id)
        .await
        .expect_err("expired");
    assert!(matches!(error, StoreError::ArtifactExpired(_)), "{error}");
    assert!(store.artifact("acme", &session.id, &newer.id).await.is_ok());

    // With two openings of a shared backend sweeping at once (two replicas), each expired
    // artifact is swept by exactly one of them.
    let other = if backend.shared() {
        Some(backend.open(90, clock.clone()).await.expect("second"))
    } else {
        None
    };
    let sweep_all = || async {
        let (a, b) = tokio::join!(store.sweep(), async {
            match &other {
                Some(other) => other.store.sweep().await.map(Some),
                None => Ok(None),
            }
        });
        let (a, b) = (a.expect("sweep"), b.expect("sweep"));
        let b = b.unwrap_or_default();
        (
            a.artifacts + b.artifacts,
            a.sessions + b.sessions,
            a.bytes + b.bytes,
        )
    };
    assert_eq!(sweep_all().await, (1, 0, 3), "old's three bytes, once");
    let error = store
        .artifact("acme", &session.id, &old.id)
        .await
        .expect_err("still expired after sweep");
    assert!(matches!(error, StoreError::ArtifactExpired(_)), "{error}");

    clock.advance(60);
    assert_eq!(sweep_all().await, (1, 1, 5));
    let error = store
        .list("acme", &session.id)
        .await
        .expect_err("session gone");
    assert!(matches!(error, StoreError::SessionExpired(_)), "{error}");
    assert_eq!(sweep_all().await, (0, 0, 0), "nothing is swept twice");

    // Many at once: still each exactly once.
    let session = store.create_session("acme").await.expect("session");
    for index in 0..40 {
        put(store, &session.id, &pattern(10 + index, index)).await;
    }
    clock.advance(91);
    let (artifacts, sessions, _) = sweep_all().await;
    assert_eq!((artifacts, sessions), (40, 1));
}

async fn deleted_ids_are_not_reused_and_sessions_delete_whole(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(7)))
        .await
        .expect("open");
    let store = opened.store.as_ref();
    let session = store.create_session("acme").await.expect("session");
    let first = put(store, &session.id, b"one").await;
    let second = put(store, &session.id, b"two").await;
    store
        .delete("acme", &session.id, &first.id)
        .await
        .expect("delete");
    let error = store
        .artifact("acme", &session.id, &first.id)
        .await
        .expect_err("deleted");
    assert!(matches!(error, StoreError::ArtifactDeleted(_)), "{error}");
    let listed = store.list("acme", &session.id).await.expect("list");
    assert_eq!(
        listed.iter().map(|m| &m.id).collect::<Vec<_>>(),
        vec![&second.id]
    );
    assert_eq!(
        store
            .delete_session("acme", &session.id)
            .await
            .expect("delete session"),
        1
    );
    assert!(store.list("acme", &session.id).await.is_err());
}

/// `read` (the download path) answers exactly like `artifact` + `open`, also once a store
/// has the artifact at hand from an earlier read: another tenant, a delete, an expiry and a
/// deleted session are each seen at once.
async fn the_download_read_keeps_every_check_after_the_first_read(backend: Backend) {
    let clock = Arc::new(ManualClock::new(1_000));
    let opened = backend.open(100, clock.clone()).await.expect("open");
    let store = opened.store.as_ref();
    let session = store.create_session("acme").await.expect("session");
    let small = put(store, &session.id, &pattern(200_000, 1)).await;
    let large = put(store, &session.id, &pattern(300_000, 2)).await;
    let gone = put(store, &session.id, b"to delete").await;
    for meta in [&small, &large, &gone] {
        for _ in 0..2 {
            let found = store
                .read("acme", &session.id, &meta.id)
                .await
                .expect("read");
            assert_eq!(*found.meta, *meta);
            let bytes = match found.bytes {
                Some(bytes) => bytes.to_vec(),
                None => read(store, &found.meta).await,
            };
            assert_eq!(sha256_hex(&bytes), meta.sha256);
        }
        let error = store
            .read("globex", &session.id, &meta.id)
            .await
            .expect_err("foreign");
        assert!(matches!(error, StoreError::SessionNotFound(_)), "{error}");
    }
    store
        .delete("acme", &session.id, &gone.id)
        .await
        .expect("delete");
    let error = store
        .read("acme", &session.id, &gone.id)
        .await
        .expect_err("deleted");
    assert!(matches!(error, StoreError::ArtifactDeleted(_)), "{error}");
    // A put extends the session; the older artifact expires on its own time.
    clock.advance(60);
    let later = put(store, &session.id, b"later").await;
    clock.advance(50);
    let error = store
        .read("acme", &session.id, &small.id)
        .await
        .expect_err("expired");
    assert!(matches!(error, StoreError::ArtifactExpired(_)), "{error}");
    assert!(store.read("acme", &session.id, &later.id).await.is_ok());
    store
        .delete_session("acme", &session.id)
        .await
        .expect("delete session");
    assert!(store.read("acme", &session.id, &later.id).await.is_err());
}

async fn files_by_md5_presigned_uploads_and_files_into_sessions(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(100)))
        .await
        .expect("open");
    let store = opened.store.as_ref();
    let mut blob = store.stage(1024).await.expect("stage");
    blob.write(b"abc").await.expect("write");
    let file = store
        .put_file("acme", blob, "a.txt", "assistants")
        .await
        .expect("put file");
    assert_eq!(file.md5, "900150983cd24fb0d6963f7d28e17f72");
    let found = store.file_by_md5("acme", &file.md5).await.expect("lookup");
    assert_eq!(found.map(|f| f.id), Some(file.id.clone()));
    assert!(
        store
            .file_by_md5("globex", &file.md5)
            .await
            .expect("lookup")
            .is_none()
    );
    assert_eq!(
        store.list_files("acme", 0, 10).await.expect("list").len(),
        1
    );

    let pending = store
        .create_upload("acme", "big.bin", "assistants", 600)
        .await
        .expect("upload");
    assert!(matches!(
        store.file("acme", &pending.file.id).await,
        Err(StoreError::UploadIncomplete(_))
    ));
    let mut blob = store.stage(1024).await.expect("stage");
    blob.write(b"xyz").await.expect("write");
    assert!(matches!(
        store.complete_upload(&pending.file.id, "wrong", blob).await,
        Err(StoreError::UploadRejected(_))
    ));
    let mut blob = store.stage(1024).await.expect("stage");
    blob.write(b"xyz").await.expect("write");
    let done = store
        .complete_upload(&pending.file.id, &pending.token, blob)
        .await
        .expect("complete");
    assert_eq!(done.bytes, 3);
    assert_eq!(store.file("acme", &done.id).await.expect("file").bytes, 3);
    let mut bytes = Vec::new();
    store
        .open_file(&done)
        .await
        .expect("open file")
        .read_to_end(&mut bytes)
        .await
        .expect("read");
    assert_eq!(bytes, b"xyz");

    let session = store.create_session("acme").await.expect("session");
    let meta = store
        .put_from_file("acme", &session.id, &done, png_artifact())
        .await
        .expect("file into session");
    assert_eq!(read(store, &meta).await, b"xyz");
    store.delete_file("acme", &file.id).await.expect("delete");
    assert!(matches!(
        store.file("acme", &file.id).await,
        Err(StoreError::FileNotFound(_))
    ));
}

async fn concurrent_puts_each_get_their_own_id_and_bytes(backend: Backend) {
    let clock = Arc::new(ManualClock::new(1_000));
    let first = backend.open(DAY, clock.clone()).await.expect("open");
    // On a shared backend the puts go through two openings at once, like two replicas.
    let second = if backend.shared() {
        Some(backend.open(DAY, clock.clone()).await.expect("second"))
    } else {
        None
    };
    let session = first
        .store
        .create_session("acme")
        .await
        .expect("session")
        .id;
    let mut puts = tokio::task::JoinSet::new();
    for index in 0..32usize {
        let store = match (&second, index % 2) {
            (Some(second), 1) => Arc::clone(&second.store),
            _ => Arc::clone(&first.store),
        };
        let session = session.clone();
        puts.spawn(async move {
            let len = if index % 8 == 0 {
                300_000 + index
            } else {
                10 + index * 97
            };
            let bytes = pattern(len, index);
            (put(store.as_ref(), &session, &bytes).await, bytes)
        });
    }
    let mut written = Vec::new();
    while let Some(joined) = puts.join_next().await {
        written.push(joined.expect("put task"));
    }
    let ids: std::collections::BTreeSet<_> =
        written.iter().map(|(meta, _)| meta.id.clone()).collect();
    assert_eq!(ids.len(), 32, "every put got its own id");
    drop((first, second));
    let again = backend.open(DAY, clock).await.expect("reopen");
    assert_eq!(
        again
            .store
            .list("acme", &session)
            .await
            .expect("list")
            .len(),
        32
    );
    for (meta, bytes) in &written {
        assert_eq!(
            &read(again.store.as_ref(), meta).await,
            bytes,
            "{}",
            meta.id
        );
    }
}

fn execution(id: &str, tenant: &str, key: Option<&str>) -> NewExecution {
    NewExecution {
        id: id.to_owned(),
        tenant: tenant.to_owned(),
        idempotency_key: key.map(str::to_owned),
        job: json!({ "n": id }),
        webhook: false,
    }
}

async fn the_queue_claims_oldest_first_within_tenant_limits(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(50)))
        .await
        .expect("open");
    let queue = opened.queue.as_ref();
    for (id, tenant) in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")] {
        queue
            .enqueue(execution(id, tenant, None))
            .await
            .expect("enqueue");
    }
    assert_eq!(queue.queued().await.expect("queued"), 4);
    let claim = || async { queue.claim(2).await.expect("claim").map(|r| r.id) };
    assert_eq!(claim().await.as_deref(), Some("a1"));
    assert_eq!(claim().await.as_deref(), Some("a2"));
    // a3 waits behind tenant a's limit; b1 is not held up.
    assert_eq!(claim().await.as_deref(), Some("b1"));
    assert_eq!(claim().await, None);
    let done = queue
        .finish("a1", ExecutionStatus::Completed, json!({"ok": 1}))
        .await
        .expect("finish");
    assert_eq!(done.status, ExecutionStatus::Completed);
    assert_eq!(done.attempts, 1);
    // Finishing twice keeps the first outcome.
    let again = queue
        .finish("a1", ExecutionStatus::Failed, json!({"ok": 2}))
        .await
        .expect("finish again");
    assert_eq!(again.outcome, Some(json!({"ok": 1})));
    assert_eq!(claim().await.as_deref(), Some("a3"));
    let listed = queue.list_executions("a", 0, 10).await.expect("list");
    assert_eq!(
        listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["a3", "a2", "a1"],
        "newest first"
    );
    assert!(matches!(
        queue.execution("b", "a1").await,
        Err(StoreError::ExecutionNotFound(_))
    ));
}

async fn idempotency_keys_cancel_and_owed_webhooks(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(50)))
        .await
        .expect("open");
    let queue = opened.queue.as_ref();
    let (first, added) = queue
        .enqueue(execution("e1", "acme", Some("k")))
        .await
        .expect("enqueue");
    assert!(added);
    let (repeat, added) = queue
        .enqueue(execution("e2", "acme", Some("k")))
        .await
        .expect("repeat");
    assert!(!added);
    assert_eq!(repeat.id, first.id);
    let (other, added) = queue
        .enqueue(execution("e3", "globex", Some("k")))
        .await
        .expect("other tenant");
    assert!(added, "keys are per tenant");
    assert_eq!(
        queue
            .execution_by_key("acme", "k")
            .await
            .expect("by key")
            .map(|r| r.id),
        Some("e1".to_owned())
    );
    // Waiting: cancelled for good. Running: flagged for its worker.
    assert!(matches!(
        queue
            .cancel("globex", &other.id, json!({"message": "cancelled"}))
            .await,
        Ok(vitrine_store::Cancelled::Dequeued(_))
    ));
    let running = queue.claim(5).await.expect("claim").expect("e1");
    assert_eq!(running.id, "e1");
    assert!(matches!(
        queue
            .cancel("acme", "e1", json!({"message": "cancelled"}))
            .await,
        Ok(vitrine_store::Cancelled::Flagged(_))
    ));
    assert!(
        queue
            .execution("acme", "e1")
            .await
            .expect("get")
            .cancel_requested,
        "the flag is stored"
    );

    let mut hooked = execution("w1", "acme", None);
    hooked.webhook = true;
    queue.enqueue(hooked).await.expect("enqueue");
    queue.claim(5).await.expect("claim").expect("w1");
    queue
        .finish("w1", ExecutionStatus::Completed, json!({}))
        .await
        .expect("finish");
    let owed = queue.claim_webhooks().await.expect("owed");
    assert_eq!(
        owed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["w1"]
    );
    assert!(
        queue
            .record_delivery("w1", json!({"status": 500}), false)
            .await
            .expect("attempt"),
        "the delivery is this process's"
    );
    // Still owed. One process finds it again (at its next start); a shared queue leaves it to
    // the replica whose lease the attempt renewed.
    let again = queue.claim_webhooks().await.expect("owed");
    assert_eq!(again.len(), usize::from(!backend.shared()));
    assert!(queue.renew_webhook("w1").await.expect("renew"));
    assert!(
        queue
            .record_delivery("w1", json!({"status": 200}), true)
            .await
            .expect("settled")
    );
    assert!(queue.claim_webhooks().await.expect("owed").is_empty());
    assert!(queue.claim_webhook("w1").await.expect("one").is_none());
    assert_eq!(
        queue
            .execution("acme", "w1")
            .await
            .expect("get")
            .deliveries
            .len(),
        2
    );
}

async fn skills_keep_every_version_and_downloads_need_a_grant(backend: Backend) {
    let opened = backend
        .open(DAY, Arc::new(ManualClock::new(1_000)))
        .await
        .expect("open");
    let skills = opened.skills.as_ref();
    let created = skills
        .create_skill(
            "acme",
            NewSkill {
                name: "crop".into(),
                description: "first".into(),
                bundle: b"zip one".to_vec(),
            },
        )
        .await
        .expect("create");
    assert!(matches!(
        skills
            .create_skill(
                "acme",
                NewSkill {
                    name: "crop".into(),
                    description: "again".into(),
                    bundle: b"x".to_vec(),
                },
            )
            .await,
        Err(StoreError::SkillExists(_))
    ));
    let updated = skills
        .update_skill(
            "acme",
            &created.id,
            vitrine_store::SkillUpdate {
                description: Some("second".into()),
                bundle: None,
            },
        )
        .await
        .expect("update");
    assert_eq!(updated.version, 2);
    assert_eq!(
        skills.skill_bundle(&updated).await.expect("bundle"),
        b"zip one"
    );
    assert_eq!(
        skills
            .skill_by_name("acme", "crop", Some(1))
            .await
            .expect("v1")
            .description,
        "first"
    );
    assert!(skills.skill("globex", &created.id, None).await.is_err());
    let all = skills
        .list_skills(
            "acme",
            SkillQuery {
                skip: 0,
                limit: 10,
                latest_only: false,
            },
        )
        .await
        .expect("list");
    assert_eq!(all.len(), 2);
    let latest = skills
        .list_skills(
            "acme",
            SkillQuery {
                skip: 0,
                limit: 10,
                latest_only: true,
            },
        )
        .await
        .expect("list");
    assert_eq!(latest.iter().map(|r| r.version).collect::<Vec<_>>(), [2]);
    let token = skills
        .grant_skill_download(&created, 60)
        .await
        .expect("grant");
    assert_eq!(
        skills.redeem_skill_download(&token).await.expect("redeem"),
        created
    );
    assert!(skills.redeem_skill_download("nope").await.is_err());

    let session: SessionId = opened
        .store
        .create_session("acme")
        .await
        .expect("session")
        .id;
    skills
        .save_session_program("acme", &session, json!({"steps": [1]}))
        .await
        .expect("save");
    assert_eq!(
        skills.session_program("acme", &session).await.expect("get"),
        Some(json!({"steps": [1]}))
    );
    assert_eq!(
        skills
            .session_program("globex", &session)
            .await
            .expect("get"),
        None
    );
}

async fn usage_reports_sum_a_tenants_time_range(backend: Backend) {
    let clock = Arc::new(ManualClock::new(10_000));
    let opened = backend.open(DAY, clock.clone()).await.expect("open");
    let usage = opened.usage.as_ref();
    let record = |tenant: &str, id: &str, ms: u64| UsageRecord {
        tenant: tenant.into(),
        request_id: id.into(),
        kind: "chat".into(),
        at: 0,
        planner: "offline".into(),
        spans: vec![UsageSpan {
            tool: "blur".into(),
            duration_ms: ms,
            ..UsageSpan::default()
        }],
        llm_tokens: None,
    };
    usage
        .record_usage(record("acme", "r1", 1000))
        .await
        .expect("record");
    clock.advance(100);
    usage
        .record_usage(record("acme", "r2", 500))
        .await
        .expect("record");
    usage
        .record_usage(record("globex", "r3", 9000))
        .await
        .expect("record");
    let all = usage.usage_report("acme", 0, 20_000).await.expect("report");
    assert_eq!((all.requests, all.tool_ms), (2, 1500));
    let late = usage
        .usage_report("acme", 10_050, 20_000)
        .await
        .expect("report");
    assert_eq!((late.requests, late.tool_ms), (1, 500));
}
