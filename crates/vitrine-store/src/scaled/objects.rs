//! Object storage through the `object_store` crate: connecting from `s3://bucket/prefix` and
//! the `AWS_*` environment, uploads (multipart when large), streaming and ranged reads, and
//! error classification (a store that does not answer is "unavailable", i.e. 503).

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt as _;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientConfigKey, GetOptions, GetRange, ObjectStore, ObjectStoreExt as _,
    PutPayload, RetryConfig, WriteMultipart,
};
use tokio::io::AsyncReadExt as _;

use super::SINGLE_PUT_MAX;
use crate::{BlobReader, StoreError};

/// Bytes read from the temp file per multipart write.
const READ_CHUNK: usize = 1024 * 1024;
/// Parts in flight per multipart upload.
const PARTS_IN_FLIGHT: usize = 4;

/// Maps an object-store failure: a missing object is the store's own inconsistency, anything
/// else (refused connections, timeouts, 5xx after retries) means the service is unavailable.
pub(super) fn error(error: object_store::Error) -> StoreError {
    match error {
        object_store::Error::NotFound { path, .. } => StoreError::Index(format!(
            "the bytes of `{path}` are missing from object storage"
        )),
        other => StoreError::Unavailable {
            service: "object storage",
            detail: other.to_string(),
        },
    }
}

/// Parses `s3://bucket/prefix` and builds the client from the `AWS_*` environment
/// (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
/// `AWS_ALLOW_HTTP`). Returns the store, the key prefix and the bucket.
pub(super) fn connect(
    url: &str,
    config: &[(String, String)],
) -> Result<(Arc<dyn ObjectStore>, ObjectPath, String), StoreError> {
    let invalid = |why: &str| StoreError::Config(format!("invalid --store `{url}`: {why}"));
    // The client's rustls has no built-in provider (one TLS stack in the binary): install
    // ring unless the process already chose one, as the server does at start-up.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| invalid("expected s3://bucket/prefix"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(invalid("the bucket is missing"));
    }
    let prefix = ObjectPath::parse(prefix.trim_end_matches('/'))
        .map_err(|error| invalid(&error.to_string()))?;
    // Fail fast: a request that cannot reach the store gives up within seconds and the
    // caller answers 503, instead of hanging for the crate's default three minutes.
    let retry = RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: 2,
        retry_timeout: Duration::from_secs(5),
    };
    // Set key by key: `with_client_options` would drop what the environment set (such as
    // `AWS_ALLOW_HTTP`).
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        .with_retry(retry)
        .with_config(
            AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
            "2s",
        )
        .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "120s");
    if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none()
    {
        builder = builder.with_region("us-east-1");
    }
    for (key, value) in config {
        let key: AmazonS3ConfigKey = key
            .parse()
            .map_err(|error: object_store::Error| invalid(&error.to_string()))?;
        builder = builder.with_config(key, value);
    }
    let store = builder
        .build()
        .map_err(|error| invalid(&error.to_string()))?;
    Ok((Arc::new(store), prefix, bucket.to_owned()))
}

/// Writes and deletes a small object under the prefix: proves reads and writes work now.
pub(super) async fn probe(store: &dyn ObjectStore, prefix: &ObjectPath) -> Result<(), StoreError> {
    let path = prefix.clone().join(".ready");
    store
        .put(&path, PutPayload::from_static(b"ok"))
        .await
        .map_err(error)?;
    delete(store, &path).await
}

/// Uploads the finished temp file at `tmp` (`size` bytes) to `path`: one `PUT` when small,
/// else a multipart upload that is aborted on failure, so no partial object stays behind.
pub(super) async fn upload_file(
    store: &dyn ObjectStore,
    path: &ObjectPath,
    tmp: &Path,
    size: u64,
) -> Result<(), StoreError> {
    if size <= SINGLE_PUT_MAX {
        let bytes = tokio::fs::read(tmp).await?;
        store
            .put(path, PutPayload::from(bytes))
            .await
            .map_err(error)?;
        return Ok(());
    }
    let upload = store.put_multipart(path).await.map_err(error)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, SINGLE_PUT_MAX as usize);
    let mut file = tokio::fs::File::open(tmp).await?;
    let mut buffer = vec![0; READ_CHUNK];
    loop {
        let read = match file.read(&mut buffer).await {
            Ok(read) => read,
            Err(io) => {
                let _ = writer.abort().await;
                return Err(io.into());
            }
        };
        if read == 0 {
            break;
        }
        if let Err(failed) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
            let _ = writer.abort().await;
            return Err(error(failed));
        }
        writer.write(&buffer[..read]);
    }
    writer.finish().await.map_err(error)?;
    Ok(())
}

/// Streams an object, or `range` of it.
pub(super) async fn read(
    store: &dyn ObjectStore,
    path: &ObjectPath,
    range: Option<Range<u64>>,
) -> Result<BlobReader, StoreError> {
    let options = GetOptions {
        range: range.map(GetRange::Bounded),
        ..GetOptions::default()
    };
    let result = store.get_opts(path, options).await.map_err(error)?;
    let stream = result
        .into_stream()
        .map_err(|failed| std::io::Error::other(error(failed)));
    Ok(Box::new(tokio_util::io::StreamReader::new(stream)))
}

/// Deletes an object; one that is already gone counts as deleted.
pub(super) async fn delete(store: &dyn ObjectStore, path: &ObjectPath) -> Result<(), StoreError> {
    match store.delete(path).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
        Err(failed) => Err(error(failed)),
    }
}
