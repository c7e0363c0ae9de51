import CSQLite
import Glibc

/// Starts and joins the writer thread. A plain pthread (no Foundation, no dispatch): the store needs exactly one
/// thread that owns the writer connection. It starts with every signal blocked, so a signal meant for the loop's
/// signalfd can never be delivered to it (and kill the process) when the store opens before the loop blocks them.
enum WriterThread {
    /// Runs `writer.run()` on a new thread named `chatd-history`; nil when the thread cannot be created.
    static func start(_ writer: HistoryWriter) -> pthread_t? {
        let context = Unmanaged.passRetained(writer).toOpaque()
        var blocked = sigset_t()
        var previous = sigset_t()
        sigfillset(&blocked)
        pthread_sigmask(SIG_SETMASK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let writer = Unmanaged<HistoryWriter>.fromOpaque(raw).takeRetainedValue()
                csqlite_name_this_thread("chatd-history")
                writer.run()
                return nil
            }, context)
        guard status == 0 else {
            Unmanaged<HistoryWriter>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    /// Waits for the thread to end.
    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}
