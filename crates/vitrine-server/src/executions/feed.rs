//! Live progress of running executions, for `GET …/events`.
//!
//! Each execution that someone runs or watches has a feed: the events so far
//! (so a late subscriber misses nothing) and a broadcast channel for the rest.
//! Both sit under one lock, so subscribing sees every event exactly once. The
//! feed lives only in memory; once an execution is final, its events are in
//! the stored outcome.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;
use tokio::sync::broadcast;

/// Events kept per execution for late subscribers.
const MAX_PAST: usize = 1000;

#[derive(Default)]
pub(crate) struct Feeds {
    // A std mutex: held for a push or a clone, never across an await.
    inner: Mutex<HashMap<String, Feed>>,
}

struct Feed {
    past: Vec<Value>,
    sender: broadcast::Sender<Value>,
}

impl Feed {
    fn new() -> Self {
        Feed {
            past: Vec::new(),
            sender: broadcast::channel(256).0,
        }
    }
}

impl Feeds {
    /// Adds an event to the execution's feed.
    pub(crate) fn publish(&self, id: &str, event: Value) {
        let mut feeds = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let feed = feeds.entry(id.to_owned()).or_insert_with(Feed::new);
        if feed.past.len() < MAX_PAST {
            feed.past.push(event.clone());
        }
        let _ = feed.sender.send(event);
    }

    /// The events so far and a receiver for the rest.
    pub(crate) fn subscribe(&self, id: &str) -> (Vec<Value>, broadcast::Receiver<Value>) {
        let mut feeds = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let feed = feeds.entry(id.to_owned()).or_insert_with(Feed::new);
        (feed.past.clone(), feed.sender.subscribe())
    }

    /// Forgets a feed that a watcher created but no run has written to: what
    /// watching a missing, foreign or already final execution leaves behind.
    pub(crate) fn close_if_idle(&self, id: &str) {
        let mut feeds = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if feeds.get(id).is_some_and(|feed| feed.past.is_empty()) {
            feeds.remove(id);
        }
    }

    /// Forgets a feed whose execution is final.
    pub(crate) fn close(&self, id: &str) {
        let mut feeds = self
            .inner
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        feeds.remove(id);
    }
}
