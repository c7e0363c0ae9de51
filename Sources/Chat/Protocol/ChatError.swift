/// A refused client request: a stable code plus a human-readable explanation.
struct ChatError: Error, Sendable, Equatable {
    /// The machine-readable code.
    let code: ChatErrorCode
    /// The text shown to a person.
    let message: String

    /// Creates an error.
    init(_ code: ChatErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
