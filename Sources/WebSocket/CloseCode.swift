/// RFC 6455 §7.4 close status codes chatd uses, plus the rule for which codes may appear on the wire.
public enum CloseCode {
    /// 1000: normal closure.
    public static let normal: UInt16 = 1000
    /// 1001: server shutting down or client navigating away.
    public static let goingAway: UInt16 = 1001
    /// 1002: protocol error.
    public static let protocolError: UInt16 = 1002
    /// 1003: a data type the endpoint cannot accept.
    public static let unsupportedData: UInt16 = 1003
    /// 1007: payload inconsistent with the message type (invalid UTF-8 in text).
    public static let invalidPayload: UInt16 = 1007
    /// 1008: generic policy violation.
    public static let policyViolation: UInt16 = 1008
    /// 1009: message too big to process.
    public static let messageTooBig: UInt16 = 1009
    /// 1011: unexpected server condition.
    public static let internalError: UInt16 = 1011
    /// 1013: try again later (e.g. server overloaded).
    public static let tryAgainLater: UInt16 = 1013

    /// Whether `code` may be sent in a close frame: 1000-1003, 1007-1014 and 3000-4999. 1004-1006 and 1015 are
    /// reserved/never-sent, the rest of 0-2999 is unassigned, 5000+ is invalid.
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999:
            return true
        default:
            return false
        }
    }
}
