/// Identifies one connected chat member. The chat layer treats it as opaque; the server chooses the number, and
/// chatd passes the raw value of the member's connection id (descriptor slot and generation), so finding the
/// connection that a chat action names is one array lookup and a stale id never reaches a newer connection.
public struct MemberID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The server-chosen number behind this identifier.
    public let rawValue: UInt64

    /// Wraps a server-chosen number as a member identifier.
    public init(_ raw: UInt64) {
        self.rawValue = raw
    }

    /// Orders identifiers by their raw value so tests and logs can sort them.
    public static func < (lhs: MemberID, rhs: MemberID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// `#42`-style rendering for logs.
    public var description: String { "#\(rawValue)" }
}
