//! A minimal DevTools protocol client over `--remote-debugging-pipe`.
//!
//! The pipe (fd 3 into Chromium, fd 4 out of it, NUL-terminated JSON) needs no
//! debugging port, so no other local process can drive the browser, and no
//! WebSocket client. Commands carry an id and wait for the answer with that id;
//! everything else is an event, broadcast to whoever waits for one.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{Mutex, broadcast, oneshot};

use crate::error::WebError;

/// Largest message read from the browser (screenshots travel as base64 inside one).
const MAX_MESSAGE: usize = 256 << 20;

/// An event from the browser.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) method: String,
    pub(crate) session: Option<String>,
}

type Pending = Arc<std::sync::Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

/// One browser connection.
pub(crate) struct Cdp {
    writer: Mutex<Box<dyn AsyncWrite + Send + Unpin>>,
    pending: Pending,
    next_id: AtomicU64,
    events: broadcast::Sender<Event>,
    reader: tokio::task::JoinHandle<()>,
}

impl Cdp {
    /// Speaks over `writer` (the browser's fd 3) and `reader` (its fd 4).
    pub(crate) fn new(
        writer: impl AsyncWrite + Send + Unpin + 'static,
        reader: impl AsyncRead + Send + Unpin + 'static,
    ) -> Cdp {
        let pending: Pending = Arc::default();
        let (events, _) = broadcast::channel(1024);
        let reader = tokio::spawn(read_loop(
            BufReader::new(reader),
            Arc::clone(&pending),
            events.clone(),
        ));
        Cdp {
            writer: Mutex::new(Box::new(writer)),
            pending,
            next_id: AtomicU64::new(1),
            events,
            reader,
        }
    }

    /// Whether the browser end is still open.
    pub(crate) fn is_open(&self) -> bool {
        !self.reader.is_finished()
    }

    /// Events from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Sends `method` (to `session`, or the browser) and waits for its result.
    pub(crate) async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, WebError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::from(session);
        }
        let (sender, receiver) = oneshot::channel();
        self.pending
            .lock()
            .map_err(|_| WebError::BrowserGone)?
            .insert(id, sender);
        let mut bytes = serde_json::to_vec(&message).map_err(|_| WebError::BrowserGone)?;
        bytes.push(0);
        {
            let mut writer = self.writer.lock().await;
            writer
                .write_all(&bytes)
                .await
                .map_err(|_| WebError::BrowserGone)?;
            writer.flush().await.map_err(|_| WebError::BrowserGone)?;
        }
        match receiver.await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(message)) => Err(WebError::Protocol {
                method: method.to_owned(),
                message,
            }),
            Err(_) => Err(WebError::BrowserGone),
        }
    }
}

impl Drop for Cdp {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

async fn read_loop(
    mut reader: BufReader<impl AsyncRead + Unpin>,
    pending: Pending,
    events: broadcast::Sender<Event>,
) {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        // A bounded read: a message larger than MAX_MESSAGE ends the connection.
        let read = AsyncReadExt::take(&mut reader, MAX_MESSAGE as u64)
            .read_until(0, &mut buffer)
            .await;
        match read {
            Ok(0) | Err(_) => break,
            Ok(_) if buffer.last() != Some(&0) => break,
            Ok(_) => {}
        }
        buffer.pop();
        let Ok(message) = serde_json::from_slice::<Value>(&buffer) else {
            continue;
        };
        if let Some(id) = message.get("id").and_then(Value::as_u64) {
            let sender = pending.lock().ok().and_then(|mut map| map.remove(&id));
            if let Some(sender) = sender {
                let answer = match message.get("error") {
                    Some(error) => Err(error
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown error")
                        .to_owned()),
                    None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
                };
                let _ = sender.send(answer);
            }
        } else if let Some(method) = message.get("method").and_then(Value::as_str) {
            let _ = events.send(Event {
                method: method.to_owned(),
                session: message
                    .get("sessionId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
    }
    // Waiters learn the browser is gone when their senders drop.
    if let Ok(mut map) = pending.lock() {
        map.clear();
    }
}
