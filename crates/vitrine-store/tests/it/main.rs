//! Integration tests of the stores. `suite` runs against every backend; the rest checks
//! what is particular to the embedded store (its files on disk, its group commit).

mod backend;
mod queue;
#[cfg(all(feature = "s3", feature = "postgres"))]
mod scaled;
mod suite;

use std::sync::Arc;

use tokio::io::AsyncReadExt;
use vitrine_store::{
    ArtifactStore, LocalStore, ManualClock, MediaInfo, NewArtifact, Provenance, StoreError,
};
use vitrine_wire::ArtifactKind;

const DAY: u64 = 24 * 3600;

fn png_artifact() -> NewArtifact {
    NewArtifact {
        kind: ArtifactKind::Image,
        content_type: "image/png".into(),
        media: MediaInfo {
            width: Some(2),
            height: Some(2),
            ..MediaInfo::default()
        },
        provenance: Provenance {
            operation: "test".into(),
            ..Provenance::default()
        },
        filename: None,
    }
}

async fn put_bytes(
    store: &LocalStore,
    tenant: &str,
    session: &vitrine_wire::SessionId,
    bytes: &[u8],
) -> vitrine_store::ArtifactMeta {
    let mut blob = store.stage(1 << 20).await.expect("stage");
    blob.write(bytes).await.expect("write");
    store
        .put(tenant, session, blob, png_artifact())
        .await
        .expect("put")
}

async fn read_all(store: &LocalStore, meta: &vitrine_store::ArtifactMeta) -> Vec<u8> {
    let mut reader = store.open(meta).await.expect("open");
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).await.expect("read");
    bytes
}

#[tokio::test]
async fn artifacts_survive_a_reopen_with_their_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(1_000_000));
    let (session, meta) = {
        let store = LocalStore::open(dir.path(), DAY, clock.clone()).expect("open");
        let session = store.create_session("acme").await.expect("session");
        let meta = put_bytes(&store, "acme", &session.id, b"hello pixels").await;
        (session, meta)
    };
    let store = LocalStore::open(dir.path(), DAY, clock).expect("reopen");
    let again = store
        .artifact("acme", &session.id, &meta.id)
        .await
        .expect("still there");
    assert_eq!(again, meta);
    assert_eq!(read_all(&store, &again).await, b"hello pixels");
    // sha256("hello pixels")
    use sha2_check::sha256_hex;
    assert_eq!(meta.sha256, sha256_hex(b"hello pixels"));
}

mod sha2_check {
    pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
        let output = std::process::Command::new("sha256sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().expect("stdin").write_all(bytes)?;
                child.wait_with_output()
            })
            .expect("sha256sum runs");
        String::from_utf8_lossy(&output.stdout)[..64].to_owned()
    }
}

#[tokio::test]
async fn expiry_answers_expired_and_the_sweeper_frees_the_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(5_000));
    let store = LocalStore::open(dir.path(), 90, clock.clone()).expect("open");
    let session = store.create_session("acme").await.expect("session");
    let old = put_bytes(&store, "acme", &session.id, b"old").await;
    clock.advance(60);
    let newer = put_bytes(&store, "acme", &session.id, b"newer").await;
    clock.advance(40); // old is 100 s old, newer 40 s
    let error = store
        .artifact("acme", &session.id, &old.id)
        .await
        .expect_err("expired");
    assert!(matches!(error, StoreError::ArtifactExpired(_)), "{error}");
    assert!(store.artifact("acme", &session.id, &newer.id).await.is_ok());

    let report = store.sweep().await.expect("sweep");
    assert_eq!(report.artifacts, 1);
    assert_eq!(report.bytes, 3, "the sweeper frees `old`'s three bytes");
    assert_eq!(
        report.sessions, 0,
        "the session lives as long as its newest artifact"
    );
    assert!(
        !dir.path()
            .join("blobs")
            .join(session.id.as_str())
            .join(old.id.as_str())
            .exists()
    );
    let error = store
        .artifact("acme", &session.id, &old.id)
        .await
        .expect_err("still expired after sweep");
    assert!(matches!(error, StoreError::ArtifactExpired(_)), "{error}");

    clock.advance(60);
    let report = store.sweep().await.expect("sweep");
    assert_eq!((report.artifacts, report.sessions), (1, 1));
    let error = store
        .list("acme", &session.id)
        .await
        .expect_err("session gone");
    assert!(matches!(error, StoreError::SessionExpired(_)), "{error}");
    assert!(!dir.path().join("blobs").join(session.id.as_str()).exists());
    // A second sweep finds nothing left to do.
    assert_eq!(store.sweep().await.expect("sweep").artifacts, 0);
}

/// A blob past the inline bound reaches its temp file in buffered writes; every byte and both
/// digests must come out as if it had been written at once.
#[tokio::test]
async fn large_blobs_written_in_pieces_keep_every_byte_and_their_digests() {
    use md5::Digest as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = LocalStore::open(dir.path(), DAY, Arc::new(ManualClock::new(100))).expect("open");
    let bytes: Vec<u8> = (0..3_000_001_u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let sha256 = format!("{:x}", sha2::Sha256::digest(&bytes));

    let mut blob = store.stage(1 << 23).await.expect("stage");
    blob.hash_md5();
    for piece in bytes.chunks(49_152) {
        blob.write(piece).await.expect("write");
    }
    let file = store
        .put_file("acme", blob, "noise.bin", "assistants")
        .await
        .expect("put file");
    assert_eq!(file.md5, format!("{:x}", md5::Md5::digest(&bytes)));
    assert_eq!(file.sha256, sha256);
    let stored = std::fs::read(dir.path().join("files").join(file.id.as_str())).expect("file");
    assert!(stored == bytes, "the uploaded file's bytes differ");

    let session = store.create_session("acme").await.expect("session");
    let mut blob = store.stage(1 << 23).await.expect("stage");
    for piece in bytes.chunks(49_152) {
        blob.write(piece).await.expect("write");
    }
    let meta = store
        .put("acme", &session.id, blob, png_artifact())
        .await
        .expect("put");
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(meta.sha256, sha256);
    assert!(
        read_all(&store, &meta).await == bytes,
        "the artifact's bytes differ"
    );
}

#[tokio::test]
async fn files_are_found_by_md5_and_presigned_uploads_need_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = LocalStore::open(dir.path(), DAY, Arc::new(ManualClock::new(100))).expect("open");
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

    let session = store.create_session("acme").await.expect("session");
    let meta = store
        .put_from_file("acme", &session.id, &done, png_artifact())
        .await
        .expect("file into session");
    assert_eq!(read_all(&store, &meta).await, b"xyz");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = LocalStore::open(dir.path(), DAY, Arc::new(ManualClock::new(1))).expect("open");
    let mut blob = store.stage(4).await.expect("stage");
    assert!(matches!(
        blob.write(b"12345").await,
        Err(StoreError::TooLarge { limit: 4 })
    ));
    drop(blob);
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp"))
            .expect("tmp")
            .count(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_puts_all_survive_a_reopen() {
    // Small blobs live in the index, large ones as files; both go through the group committer,
    // which commits the puts waiting together. Every put that returned must be there after a
    // reopen, with its own bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(1_000));
    let store = Arc::new(LocalStore::open(dir.path(), DAY, clock.clone()).expect("open"));
    let sessions = [
        store.create_session("acme").await.expect("session").id,
        store.create_session("acme").await.expect("session").id,
    ];
    let mut puts = tokio::task::JoinSet::new();
    for index in 0..48usize {
        let store = Arc::clone(&store);
        let session = sessions[index % 2].clone();
        puts.spawn(async move {
            // Every sixth blob is over the inline bound (256 KiB), so it is stored as a file.
            let len = if index % 6 == 0 {
                300_000 + index
            } else {
                10 + index * 97
            };
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 + index) as u8).collect();
            let mut blob = store.stage(1 << 20).await.expect("stage");
            blob.write(&bytes).await.expect("write");
            let meta = store
                .put("acme", &session, blob, png_artifact())
                .await
                .expect("put");
            (meta, bytes)
        });
    }
    let mut written = Vec::new();
    while let Some(joined) = puts.join_next().await {
        written.push(joined.expect("put task"));
    }
    let ids: std::collections::BTreeSet<_> =
        written.iter().map(|(meta, _)| meta.id.clone()).collect();
    assert_eq!(ids.len(), 48, "every put got its own id");
    drop(store);

    let store = LocalStore::open(dir.path(), DAY, clock).expect("reopen");
    for session in &sessions {
        assert_eq!(store.list("acme", session).await.expect("list").len(), 24);
    }
    for (meta, bytes) in &written {
        let again = store
            .artifact("acme", &meta.session_id, &meta.id)
            .await
            .expect("still there");
        assert_eq!(&again, meta);
        assert_eq!(again.size, bytes.len() as u64);
        assert_eq!(&read_all(&store, &again).await, bytes, "{}", meta.id);
    }
    // A large blob is a file under blobs/, a small one is not.
    let large = written
        .iter()
        .find(|(_, b)| b.len() > 300_000)
        .expect("a large one");
    let small = written
        .iter()
        .find(|(_, b)| b.len() < 1_000)
        .expect("a small one");
    let path = |meta: &vitrine_store::ArtifactMeta| {
        dir.path()
            .join("blobs")
            .join(meta.session_id.as_str())
            .join(meta.id.as_str())
    };
    assert!(path(&large.0).exists());
    assert!(!path(&small.0).exists());
}

#[tokio::test]
async fn a_put_into_an_expired_session_is_refused_alone() {
    // In a batch, one caller's refusal must not fail the others.
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(1_000));
    let store = Arc::new(LocalStore::open(dir.path(), 60, clock.clone()).expect("open"));
    let old = store.create_session("acme").await.expect("session").id;
    clock.advance(61);
    let live = store.create_session("acme").await.expect("session").id;
    let (refused, accepted) = tokio::join!(
        async {
            let mut blob = store.stage(1 << 20).await.expect("stage");
            blob.write(b"late").await.expect("write");
            store.put("acme", &old, blob, png_artifact()).await
        },
        async {
            let mut blob = store.stage(1 << 20).await.expect("stage");
            blob.write(b"on time").await.expect("write");
            store.put("acme", &live, blob, png_artifact()).await
        }
    );
    let error = refused.expect_err("expired session");
    assert!(matches!(error, StoreError::SessionExpired(_)), "{error}");
    let meta = accepted.expect("live session");
    assert_eq!(read_all(&store, &meta).await, b"on time");
}
