/// The tables and keys a config file may contain and the accepted range of every number.
/// Anything not listed here is rejected, so a typo never silently falls back to a default.
enum ConfigSchema {
    /// Known keys per table, in the order they appear in `config/chatd.toml`.
    static let keysByTable: [(table: String, keys: [String])] = [
        ("server", ["listen"]),
        (
            "limits",
            [
                "max_message_bytes", "max_header_bytes", "max_header_count", "max_connections",
                "max_outbound_bytes", "soft_outbound_bytes", "soft_outbound_seconds", "max_buffered_input_bytes",
                "max_name_length", "max_rooms", "max_members_per_room",
            ]
        ),
        ("timeouts", ["handshake_seconds", "idle_seconds", "pong_seconds", "close_seconds", "shutdown_drain_seconds"]),
        ("chat", ["history_size", "max_text_bytes", "rate_per_second", "rate_burst"]),
        ("http", ["allowed_origins"]),
        ("log", ["level"]),
        ("history", ["store", "path", "sync", "keep_messages", "keep_days"]),
    ]

    /// All known table names.
    static var tableNames: [String] { keysByTable.map(\.table) }

    /// The known keys of `table`, or nil when the table is unknown.
    static func keys(of table: String) -> [String]? {
        keysByTable.first { $0.table == table }?.keys
    }

    /// The table that defines `key`, used to hint when a key was put in the wrong place.
    static func table(defining key: String) -> String? {
        keysByTable.first { $0.keys.contains(key) }?.table
    }

    /// `[limits] max_message_bytes`: bytes of one WebSocket message (up to 2 GiB).
    static let maxMessageBytes: ClosedRange<Int> = 1...(1 << 31)
    /// `[limits] max_header_bytes`: must at least hold a plausible request line.
    static let maxHeaderBytes: ClosedRange<Int> = 256...(1 << 20)
    /// `[limits] max_header_count`.
    static let maxHeaderCount: ClosedRange<Int> = 1...1024
    /// `[limits] max_connections`: bounded by what one epoll thread can sensibly hold.
    static let maxConnections: ClosedRange<Int> = 1...1_000_000
    /// `[limits] max_outbound_bytes`: per-connection send queue, 1 KiB to 16 GiB.
    static let maxOutboundBytes: ClosedRange<Int> = 1024...(1 << 34)
    /// `[limits] soft_outbound_bytes`: per-connection queue that may be exceeded only briefly (0 to 16 GiB).
    static let softOutboundBytes: ClosedRange<Int> = 0...(1 << 34)
    /// `[limits] max_buffered_input_bytes`: partly received messages of all connections together, 64 KiB to 64 GiB.
    static let maxBufferedInputBytes: ClosedRange<Int> = (64 << 10)...(1 << 36)
    /// `[limits] max_name_length`, in characters.
    static let maxNameLength: ClosedRange<Int> = 1...256
    /// `[limits] max_rooms`.
    static let maxRooms: ClosedRange<Int> = 1...1_000_000
    /// `[limits] max_members_per_room`.
    static let maxMembersPerRoom: ClosedRange<Int> = 1...1_000_000
    /// `[chat] history_size`: 0 turns history (and resume) off.
    static let historySize: ClosedRange<Int> = 0...100_000
    /// `[chat] max_text_bytes`.
    static let maxTextBytes: ClosedRange<Int> = 1...(1 << 20)
    /// `[chat] rate_per_second`: refill rate of the per-connection token bucket.
    static let ratePerSecond: ClosedRange<Double> = 0.01...100_000
    /// `[chat] rate_burst`: capacity of the per-connection token bucket.
    static let rateBurst: ClosedRange<Int> = 1...100_000
    /// `[history] keep_messages`: messages the store keeps per room.
    static let keepMessages: ClosedRange<Int> = 1...10_000_000
    /// `[history] keep_days`: 0 keeps messages regardless of age; at most about a century.
    static let keepDays: ClosedRange<Int> = 0...36_500
    /// Upper bound of every `[timeouts]` value, in seconds (one day), so milliseconds never overflow.
    static let maxTimeoutSeconds: Double = 86_400
}

/// Finds the known name closest to a misspelt one, for "did you mean" hints.
enum NameSuggestion {
    /// The candidate within a small edit distance of `name` (or sharing a long prefix), if any.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        if let exactIgnoringCase = candidates.first(where: { $0 == lowered }) { return exactIgnoringCase }
        let allowed = max(1, min(3, lowered.count / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(lowered.utf8), Array(candidate.utf8))
            if distance <= allowed, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        if let best { return best.name }
        if lowered.count >= 3 {
            return candidates.first { $0.hasPrefix(lowered) || lowered.hasPrefix($0) }
        }
        return nil
    }

    /// Levenshtein distance; inputs are short config names so the quadratic cost is irrelevant.
    static func editDistance(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        var previous = Array(0...rhs.count)
        var current = [Int](repeating: 0, count: rhs.count + 1)
        for (i, left) in lhs.enumerated() {
            current[0] = i + 1
            for (j, right) in rhs.enumerated() {
                let substitution = previous[j] + (left == right ? 0 : 1)
                current[j + 1] = min(substitution, previous[j + 1] + 1, current[j] + 1)
            }
            swap(&previous, &current)
        }
        return previous[rhs.count]
    }
}
