/// Why a member could not join a room; the server turns this into a WebSocket close (1013 try again later).
public enum JoinRefusal: Error, Sendable, Equatable {
    /// The room does not exist yet and `ChatLimits.maxRooms` rooms already exist.
    case tooManyRooms
    /// The room already holds `ChatLimits.maxMembersPerRoom` members.
    case roomFull
    /// The room is not in memory and its stored history could not be read; recreating it could repeat ids.
    case historyUnavailable
}
