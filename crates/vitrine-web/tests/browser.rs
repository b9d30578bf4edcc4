//! The browser against a page host on 127.0.0.1: captures work, and the proxy refuses
//! what the guard refuses.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vitrine_web::{Browser, BrowserConfig, Guard, StaticResolver, Viewport};

/// A one-page HTTP host answering every request with `body`, counting requests.
async fn host(body: &'static str) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = stream.read(&mut buffer).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    (address, hits)
}

fn browser_allowing(allow: &[&str]) -> Browser {
    let guard = Guard::new(
        Arc::new(StaticResolver::new()),
        allow
            .iter()
            .map(|host| (*host).to_owned())
            .collect::<HashSet<_>>(),
    );
    Browser::new(BrowserConfig::default(), guard)
}

#[tokio::test]
async fn a_screenshot_has_the_viewport_width_and_an_unlisted_loopback_page_is_refused() {
    let (page, hits) =
        host(r#"<html><body style="margin:0;background:#ff0000"><title>Red</title></body></html>"#)
            .await;
    let browser = browser_allowing(&["127.0.0.1"]);
    let viewport = Viewport {
        width: 300,
        height: 200,
        scale: 1.0,
        mobile: false,
    };
    let shot = browser
        .screenshot(
            &format!("http://127.0.0.1:{}/", page.port()),
            viewport,
            false,
        )
        .await
        .expect("screenshot");
    assert_eq!(&shot.png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        u32::from_be_bytes(shot.png[16..20].try_into().expect("width")),
        300
    );
    assert_eq!(shot.page.title, "Red");
    assert!(hits.load(Ordering::SeqCst) >= 1);

    let closed = browser_allowing(&[]);
    let (_, hits_before) = (page, hits.load(Ordering::SeqCst));
    let refused = closed
        .screenshot(
            &format!("http://127.0.0.1:{}/", page.port()),
            viewport,
            false,
        )
        .await;
    assert!(refused.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), hits_before);
}
