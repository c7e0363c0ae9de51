import Logging

/// The daemon's logger shared by the connection layer, the applications and the lifecycle, so a reload that
/// changes the level reaches all of them; also throttles the warnings a client flood can trigger.
public final class ServerLog {
    /// The logger; its level may change on reload.
    public var logger: Logger
    /// The journal `MESSAGE_ID` of limit warnings.
    private let limitHitMessageID: String
    private var throttle = LogThrottle(intervalMilliseconds: 10_000)

    /// Wraps `logger`; limit warnings carry `limitHitMessageID`.
    public init(logger: Logger, limitHitMessageID: String) {
        self.logger = logger
        self.limitHitMessageID = limitHitMessageID
    }

    /// Logs a client-facing limit at warning level, at most once per kind every ten seconds, so a flood that
    /// hits a limit cannot flood the journal; the line says how many were held back.
    public func limitHit(_ kind: String, _ message: String, metadata: Logger.Metadata = [:], now: Int64) {
        guard let heldBack = throttle.admit(kind, now: now) else { return }
        var fields = metadata
        fields["event"] = "\(kind)"
        fields["message_id"] = "\(limitHitMessageID)"
        fields["held_back"] = "\(heldBack)"
        logger.warning("\(message)", metadata: fields)
    }
}
