/// An ordered HTTP header list with case-insensitive lookup, as received (duplicates kept).
public struct HTTPHeaders: Sendable, Equatable {
    /// The headers in wire order, names as sent.
    public var entries: [(name: String, value: String)]

    /// Creates a header list, mainly for tests and for building requests by hand.
    public init(_ entries: [(name: String, value: String)] = []) {
        self.entries = entries
    }

    /// The first value of the header `name` (case-insensitive), or nil when absent.
    public subscript(_ name: String) -> String? {
        for entry in entries where ASCII.equalsIgnoringCase(entry.name, name) {
            return entry.value
        }
        return nil
    }

    /// Every value of the header `name`, in order.
    public func values(_ name: String) -> [String] {
        entries.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// All values of `name` split at commas, trimmed and lowercased, empties dropped: for token lists such as
    /// `Connection: keep-alive, Upgrade`.
    public func tokens(_ name: String) -> [String] {
        rawTokens(name).map { ASCII.lowercased($0) }
    }

    /// Like `tokens` but keeps the original case (subprotocol names are case-sensitive).
    public func rawTokens(_ name: String) -> [String] {
        values(name).flatMap { Self.listItems($0).map(String.init) }
    }

    /// One header value split at commas and trimmed, empty items dropped: the list rule every token lookup uses.
    private static func listItems(_ value: String) -> [Substring] {
        value.split(separator: ",", omittingEmptySubsequences: true).map { ASCII.trimmingWhitespace($0) }.filter {
            !$0.isEmpty
        }
    }

    /// Whether some value of `name`, split at commas and trimmed, equals `token` ignoring ASCII case; like
    /// `tokens(name).contains(token)` for a lowercase `token`, without building the list.
    public func containsToken(_ name: String, _ token: String) -> Bool {
        for entry in entries where ASCII.equalsIgnoringCase(entry.name, name) {
            if let found = ASCII.asciiListContainsToken(entry.value, token) {
                if found { return true }
                continue
            }
            // Non-ASCII value: split at Character commas exactly like `rawTokens` (a comma followed by a combining
            // mark is not a separator there).
            if Self.listItems(entry.value).contains(where: { ASCII.equalsIgnoringCase(String($0), token) }) {
                return true
            }
        }
        return false
    }

    /// The value of `name` when the header occurs exactly once, else nil (absent or repeated).
    public func onlyValue(_ name: String) -> String? {
        var found: String?
        for entry in entries where ASCII.equalsIgnoringCase(entry.name, name) {
            guard found == nil else { return nil }
            found = entry.value
        }
        return found
    }

    /// Whether at least one header called `name` is present.
    public func contains(_ name: String) -> Bool {
        entries.contains { ASCII.equalsIgnoringCase($0.name, name) }
    }

    /// Appends a header, keeping wire order.
    public mutating func add(name: String, value: String) {
        entries.append((name: name, value: value))
    }

    /// Equality by exact names and values in order (tuples are not Equatable by themselves).
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
