import CSQLite
import Glibc
import History

/// The eventfd the writer thread bumps when batches finish, so the loop thread's epoll wakes up and calls
/// `takeOutcomes()`. It exists to keep the descriptor's few calls (create, signal, drain, close) together.
final class CompletionSignal: @unchecked Sendable {
    /// The descriptor to register with the loop (non-blocking, close-on-exec).
    let descriptor: Int32
    private var isClosed = false

    /// Creates the eventfd.
    init(path: String) throws(HistoryStoreError) {
        let fd = csqlite_completion_eventfd()
        guard fd >= 0 else {
            throw StoreErrors.cannotOpen(path, "eventfd: \(StoreErrors.systemMessage(csqlite_errno()))")
        }
        descriptor = fd
    }

    /// Makes the descriptor readable (writer thread).
    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(descriptor, $0.baseAddress, 8) }
    }

    /// Makes the descriptor unreadable again (loop thread); nothing happens when it was not signalled.
    func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { read(descriptor, $0.baseAddress, 8) }
    }

    /// Closes the descriptor, once the writer thread has stopped.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(descriptor)
    }
}
