/// Bounds that keep one chat service from growing without limit; a config reload may replace them.
public struct ChatLimits: Sendable, Equatable {
    /// Longest chat name in Characters (grapheme clusters) after sanitising.
    public var maxNameLength: Int
    /// Most rooms that may exist at once (empty rooms kept for their history included).
    public var maxRooms: Int
    /// Most members one room may hold; joining a full room is refused.
    public var maxMembersPerRoom: Int
    /// Longest chat text in UTF-8 bytes; longer texts are refused with `text_too_long`.
    public var maxTextBytes: Int
    /// How many recent messages each room keeps for joiners and reconnects.
    public var historySize: Int
    /// Token-bucket refill rate: messages per second a member may send in the long run.
    public var ratePerSecond: Double
    /// Token-bucket capacity: how many messages a member may send in a burst.
    public var rateBurst: Int

    /// The largest WebSocket message a chat member can usefully send: a `chatd.v1` request whose text is
    /// `maxTextBytes` long with every byte escaped (`\u00XX`, six bytes each) plus the JSON around it. Anything
    /// bigger cannot be a valid chat request, so the server closes it (1009) instead of buffering it.
    public var maxFrameBytes: Int {
        let (escaped, overflow) = max(maxTextBytes, 0).multipliedReportingOverflow(by: 6)
        guard !overflow, escaped <= Int.max &- 1024 else { return Int.max }
        return escaped &+ 1024
    }

    /// Creates limits; the defaults match the daemon's built-in configuration.
    public init(
        maxNameLength: Int = 32, maxRooms: Int = 1000, maxMembersPerRoom: Int = 10_000, maxTextBytes: Int = 4000,
        historySize: Int = 100, ratePerSecond: Double = 5, rateBurst: Int = 10
    ) {
        self.maxNameLength = maxNameLength
        self.maxRooms = maxRooms
        self.maxMembersPerRoom = maxMembersPerRoom
        self.maxTextBytes = maxTextBytes
        self.historySize = historySize
        self.ratePerSecond = ratePerSecond
        self.rateBurst = rateBurst
    }
}
