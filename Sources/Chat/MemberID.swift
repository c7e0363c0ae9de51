/// Identifies one connected chat member; the server assigns it (typically from a connection counter).
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
