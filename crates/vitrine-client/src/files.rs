//! `client.files()`: uploads (direct multipart, or a presigned `PUT` for big
//! files), lookups and listings of `/files`.
//!
//! [`Files::upload`] behaves like the `vlmrun` SDK: it hashes the file with
//! MD5 and asks `GET /files/hash/{md5}` first, skipping the upload when the
//! server already has those bytes; files over 32 MiB go through
//! `POST /files/presigned-url`, a `PUT` of the bytes, and
//! `GET /files/verify-upload/{id}`.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use md5::{Digest as _, Md5};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;
use vitrine_wire::FileObject;
use vitrine_wire::files::PresignedUrlResponse;

use crate::client::read_json;
use crate::{Client, ClientError};

/// Above this size [`UploadMethod::Auto`] uses the presigned path (the SDK's 32 MB, in MiB).
pub const PRESIGNED_THRESHOLD: u64 = 32 * 1024 * 1024;

/// How a file travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UploadMethod {
    /// Direct up to [`PRESIGNED_THRESHOLD`], presigned above.
    #[default]
    Auto,
    /// One multipart `POST /files`.
    Direct,
    /// `POST /files/presigned-url`, `PUT`, `GET /files/verify-upload/{id}`.
    Presigned,
}

/// Options for [`Files::upload_with`].
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Upload purpose (default `assistants`).
    pub purpose: String,
    /// Direct, presigned, or chosen by size.
    pub method: UploadMethod,
    /// Upload even if the server already has a file with the same MD5.
    pub force: bool,
    /// Seconds the presigned URL stays valid (default 24 h).
    pub expiration: u64,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            purpose: "assistants".into(),
            method: UploadMethod::Auto,
            force: false,
            expiration: 24 * 3600,
        }
    }
}

/// The files resource.
#[derive(Debug, Clone)]
pub struct Files {
    pub(crate) client: Client,
}

/// The MD5 of a file, hex, read in 4 MiB pieces.
pub async fn md5_file(path: &Path) -> Result<String, ClientError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|error| ClientError::io("read", path, error))?;
    let mut hasher = Md5::new();
    let mut buffer = vec![0u8; 4 * 1024 * 1024];
    loop {
        let read = file
            .read(&mut buffer)
            .await
            .map_err(|error| ClientError::io("read", path, error))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// File ids go into URL paths; keep them to the characters ids are made of.
fn check_file_id(file_id: &str) -> Result<(), ClientError> {
    if !file_id.is_empty()
        && file_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(ClientError::InvalidArgument {
            param: "file_id",
            message: format!(
                "`{file_id}` is not a file id such as `file-0123456789abcdef01234567`"
            ),
        })
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into())
}

impl Files {
    /// Uploads a file with the default options (MD5 cache lookup, method by size).
    pub async fn upload(&self, path: impl AsRef<Path>) -> Result<FileObject, ClientError> {
        self.upload_with(path, &UploadOptions::default()).await
    }

    /// Uploads a file.
    pub async fn upload_with(
        &self,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<FileObject, ClientError> {
        let path = path.as_ref();
        let metadata = tokio::fs::metadata(path)
            .await
            .map_err(|error| ClientError::io("read", path, error))?;
        if !metadata.is_file() {
            return Err(ClientError::InvalidArgument {
                param: "path",
                message: format!("`{}` is not a file", path.display()),
            });
        }
        if !options.force
            && let Some(existing) = self.cached(path).await?
        {
            return Ok(existing);
        }
        let presigned = match options.method {
            UploadMethod::Auto => metadata.len() > PRESIGNED_THRESHOLD,
            UploadMethod::Direct => false,
            UploadMethod::Presigned => true,
        };
        if presigned {
            self.upload_presigned(path, options).await
        } else {
            self.upload_direct(path, options).await
        }
    }

    /// The file the server already has with the same MD5, if any. Like the
    /// SDK, any failure of the lookup counts as "not there".
    pub async fn cached(&self, path: &Path) -> Result<Option<FileObject>, ClientError> {
        let md5 = md5_file(path).await?;
        match self
            .client
            .get_json::<FileObject>(&format!("files/hash/{md5}"), &[])
            .await
        {
            Ok(file) if !file.id.is_empty() => Ok(Some(file)),
            Ok(_) => Ok(None),
            Err(error) => {
                tracing::debug!(%error, %md5, "no cached upload");
                Ok(None)
            }
        }
    }

    async fn upload_direct(
        &self,
        path: &Path,
        options: &UploadOptions,
    ) -> Result<FileObject, ClientError> {
        // Direct uploads are at most 32 MiB in auto mode; keeping the bytes
        // lets every retry resend them without reopening the file.
        let bytes = Bytes::from(
            tokio::fs::read(path)
                .await
                .map_err(|error| ClientError::io("read", path, error))?,
        );
        let name = file_name(path);
        let url = self.client.url("files");
        let make = || {
            let part = Part::stream(bytes.clone()).file_name(name.clone());
            Ok(self
                .client
                .request(Method::POST, &url, self.client.inner.long_timeout)
                .query(&[("purpose", options.purpose.as_str())])
                .multipart(Form::new().part("file", part)))
        };
        let mut attempt = 1;
        let response = loop {
            let (error, retry_after) = match self.client.send_once(&url, &make).await? {
                Ok(response) => break response,
                Err(failure) => failure,
            };
            // Uploading the same bytes twice makes nothing new on the server,
            // so a broken connection or a timeout may be retried too.
            let Some(wait) = self.client.retry_wait(attempt, true, &error, retry_after) else {
                return Err(error);
            };
            tokio::time::sleep(wait).await;
            // The failed attempt may still have stored the file: never send
            // bytes the server already has.
            if let Some(existing) = self.cached(path).await? {
                return Ok(existing);
            }
            attempt += 1;
        };
        read_json("POST /files", response).await
    }

    async fn upload_presigned(
        &self,
        path: &Path,
        options: &UploadOptions,
    ) -> Result<FileObject, ClientError> {
        let body = Bytes::from(
            json!({
                "filename": file_name(path),
                "purpose": options.purpose,
                "expiration": options.expiration,
            })
            .to_string(),
        );
        let presigned: PresignedUrlResponse = self
            .client
            .json_call(Method::POST, "files/presigned-url", &[], Some(body))
            .await?;
        let owned: PathBuf = path.to_owned();
        let put_url = presigned.url.clone();
        // The URL carries its own authorisation, as a cloud presigned URL
        // would; the API key is not sent with it.
        self.client
            .send(&Method::PUT, &put_url, || {
                let file = std::fs::File::open(&owned)
                    .map_err(|error| ClientError::io("read", &owned, error))?;
                let length = file
                    .metadata()
                    .map_err(|error| ClientError::io("read", &owned, error))?
                    .len();
                let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
                Ok(self
                    .client
                    .inner
                    .http
                    .put(&put_url)
                    .timeout(self.client.inner.long_timeout)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        presigned.content_type.as_str(),
                    )
                    .header(reqwest::header::CONTENT_LENGTH, length)
                    .body(reqwest::Body::wrap_stream(stream)))
            })
            .await?;
        self.client
            .get_json(&format!("files/verify-upload/{}", presigned.id), &[])
            .await
    }

    /// One file's metadata.
    pub async fn get(&self, file_id: &str) -> Result<FileObject, ClientError> {
        check_file_id(file_id)?;
        self.client.get_json(&format!("files/{file_id}"), &[]).await
    }

    /// A file's bytes.
    pub async fn content(&self, file_id: &str) -> Result<Bytes, ClientError> {
        check_file_id(file_id)?;
        Ok(self
            .client
            .get_raw(&format!("files/{file_id}/content"), &[])
            .await?
            .0)
    }

    /// Uploaded files, newest first, `limit` (1–1000) after skipping `skip`.
    pub async fn list(&self, skip: usize, limit: usize) -> Result<Vec<FileObject>, ClientError> {
        let skip = skip.to_string();
        let limit = limit.to_string();
        self.client
            .get_json("files", &[("skip", &skip), ("limit", &limit)])
            .await
    }

    /// Deletes an uploaded file.
    pub async fn delete(&self, file_id: &str) -> Result<(), ClientError> {
        check_file_id(file_id)?;
        let _: Value = self
            .client
            .json_call(Method::DELETE, &format!("files/{file_id}"), &[], None)
            .await?;
        Ok(())
    }
}
