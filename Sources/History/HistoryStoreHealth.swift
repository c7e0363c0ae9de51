/// Whether the store is keeping up: `degraded` while writes fail (disk full, I/O error). Chat continues either
/// way; `STATUS=` and `/healthz` report it.
public enum HistoryStoreHealth: Sendable, Equatable {
    /// Every batch so far was stored.
    case healthy
    /// The latest batch could not be stored, for this reason; writes are retried with the next batch.
    case degraded(reason: String)
}
