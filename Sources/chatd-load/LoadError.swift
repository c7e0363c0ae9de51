import Glibc

/// Why a load run could not start or went wrong in a way that invalidates its numbers.
enum LoadError: Error, CustomStringConvertible {
    case system(String, Int32)
    case usage(String)
    case handshake(String)

    var description: String {
        switch self {
        case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code)))"
        case .usage(let message): return message
        case .handshake(let message): return "handshake failed: \(message)"
        }
    }
}
