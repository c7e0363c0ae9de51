/// Maps a WebSocket request's path and query to a chat room and a requested chat name.
public enum RoomPath {
    /// The room every client lands in when the path is just `/`.
    public static let defaultRoom = "lobby"
    /// Longest allowed room name, in bytes (all allowed characters are ASCII).
    public static let maxRoomNameLength = 64

    /// "/" → "lobby"; "/chat/NAME" and "/NAME" → NAME (percent-decoded). Allowed room names: 1...64 chars of
    /// [A-Za-z0-9._-]. Anything else (e.g. "/a/b/c", bad percent-encoding, too long) → nil, which the server
    /// answers with 404. "/echo" is routed by the server before calling this.
    public static func roomName(forPath path: String) -> String? {
        // Cheap bound first: "/chat/" plus a fully percent-encoded 64-byte name.
        guard path.utf8.count <= 6 + 3 * maxRoomNameLength else { return nil }
        if path == "/" { return defaultRoom }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        // A path starting with "/" splits into an empty first segment.
        guard segments.count >= 2, segments[0].isEmpty else { return nil }
        let encoded: Substring
        switch segments.count {
        case 2: encoded = segments[1]
        case 3 where segments[1] == "chat": encoded = segments[2]
        default: return nil
        }
        guard let bytes = PercentDecoding.decode(encoded.utf8, plusAsSpace: false, mode: .strict),
            isValidRoomName(bytes)
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `?name=` value from a raw query string (percent-decoded, '+' → space), nil when absent.
    /// The first `name` parameter wins; malformed escapes are kept literally (WHATWG form decoding).
    public static func requestedName(fromQuery query: String?) -> String? {
        queryValue("name", in: query)
    }

    /// The value of the first `key` parameter in a raw query string (key and value percent-decoded, '+' → space),
    /// "" for a parameter without `=`, nil when absent. Used for `name`, `since` and `epoch`.
    public static func queryValue(_ key: String, in query: String?) -> String? {
        guard let query else { return nil }
        for parameter in query.split(separator: "&") {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawKey = parts.first,
                let decodedKey = PercentDecoding.decode(rawKey.utf8, plusAsSpace: true, mode: .lenient),
                decodedKey.elementsEqual(key.utf8)
            else { continue }
            let rawValue = parts.count > 1 ? parts[1] : ""
            let value = PercentDecoding.decode(rawValue.utf8, plusAsSpace: true, mode: .lenient) ?? []
            return String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// True when `bytes` is 1...64 bytes of [A-Za-z0-9._-].
    static func isValidRoomName(_ bytes: [UInt8]) -> Bool {
        guard (1...maxRoomNameLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
