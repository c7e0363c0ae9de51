import Logging

/// Pure mapping from a log event to journal fields (`NAME=value`), kept apart from the C call so it is testable.
enum JournalFields {
    /// Value of `SYSLOG_IDENTIFIER`, what `journalctl -t chatd` filters on.
    static let syslogIdentifier = "chatd"
    /// Prefix for metadata fields, so ours never clash with journald's own fields.
    static let metadataPrefix = "CHATD_"
    /// The metadata key written as journald's own `MESSAGE_ID` field instead of a `CHATD_` field.
    static let messageIDKey = "message_id"
    /// journald ignores field names longer than this.
    static let maxFieldNameLength = 64

    /// syslog priority for a swift-log level (trace and debug both map to debug).
    static func priority(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `CHATD_` + the key upper-cased, with every character outside `[A-Z0-9_]` replaced by `_`.
    static func fieldName(forMetadataKey key: String) -> String {
        if key == messageIDKey { return "MESSAGE_ID" }
        var name = metadataPrefix
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32) ?? "_")
            case "A"..."Z", "0"..."9", "_": name.unicodeScalars.append(scalar)
            default: name.unicodeScalars.append("_")
            }
        }
        return String(name.prefix(maxFieldNameLength))
    }

    /// All fields for one event, metadata sorted by key so the order is stable.
    static func fields(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        file: String,
        function: String,
        line: UInt
    ) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(priority(for: level))),
            ("SYSLOG_IDENTIFIER", syslogIdentifier),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            fields.append((fieldName(forMetadataKey: key), "\(value)"))
        }
        return fields
    }
}
