/// A start-up failure with a message fit for an operator (printed as the daemon's last words).
public struct ServerStartError: Error, CustomStringConvertible {
    /// What went wrong and where.
    public let message: String
    /// Same as `message`.
    public var description: String { message }
}
