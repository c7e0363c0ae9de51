import Glibc
import Reactor
import Testing

/// Signals as loop events. Only SIGUSR1 and SIGUSR2 are used, never TERM/INT/HUP: each test creates its source
/// (which blocks the signals on the test's thread) before `raise`, which directs the signal at that same thread,
/// so it stays pending for the signalfd instead of killing the runner. Every test body is synchronous, so it stays
/// on one thread from block to drain. Serialized because block masks and pending signals are per-thread and
/// per-process state that parallel tests would share.
@Suite(.serialized) struct SignalSourceTests {
    @Test func defaultSetIsStopAndReload() {
        #expect(SignalSource.daemonSignals == [SIGTERM, SIGINT, SIGHUP])
    }

    @Test func descriptorIsNonBlockingAndCloseOnExec() throws {
        let source = try SignalSource(signals: [SIGUSR1])
        #expect(isNonBlocking(source.fd))
        #expect(isCloseOnExec(source.fd))
    }

    @Test func raisedSignalIsBlockedAndThenDrained() throws {
        let source = try SignalSource(signals: [SIGUSR1])
        var mask = sigset_t()
        #expect(pthread_sigmask(SIG_BLOCK, nil, &mask) == 0)
        #expect(sigismember(&mask, SIGUSR1) == 1, "the source blocks its signals on this thread")
        try #require(isNonBlocking(source.fd), "drain() on a blocking signalfd would hang")
        #expect(raise(SIGUSR1) == 0)
        #expect(source.drain() == [SIGUSR1])
        #expect(source.drain() == [], "a drained signal is not reported twice")
    }

    @Test func drainWithNothingPendingIsEmpty() throws {
        let source = try SignalSource(signals: [SIGUSR2])
        try #require(isNonBlocking(source.fd), "drain() on a blocking signalfd would hang")
        #expect(source.drain() == [])
    }

    @Test func repeatedSignalIsReportedOnce() throws {
        // Standard signals do not queue: two reload requests before a pass are one reload.
        let source = try SignalSource(signals: [SIGUSR1])
        try #require(isNonBlocking(source.fd))
        #expect(raise(SIGUSR1) == 0)
        #expect(raise(SIGUSR1) == 0)
        #expect(source.drain() == [SIGUSR1])
    }

    @Test func oneSourceReportsSeveralSignals() throws {
        let source = try SignalSource(signals: [SIGUSR1, SIGUSR2])
        try #require(isNonBlocking(source.fd))
        #expect(raise(SIGUSR2) == 0)
        #expect(raise(SIGUSR1) == 0)
        // The kernel hands standard signals out lowest number first, not in arrival order.
        #expect(source.drain().sorted() == [SIGUSR1, SIGUSR2])
    }

    @Test func sourceReportsOnlyItsOwnSignals() throws {
        let first = try SignalSource(signals: [SIGUSR1])
        let second = try SignalSource(signals: [SIGUSR2])
        try #require(isNonBlocking(first.fd) && isNonBlocking(second.fd))
        #expect(raise(SIGUSR2) == 0)
        #expect(first.drain() == [])
        #expect(second.drain() == [SIGUSR2])
    }

    @Test func loopDispatchesAPendingSignalAsReadable() throws {
        let loop = try EventLoop()
        let source = try SignalSource(signals: [SIGUSR2])
        try #require(isNonBlocking(source.fd))
        var drained: [Int32] = []
        let handler = RecordingHandler { _ in drained += source.drain() }
        try loop.register(source.fd, interest: .read, handler: handler)
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(handler.calls.isEmpty, "nothing pending, nothing dispatched")
        #expect(raise(SIGUSR2) == 0)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.readable])
        #expect(drained == [SIGUSR2])
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(handler.calls.count == 1, "a drained source is no longer readable")
        loop.unregister(source.fd)
    }

    @Test func signalRaisedBeforeRegistrationIsStillDispatched() throws {
        let loop = try EventLoop()
        let source = try SignalSource(signals: [SIGUSR1])
        try #require(isNonBlocking(source.fd))
        #expect(raise(SIGUSR1) == 0)
        let handler = RecordingHandler { _ in _ = source.drain() }
        try loop.register(source.fd, interest: .read, handler: handler)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.readable])
        loop.unregister(source.fd)
    }
}
