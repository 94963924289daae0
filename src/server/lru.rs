//! A least-recently-used map bounded by bytes and by entries, charged per entry
//! by the caller: the one eviction policy of the mesh cache, the recipe book and
//! the export directory's index.
//!
//! Invariants: after every [`ByteLru::insert`] the charged bytes and the entry
//! count are within their bounds, except for the entry just inserted, which is
//! never evicted by its own insert (a caller that is about to use it must still
//! find it); a single entry over the whole byte budget is refused instead. What
//! is evicted is handed back, so the export index can delete the files.

/// The map. Not synchronised: owners wrap it in a `Mutex` held only for map
/// operations.
pub struct ByteLru<V> {
    map: lru::LruCache<String, (V, u64)>,
    bytes: u64,
    max_bytes: u64,
    max_len: usize,
}

impl<V> ByteLru<V> {
    /// An empty map holding at most `max_bytes` (as charged) in `max_len` entries.
    pub fn new(max_bytes: u64, max_len: usize) -> Self {
        Self {
            map: lru::LruCache::unbounded(),
            bytes: 0,
            max_bytes,
            max_len: max_len.max(1),
        }
    }

    /// The value under `key`, marking it recently used.
    pub fn get(&mut self, key: &str) -> Option<&V> {
        self.map.get(key).map(|(v, _)| v)
    }

    /// Whether `key` is present, without marking it used.
    pub fn contains(&self, key: &str) -> bool {
        self.map.contains(key)
    }

    /// Inserts (or replaces) `key` charged `size` bytes and returns what was
    /// evicted to stay in bounds, least recently used first. An entry larger
    /// than the whole budget is not kept: it comes back as the only eviction.
    pub fn insert(&mut self, key: String, value: V, size: u64) -> Vec<(String, V)> {
        if size > self.max_bytes {
            let mut out = Vec::new();
            if let Some((old, old_size)) = self.map.pop(&key) {
                self.bytes -= old_size;
                out.push((key.clone(), old));
            }
            out.push((key, value));
            return out;
        }
        let mut evicted = Vec::new();
        if let Some((_, (old, old_size))) = self.map.push(key.clone(), (value, size)) {
            // `push` hands back the replaced value under the same key.
            self.bytes -= old_size;
            evicted.push((key.clone(), old));
        }
        self.bytes += size;
        while self.bytes > self.max_bytes || self.map.len() > self.max_len {
            // The newest entry is at the front; stop before reaching it.
            match self.map.peek_lru() {
                Some((k, _)) if *k != key => {}
                _ => break,
            }
            if let Some((k, (v, s))) = self.map.pop_lru() {
                self.bytes -= s;
                evicted.push((k, v));
            }
        }
        evicted
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let (v, s) = self.map.pop(key)?;
        self.bytes -= s;
        Some(v)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Bytes charged to the entries.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The byte budget.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_used_within_bytes_and_entries() {
        let mut m = ByteLru::new(10, 3);
        assert!(m.insert("a".into(), 1, 4).is_empty());
        assert!(m.insert("b".into(), 2, 4).is_empty());
        m.get("a"); // b is now the least recently used
        let out = m.insert("c".into(), 3, 4);
        assert_eq!(out, vec![("b".to_string(), 2)]);
        assert_eq!(m.bytes(), 8);
        assert!(m.insert("d".into(), 4, 1).is_empty());
        let out = m.insert("e".into(), 5, 1);
        assert_eq!(out, vec![("a".to_string(), 1)], "at most 3 entries");
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn replacing_a_key_recharges_it_and_oversize_is_refused() {
        let mut m = ByteLru::new(10, 100);
        m.insert("a".into(), 1, 6);
        let out = m.insert("a".into(), 2, 3);
        assert_eq!(out, vec![("a".to_string(), 1)]);
        assert_eq!(m.bytes(), 3);
        let out = m.insert("big".into(), 9, 11);
        assert_eq!(out, vec![("big".to_string(), 9)]);
        assert!(!m.contains("big"));
        assert_eq!(m.remove("a"), Some(2));
        assert!(m.is_empty() && m.bytes() == 0);
    }

    #[test]
    fn the_entry_just_inserted_is_never_its_own_victim() {
        let mut m = ByteLru::new(10, 1);
        m.insert("a".into(), 1, 2);
        let out = m.insert("b".into(), 2, 10);
        assert_eq!(out, vec![("a".to_string(), 1)]);
        assert_eq!(m.get("b"), Some(&2));
    }
}
