/// Bounds that keep one chat service from growing without limit; a config reload may replace them.
public struct ChatLimits: Sendable, Equatable {
    /// Longest chat name in Characters (grapheme clusters) after sanitising.
    public var maxNameLength: Int
    /// Most rooms that may exist at once; joining a new room beyond this is refused.
    public var maxRooms: Int
    /// Most members one room may hold; joining a full room is refused.
    public var maxMembersPerRoom: Int

    /// Creates limits; the defaults match the daemon's built-in configuration.
    public init(maxNameLength: Int = 32, maxRooms: Int = 1000, maxMembersPerRoom: Int = 10_000) {
        self.maxNameLength = maxNameLength
        self.maxRooms = maxRooms
        self.maxMembersPerRoom = maxMembersPerRoom
    }
}
