import ArgumentParser
import ChatServer

/// Turns a fatal problem into exactly one `chatd: ...` line on stderr and exit status 1, instead of
/// ArgumentParser's usage dump or a crash with a backtrace.
enum CommandFailure {
    /// Writes `chatd: MESSAGE` to stderr and returns the error that makes ArgumentParser exit with status 1.
    static func report(_ message: String) -> ExitCode {
        StandardError.write("chatd: \(message)\n")
        return ExitCode.failure
    }
}
