/// Recognises chatd.v1's `history` event in a text frame and counts the messages it carries, without a JSON
/// parser: chatd writes `type` first, and inside a JSON string a `"` is always escaped, so the byte sequence
/// `{"type":"message"` can only start a message object.
enum HistoryEvent {
    private static let prefix = Array(#"{"type":"history""#.utf8)
    private static let messageMarker = Array(#"{"type":"message""#.utf8)

    /// True when `payload` is a `history` event.
    static func isHistory(_ payload: UnsafeRawBufferPointer) -> Bool {
        payload.count >= prefix.count && prefix.indices.allSatisfy { payload[$0] == prefix[$0] }
    }

    /// The number of message objects in a `history` event.
    static func messageCount(_ payload: UnsafeRawBufferPointer) -> Int {
        let marker = messageMarker
        var count = 0
        var index = 0
        let last = payload.count - marker.count
        while index <= last {
            if payload[index] == marker[0] && marker.indices.allSatisfy({ payload[index + $0] == marker[$0] }) {
                count += 1
                index += marker.count
            } else {
                index += 1
            }
        }
        return count
    }
}
