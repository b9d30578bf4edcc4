//! Recently read small artifacts, kept in memory for the download path.
//!
//! A hit answers `GET /v1/artifacts` with no index transaction, no hop to the blocking pool
//! and no copy of the bytes (the body is the cached `Bytes`). The checks stay those of the
//! index: an entry is used only for its own tenant while its artifact and session are live
//! by the clock; anything else (another tenant, an apparent expiry, a miss) goes to the
//! index, whose answer is the truth. Deletes remove their entries once committed, and a
//! generation number keeps a read that started before a delete from putting the old record
//! back. Only this process writes the embedded store, so nothing else can change it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

use crate::ArtifactMeta;

/// Bytes of artifacts kept; first in, first out beyond it.
pub(super) const HOT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug)]
struct Entry {
    session_expires_at: u64,
    meta: Arc<ArtifactMeta>,
    bytes: Bytes,
}

#[derive(Debug, Default)]
struct Entries {
    /// Keyed `<session>/<artifact>`, like the index.
    map: HashMap<String, Entry>,
    order: VecDeque<String>,
    bytes: usize,
    /// Bumped by every invalidation.
    generation: u64,
}

/// The cache; see the module docs.
#[derive(Debug)]
pub(super) struct HotArtifacts {
    entries: Mutex<Entries>,
    budget: usize,
}

impl HotArtifacts {
    pub(super) fn new(budget: usize) -> Self {
        HotArtifacts {
            entries: Mutex::new(Entries::default()),
            budget,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The artifact under `key` if `tenant` owns it and it and its session are live at `now`.
    pub(super) fn get(
        &self,
        key: &str,
        tenant: &str,
        now: u64,
    ) -> Option<(Arc<ArtifactMeta>, Bytes)> {
        let entries = self.lock();
        let entry = entries.map.get(key)?;
        (entry.meta.tenant == tenant
            && entry.session_expires_at > now
            && entry.meta.expires_at > now)
            .then(|| (Arc::clone(&entry.meta), entry.bytes.clone()))
    }

    /// The generation to hand back to [`insert`](Self::insert) after reading the index.
    pub(super) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Keeps what a read of the index found, unless something was invalidated since
    /// `generation` was taken (the read may predate a delete).
    pub(super) fn insert(
        &self,
        generation: u64,
        key: String,
        session_expires_at: u64,
        meta: Arc<ArtifactMeta>,
        bytes: Bytes,
    ) {
        if bytes.len() > self.budget {
            return;
        }
        let mut entries = self.lock();
        if entries.generation != generation {
            return;
        }
        entries.bytes += bytes.len();
        let entry = Entry {
            session_expires_at,
            meta,
            bytes,
        };
        match entries.map.insert(key.clone(), entry) {
            Some(old) => entries.bytes -= old.bytes.len(),
            None => entries.order.push_back(key),
        }
        while entries.bytes > self.budget {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            if let Some(old) = entries.map.remove(&oldest) {
                entries.bytes -= old.bytes.len();
            }
        }
    }

    /// Drops the entries whose keys `stale` picks (one artifact, or a session's).
    pub(super) fn invalidate(&self, stale: impl Fn(&str) -> bool) {
        let mut entries = self.lock();
        entries.generation += 1;
        let mut freed = 0;
        entries.map.retain(|key, entry| {
            let keep = !stale(key);
            if !keep {
                freed += entry.bytes.len();
            }
            keep
        });
        entries.bytes -= freed;
        let Entries { map, order, .. } = &mut *entries;
        order.retain(|key| map.contains_key(key));
    }

    /// Drops everything (after a sweep changed the index).
    pub(super) fn clear(&self) {
        let mut entries = self.lock();
        entries.generation += 1;
        entries.map.clear();
        entries.order.clear();
        entries.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MediaInfo, Provenance};

    fn meta(tenant: &str, expires_at: u64) -> Arc<ArtifactMeta> {
        Arc::new(ArtifactMeta {
            id: vitrine_wire::ArtifactId::generate(vitrine_wire::ArtifactKind::Image),
            session_id: vitrine_wire::SessionId::generate(),
            tenant: tenant.into(),
            kind: vitrine_wire::ArtifactKind::Image,
            content_type: "image/png".into(),
            size: 4,
            sha256: String::new(),
            created_at: 0,
            expires_at,
            media: MediaInfo::default(),
            provenance: Provenance::default(),
            filename: None,
        })
    }

    #[test]
    fn entries_answer_only_their_tenant_while_live() {
        let hot = HotArtifacts::new(1024);
        let generation = hot.generation();
        hot.insert(
            generation,
            "s/a".into(),
            100,
            meta("acme", 50),
            Bytes::from_static(b"abcd"),
        );
        assert!(hot.get("s/a", "acme", 10).is_some());
        assert!(hot.get("s/a", "globex", 10).is_none(), "another tenant");
        assert!(hot.get("s/a", "acme", 50).is_none(), "artifact expired");
        hot.invalidate(|key| key.starts_with("s/"));
        assert!(hot.get("s/a", "acme", 10).is_none(), "invalidated");
    }

    #[test]
    fn a_read_older_than_an_invalidation_is_not_kept() {
        let hot = HotArtifacts::new(1024);
        let before = hot.generation();
        hot.invalidate(|key| key == "s/a");
        hot.insert(before, "s/a".into(), 100, meta("acme", 50), Bytes::new());
        assert!(hot.get("s/a", "acme", 10).is_none());
    }

    #[test]
    fn the_budget_evicts_the_oldest() {
        let hot = HotArtifacts::new(80);
        for name in ["a", "b", "c"] {
            let generation = hot.generation();
            hot.insert(
                generation,
                name.into(),
                100,
                meta("acme", 50),
                Bytes::from(vec![0; 10]),
            );
        }
        let generation = hot.generation();
        hot.insert(
            generation,
            "d".into(),
            100,
            meta("acme", 50),
            Bytes::from(vec![0; 65]),
        );
        assert!(hot.get("a", "acme", 1).is_none());
        assert!(hot.get("b", "acme", 1).is_none());
        assert!(hot.get("c", "acme", 1).is_some());
        assert!(hot.get("d", "acme", 1).is_some());
    }
}
