//! The floor for `bench/artifacts-get`: a bare hyper server that answers every `GET` with one
//! file read from disk per request (no routing, auth, store or headers beyond the length), on
//! the same accept loop settings as `vitrine serve` (hyper-util's auto builder, HTTP/1 with
//! Title-Case headers). What Vitrine's artifact GET costs above this is its own work.
//!
//! usage: `bare_file_server FILE PORT`

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(port)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_file_server FILE PORT");
        std::process::exit(2);
    };
    let file = Arc::new(PathBuf::from(file));
    let port: u16 = port.parse().map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().title_case_headers(true);
    let builder = Arc::new(builder);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let file = Arc::clone(&file);
        let builder = Arc::clone(&builder);
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |_request: Request<hyper::body::Incoming>| {
                    let file = Arc::clone(&file);
                    async move {
                        let bytes = tokio::fs::read(file.as_path()).await?;
                        Response::builder()
                            .header("Content-Type", "image/jpeg")
                            .body(Body::from(bytes))
                            .map_err(std::io::Error::other)
                    }
                });
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
