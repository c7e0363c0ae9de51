import CLinux
import Glibc

/// A failed system call, kept with its name and errno so start-up errors read clearly
/// ("bind(127.0.0.1:8080): Address already in use").
public struct SystemCallError: Error, CustomStringConvertible, Sendable {
    /// The call that failed, with enough context to act on (e.g. `bind(127.0.0.1:8080)`).
    public let call: String
    /// The errno value the call left behind.
    public let code: Int32

    /// Captures the current errno for `call`.
    public init(_ call: String, code: Int32 = clinux_errno()) {
        self.call = call
        self.code = code
    }

    /// "call: strerror(errno)".
    public var description: String {
        let message = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return "\(call): \(message)"
    }
}
