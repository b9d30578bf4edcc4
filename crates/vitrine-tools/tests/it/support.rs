//! The store, session and tool context every tool test runs against, and artifact I/O.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::io::AsyncReadExt;
use vitrine_store::{
    ArtifactMeta, ArtifactStore, LocalStore, MediaInfo, NewArtifact, Provenance, SystemClock,
};
use vitrine_tools::{LazyModels, ToolContext};
use vitrine_wire::ArtifactKind;

const TENANT: &str = "tenant-tools";

pub(crate) async fn context() -> (tempfile::TempDir, ToolContext) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn ArtifactStore> =
        Arc::new(LocalStore::open(dir.path(), 3600, Arc::new(SystemClock)).expect("store"));
    let session = store.create_session(TENANT).await.expect("session").id;
    let models = models_dir();
    let cx = ToolContext::new(
        store,
        TENANT.to_owned(),
        session,
        Arc::new(LazyModels::new(models)),
    );
    (dir, cx)
}

/// The models directory: `VITRINE_MODELS_DIR`, else where the fetch script installs them.
fn models_dir() -> PathBuf {
    std::env::var_os("VITRINE_MODELS_DIR")
        .map_or_else(vitrine_vision::store::default_dir, PathBuf::from)
}

pub(crate) async fn put(
    cx: &ToolContext,
    bytes: &[u8],
    kind: ArtifactKind,
    content_type: &str,
) -> ArtifactMeta {
    let mut blob = cx.store.stage(1 << 26).await.expect("stage");
    blob.write(bytes).await.expect("write");
    cx.store
        .put(
            &cx.tenant,
            &cx.session,
            blob,
            NewArtifact {
                kind,
                content_type: content_type.to_owned(),
                media: MediaInfo::default(),
                provenance: Provenance {
                    parents: vec![],
                    operation: "test".to_owned(),
                    params: serde_json::Value::Null,
                },
                filename: None,
            },
        )
        .await
        .expect("put")
}

pub(crate) async fn read(cx: &ToolContext, meta: &ArtifactMeta) -> Vec<u8> {
    let mut bytes = Vec::new();
    cx.store
        .open(meta)
        .await
        .expect("open")
        .read_to_end(&mut bytes)
        .await
        .expect("read");
    bytes
}
