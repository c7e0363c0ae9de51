/// What a member asked for, independent of whether it arrived as JSON or as a plain-text line.
enum ClientRequest: Sendable, Equatable {
    /// Post a chat text (`isAction` for `/me` emotes).
    case message(text: String, isAction: Bool)
    /// Change the display name.
    case rename(String)
    /// List the room's members.
    case who
    /// Application-level heartbeat (JSON only).
    case ping
    /// Show the command list (plain text only).
    case help
    /// Leave the room and close the connection (plain text only).
    case quit
    /// A `/command` the server does not know (plain text only).
    case unknownCommand(String)

    /// False for the requests that are free: a heartbeat and leaving must work even for a member that used up
    /// its rate limit.
    var costsToken: Bool {
        switch self {
        case .ping, .quit: return false
        case .message, .rename, .who, .help, .unknownCommand: return true
        }
    }
}
