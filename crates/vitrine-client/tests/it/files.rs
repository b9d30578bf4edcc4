//! `files()`: direct and presigned uploads, the MD5 cache, get, list, content.

use vitrine_client::{UploadMethod, UploadOptions, md5_file};

use crate::{png, spawn};

#[tokio::test]
async fn upload_then_get_list_and_content_round_trip_the_bytes() {
    let app = spawn().await;
    let bytes = png(40, 30, [255, 0, 0], [0, 0, 255]);
    let path = app.write("photo.png", &bytes);
    let uploaded = app.client.files().upload(&path).await.expect("upload");
    assert!(uploaded.id.starts_with("file-"), "{}", uploaded.id);
    assert_eq!(uploaded.filename, "photo.png");
    assert_eq!(uploaded.bytes, bytes.len() as u64);
    assert_eq!(uploaded.purpose, "assistants");

    let fetched = app.client.files().get(&uploaded.id).await.expect("get");
    assert_eq!(fetched.id, uploaded.id);
    let listed = app.client.files().list(0, 10).await.expect("list");
    assert_eq!(
        listed
            .iter()
            .map(|file| file.id.as_str())
            .collect::<Vec<_>>(),
        [uploaded.id.as_str()]
    );
    let content = app
        .client
        .files()
        .content(&uploaded.id)
        .await
        .expect("content");
    assert_eq!(content.as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn a_second_upload_of_the_same_bytes_is_answered_from_the_md5_cache() {
    let app = spawn().await;
    let bytes = png(16, 16, [1, 2, 3], [4, 5, 6]);
    let first = app.write("a.png", &bytes);
    let second = app.write("b-copy.png", &bytes);
    let uploaded = app.client.files().upload(&first).await.expect("upload");
    let md5 = md5_file(&second).await.expect("md5");
    assert_eq!(md5.len(), 32);
    let cached = app.client.files().cached(&second).await.expect("lookup");
    assert_eq!(cached.map(|file| file.id), Some(uploaded.id.clone()));
    // Same bytes under another name: no new file, the first one comes back.
    let again = app.client.files().upload(&second).await.expect("upload");
    assert_eq!(again.id, uploaded.id);
    assert_eq!(app.client.files().list(0, 10).await.expect("list").len(), 1);
    // `force` uploads anyway.
    let forced = app
        .client
        .files()
        .upload_with(
            &second,
            &UploadOptions {
                force: true,
                ..UploadOptions::default()
            },
        )
        .await
        .expect("forced upload");
    assert_ne!(forced.id, uploaded.id);
    assert_eq!(forced.filename, "b-copy.png");
}

#[tokio::test]
async fn presigned_uploads_store_the_exact_bytes() {
    let app = spawn().await;
    let bytes = png(64, 64, [9, 9, 9], [200, 100, 50]);
    let path = app.write("presigned.png", &bytes);
    let uploaded = app
        .client
        .files()
        .upload_with(
            &path,
            &UploadOptions {
                method: UploadMethod::Presigned,
                ..UploadOptions::default()
            },
        )
        .await
        .expect("presigned upload");
    assert_eq!(uploaded.bytes, bytes.len() as u64);
    assert_eq!(uploaded.filename, "presigned.png");
    let content = app
        .client
        .files()
        .content(&uploaded.id)
        .await
        .expect("content");
    assert_eq!(content.as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn files_over_32_mib_upload_whole_in_auto_mode() {
    let app = spawn().await;
    // 33 MiB of a non-repeating pattern, so a dropped or duplicated piece shows.
    let size = 33 * 1024 * 1024;
    let bytes: Vec<u8> = (0..size)
        .map(|index: usize| (index.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let path = app.write("big.bin", &bytes);
    let uploaded = app.client.files().upload(&path).await.expect("upload");
    assert_eq!(uploaded.bytes, size as u64);
    let content = app
        .client
        .files()
        .content(&uploaded.id)
        .await
        .expect("content");
    assert!(content.as_ref() == bytes.as_slice(), "bytes differ");
}
