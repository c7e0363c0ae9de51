/// Renders the plain-text chat lines (the seed's format plus the slash-command notices).
enum PlainEvents {
    /// The first line a plain-text member sees.
    static func welcome(name: String, room: String, others: Int) -> String {
        "Welcome, \(name)! You are in room \(room) with \(others) other(s). Type /quit to leave."
    }

    /// A chat text: `NAME: text`, or `* NAME text` for an emote.
    static func message(from: String, text: String, isAction: Bool) -> String {
        isAction ? "* \(from) \(text)" : "\(from): \(text)"
    }

    /// A stored message replayed on join.
    static func message(_ stored: StoredMessage) -> String {
        message(from: stored.from, text: stored.text, isAction: stored.isAction)
    }

    /// Someone entered the room.
    static func join(room: String, name: String) -> String {
        "* \(name) joined \(room)"
    }

    /// Someone left the room.
    static func leave(room: String, name: String) -> String {
        "* \(name) left \(room)"
    }

    /// Someone changed their name.
    static func rename(from: String, to: String) -> String {
        "* \(from) is now known as \(to)"
    }

    /// The member list for `/who`.
    static func presence(room: String, members: [String]) -> String {
        "* in \(room): \(members.joined(separator: ", "))"
    }

    /// Messages the joiner asked for (`?since=`) that can no longer be delivered.
    static func gap(after: UInt64, before: UInt64, reason: String) -> String {
        switch reason {
        case "reset": "* the room was restarted; messages after #\(after) from before the restart are gone"
        case "unstored": "* messages #\(after &+ 1) to #\(before &- 1) were never stored and are lost"
        default: "* messages #\(after &+ 1) to #\(before &- 1) are no longer available"
        }
    }

    /// A refused request: `! code: message`.
    static func error(_ error: ChatError) -> String {
        "! \(error.code.rawValue): \(error.message)"
    }

    /// `/help`.
    static let help =
        "* commands: /nick NAME (change your name), /who (list members), /me ACTION (emote), "
        + "/quit (leave), /help (this list)"

    /// A `/command` the server does not know.
    static func unknownCommand(_ command: String) -> String {
        "* unknown command /\(command); try /help"
    }
}
