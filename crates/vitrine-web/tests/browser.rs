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
    let hits_before = hits.load(Ordering::SeqCst);
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

#[tokio::test]
async fn the_proxy_forwards_allowed_hosts_and_refuses_the_rest_without_connecting() {
    let (page, page_hits) = host("<p>ok</p>").await;
    let (victim, victim_hits) = host("secret").await;
    let resolver = StaticResolver::new()
        .with("pages.test", &["127.0.0.1".parse().expect("ip")])
        .with("metadata.test", &["169.254.169.254".parse().expect("ip")]);
    let guard = Guard::new(Arc::new(resolver), HashSet::from(["pages.test".to_owned()]));
    let proxy = vitrine_web::Proxy::start(guard).await.expect("proxy");

    // Raw proxy requests, as Chromium sends them: absolute-form GET and CONNECT.
    async fn ask(proxy: SocketAddr, request: String) -> String {
        let mut stream = tokio::net::TcpStream::connect(proxy)
            .await
            .expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut answer = vec![0u8; 4096];
        let read = stream.read(&mut answer).await.expect("read");
        String::from_utf8_lossy(&answer[..read]).into_owned()
    }
    let allowed = ask(
        proxy.address(),
        format!(
            "GET http://pages.test:{}/ HTTP/1.1\r\nHost: pages.test\r\n\r\n",
            page.port()
        ),
    )
    .await;
    assert!(allowed.starts_with("HTTP/1.1 200"), "{allowed}");
    assert!(allowed.contains("<p>ok</p>"), "{allowed}");
    assert_eq!(page_hits.load(Ordering::SeqCst), 1);

    for request in [
        format!(
            "GET http://127.0.0.1:{0}/ HTTP/1.1\r\nHost: 127.0.0.1:{0}\r\n\r\n",
            victim.port()
        ),
        format!(
            "CONNECT 127.0.0.1:{0} HTTP/1.1\r\nHost: 127.0.0.1:{0}\r\n\r\n",
            victim.port()
        ),
        format!(
            "CONNECT [::ffff:127.0.0.1]:{0} HTTP/1.1\r\nHost: x\r\n\r\n",
            victim.port()
        ),
        "GET http://metadata.test/latest/meta-data/ HTTP/1.1\r\nHost: metadata.test\r\n\r\n"
            .to_owned(),
        "CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
    ] {
        let answer = ask(proxy.address(), request.clone()).await;
        assert!(answer.starts_with("HTTP/1.1 403"), "{request}: {answer}");
    }
    assert_eq!(victim_hits.load(Ordering::SeqCst), 0);
    assert_eq!(proxy.stats().refused(), 5);
    assert_eq!(proxy.stats().allowed(), 1);
}
