//! `artifacts()`: typed `get` for every kind the server can store from an
//! input, raw bytes, save with extensions, list and delete.

use vitrine_client::{Artifact, ClientError};

use crate::{mp3, mp4, npy, pdf, png, spawn, spz};

#[tokio::test]
async fn get_returns_typed_content_for_every_kind() {
    let app = spawn().await;
    let image = app.write("halves.png", &png(32, 16, [255, 0, 0], [0, 255, 0]));
    let document = app.write("page.pdf", &pdf());
    let video = mp4(app.dir.path());
    let audio = mp3(app.dir.path());
    let values = [0.5f32, -1.0, 2.25, 3.0, 4.5, 6.0];
    let array = app.write("depth.npy", &npy(&[2, 3], &values));
    let recon_bytes = spz();
    let recon = app.write("scene.spz", &recon_bytes);
    let (session, refs) = app
        .session_with(&[&image, &document, &video, &audio, &array, &recon])
        .await;
    let prefixes: Vec<&str> = refs
        .iter()
        .map(|id| id.split('_').next().unwrap_or_default())
        .collect();
    assert_eq!(prefixes, ["img", "doc", "vid", "aud", "arr", "recon"]);
    let artifacts = app.client.artifacts();

    // img: decoded pixels, left red and right green as drawn.
    match artifacts.get(&session, &refs[0]).await.expect("image") {
        Artifact::Image(decoded) => {
            let rgb = decoded.to_rgb8();
            assert_eq!(rgb.dimensions(), (32, 16));
            assert_eq!(rgb.get_pixel(3, 8).0, [255, 0, 0]);
            assert_eq!(rgb.get_pixel(28, 8).0, [0, 255, 0]);
        }
        other => panic!("expected an image, got {other:?}"),
    }

    // doc, vid, aud, recon: files in the cache with the SDK's extensions.
    let cache = app.dir.path().join("cache").join(&session);
    for (index, extension, magic) in [
        (1, "pdf", b"%PDF-".as_slice()),
        (2, "mp4", b"".as_slice()),
        (3, "mp3", b"".as_slice()),
        (5, "spz", [0x1f, 0x8b].as_slice()),
    ] {
        let id = &refs[index];
        match artifacts.get(&session, id).await.expect("file artifact") {
            Artifact::File(path) => {
                assert_eq!(path, cache.join(format!("{id}.{extension}")));
                let written = std::fs::read(&path).expect("cached file");
                assert!(written.starts_with(magic), "{id} starts with its magic");
                let served = artifacts.get_bytes(&session, id).await.expect("bytes");
                assert_eq!(written, served.as_ref());
            }
            other => panic!("expected a file for {id}, got {other:?}"),
        }
    }
    let video_bytes = std::fs::read(cache.join(format!("{}.mp4", refs[2]))).expect("mp4");
    assert_eq!(&video_bytes[4..8], b"ftyp");
    let spz_written = std::fs::read(cache.join(format!("{}.spz", refs[5]))).expect("spz");
    assert_eq!(spz_written, recon_bytes);

    // arr: the array with its shape and values.
    match artifacts.get(&session, &refs[4]).await.expect("array") {
        Artifact::Array(array) => {
            assert_eq!(array.shape, [2, 3]);
            assert_eq!(array.dtype, "<f4");
            assert_eq!(array.to_f32().expect("floats"), values);
        }
        other => panic!("expected an array, got {other:?}"),
    }

    // A cached file is served again without asking the server: deleting the
    // artifact on the server does not break a later `get` of it.
    artifacts.delete(&session, &refs[1]).await.expect("delete");
    assert!(matches!(
        artifacts.get(&session, &refs[1]).await,
        Ok(Artifact::File(_))
    ));
    assert!(matches!(
        artifacts.get_bytes(&session, &refs[1]).await,
        Err(ClientError::NotFound(_))
    ));
}

#[tokio::test]
async fn save_list_and_delete() {
    let app = spawn().await;
    let image = app.write("photo.png", &png(10, 10, [1, 1, 1], [2, 2, 2]));
    let document = app.write("doc.pdf", &pdf());
    let (session, refs) = app.session_with(&[&image, &document]).await;
    let artifacts = app.client.artifacts();

    let listed = artifacts.list(&session).await.expect("list");
    assert_eq!(listed.namespace_id, session);
    let mut ids: Vec<&str> = listed
        .items
        .iter()
        .map(|item| item.object_id.as_str())
        .collect();
    ids.sort_unstable();
    let mut expected = [refs[0].as_str(), refs[1].as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let image_item = listed
        .items
        .iter()
        .find(|item| item.object_id == refs[0])
        .expect("the image is listed");
    assert_eq!(image_item.content_type, "image/png");
    assert_eq!(image_item.width, Some(10));

    let out = app.dir.path().join("out");
    let image_path = artifacts
        .save(&session, &refs[0], &out)
        .await
        .expect("save image");
    assert_eq!(image_path, out.join(format!("{}.png", refs[0])));
    assert_eq!(image::open(&image_path).expect("a PNG").width(), 10);
    let pdf_path = artifacts
        .save(&session, &refs[1], &out)
        .await
        .expect("save pdf");
    assert_eq!(pdf_path, out.join(format!("{}.pdf", refs[1])));

    artifacts.delete(&session, &refs[0]).await.expect("delete");
    let listed = artifacts.list(&session).await.expect("list");
    assert_eq!(listed.items.len(), 1);
    match artifacts.get(&session, &refs[0]).await {
        Err(ClientError::NotFound(error)) => assert_eq!(error.status, 404),
        other => panic!("expected 404, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_ids_are_refused_before_sending() {
    let app = spawn().await;
    for (session, object, param) in [
        ("", "img_a1b2c3", "session_id"),
        ("0123", "pic_a1b2c3", "object_id"),
        ("0123", "img_a1b2", "object_id"),
        ("../../etc", "img_a1b2c3", "session_id"),
    ] {
        match app.client.artifacts().get(session, object).await {
            Err(ClientError::InvalidArgument { param: named, .. }) => assert_eq!(named, param),
            other => panic!("{session}/{object}: expected InvalidArgument, got {other:?}"),
        }
    }
}
