/// Turns a `chatd.v1` client frame into a `ClientRequest` or the documented error for it.
enum JSONRequestDecoder {
    /// Longest excerpt of an unknown `type` value echoed back in the error text.
    static let maxEchoedTypeLength = 32

    /// Decodes `{"type":"message","text":...}`, `{"type":"rename","name":...}`, `{"type":"who"}` and
    /// `{"type":"ping"}`; unknown keys are ignored. A message may carry `"action":true` for an emote.
    static func decode(_ text: String) -> Result<ClientRequest, ChatError> {
        guard let object = JSONObjectParser.parseObject(text) else {
            return .failure(ChatError(.badJSON, "expected one JSON object"))
        }
        let type: String
        switch stringField("type", in: object) {
        case .success(let value): type = value
        case .failure(let error): return .failure(error)
        }
        switch type {
        case "message":
            return stringField("text", in: object).flatMap { text in
                boolField("action", in: object).map { .message(text: text, isAction: $0) }
            }
        case "rename":
            return stringField("name", in: object).map { .rename($0) }
        case "who":
            return .success(.who)
        case "ping":
            return .success(.ping)
        default:
            let shown = String(type.prefix(maxEchoedTypeLength))
            return .failure(ChatError(.unknownType, "unknown message type \"\(shown)\""))
        }
    }

    /// A required string field: `missing_field` when absent, `bad_json` when not a string.
    private static func stringField(_ key: String, in object: [String: JSONValue]) -> Result<String, ChatError> {
        switch object[key] {
        case .none: return .failure(ChatError(.missingField, "missing field \"\(key)\""))
        case .string(let value): return .success(value)
        case .some: return .failure(ChatError(.badJSON, "field \"\(key)\" must be a string"))
        }
    }

    /// An optional boolean field (absent or null → false): `bad_json` when of another type.
    private static func boolField(_ key: String, in object: [String: JSONValue]) -> Result<Bool, ChatError> {
        switch object[key] {
        case .none, .null: return .success(false)
        case .bool(let value): return .success(value)
        case .some: return .failure(ChatError(.badJSON, "field \"\(key)\" must be a boolean"))
        }
    }
}
