/// The stable, documented error codes sent in `error` events (JSON) and `! code: ...` lines (plain text).
public enum ChatErrorCode: String, Sendable, Equatable, CaseIterable {
    /// Not one JSON object, invalid JSON, or a field of the wrong type.
    case badJSON = "bad_json"
    /// A JSON message whose `type` is not one the server knows.
    case unknownType = "unknown_type"
    /// A JSON message without a required field (`type`, `text`, `name`).
    case missingField = "missing_field"
    /// A chat text that is empty or only whitespace.
    case emptyText = "empty_text"
    /// A chat text longer than `max_text_bytes` UTF-8 bytes.
    case textTooLong = "text_too_long"
    /// A rename to a name that is empty after sanitising or longer than `max_name_length`.
    case invalidName = "invalid_name"
    /// A rename to a name another member of the room uses (case-insensitive, NFKC).
    case nameTaken = "name_taken"
    /// The member's token bucket is empty.
    case rateLimited = "rate_limited"
    /// A binary frame on a chat connection.
    case binaryUnsupported = "binary_unsupported"
}
