import CLinux
import Glibc
import Reactor
import Testing

/// The sweep timer: a timerfd that turns readable every interval and counts the intervals since it was last
/// acknowledged. Serialized because one test counts the process's timerfds, which the others create.
@Suite(.serialized) struct PeriodicTimerTests {
    @Test func descriptorIsNonBlockingAndCloseOnExec() throws {
        let timer = try PeriodicTimer(intervalMilliseconds: 60_000)
        #expect(isNonBlocking(timer.fd))
        #expect(isCloseOnExec(timer.fd))
        #expect(timer.acknowledge() == 0, "nothing has elapsed yet, and acknowledging does not block")
    }

    @Test func becomesReadableAfterItsInterval() throws {
        let start = SocketIO.monotonicMilliseconds()
        let timer = try PeriodicTimer(intervalMilliseconds: 10)
        #expect(waitUntilReadable(timer.fd))
        #expect(SocketIO.monotonicMilliseconds() - start >= 10)
        #expect(timer.acknowledge() >= 1)
    }

    @Test func acknowledgeCountsEveryMissedInterval() throws {
        let timer = try PeriodicTimer(intervalMilliseconds: 10)
        sleepMilliseconds(35)
        #expect(timer.acknowledge() >= 3, "intervals at 10, 20 and 30 ms have passed")
    }

    @Test func acknowledgeReturnsZeroRightAfterAnAcknowledge() throws {
        let start = SocketIO.monotonicMilliseconds()
        let timer = try PeriodicTimer(intervalMilliseconds: 200)
        try #require(waitUntilReadable(timer.fd))
        let first = timer.acknowledge()
        let second = timer.acknowledge()
        let end = SocketIO.monotonicMilliseconds()
        // The second interval ends 400 ms after the start at the earliest; only a thread stalled that long could
        // see it, and then there is nothing to check.
        if end < start + 400 {
            #expect(first == 1)
            #expect(second == 0)
            #expect(!waitUntilReadable(timer.fd, timeoutMilliseconds: 0), "acknowledged means not readable")
        }
    }

    @Test func drivesALoopHandlerOncePerInterval() throws {
        let start = SocketIO.monotonicMilliseconds()
        let loop = try EventLoop()
        let timer = try PeriodicTimer(intervalMilliseconds: 10)
        var acknowledged: [UInt64] = []
        let handler = RecordingHandler { _ in acknowledged.append(timer.acknowledge()) }
        try loop.register(timer.fd, interest: .read, handler: handler)
        let deadline = start + 2000
        while handler.calls.count < 5 && SocketIO.monotonicMilliseconds() < deadline {
            loop.runOnce(timeoutMilliseconds: 100)
        }
        #expect(handler.calls == Array(repeating: .readable, count: 5))
        #expect(acknowledged.allSatisfy { $0 >= 1 }, "a readable timer always has an expiration to acknowledge")
        let intervals = acknowledged.reduce(0, +)
        #expect(Int64(intervals) * 10 <= loop.nowMilliseconds - start, "no more intervals than time allows")
        loop.unregister(timer.fd)
    }

    @Test func unacknowledgedTimerStaysReadable() throws {
        let loop = try EventLoop()
        let timer = try PeriodicTimer(intervalMilliseconds: 10)
        let handler = RecordingHandler()
        try loop.register(timer.fd, interest: .read, handler: handler)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(handler.calls.count == 2, "level-triggered: the handler is called again until it acknowledges")
        loop.unregister(timer.fd)
    }

    @Test func runOnceWaitsForTheTimer() throws {
        let start = SocketIO.monotonicMilliseconds()
        let loop = try EventLoop()
        let timer = try PeriodicTimer(intervalMilliseconds: 50)
        let handler = RecordingHandler { _ in timer.acknowledge() }
        try loop.register(timer.fd, interest: .read, handler: handler)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.readable])
        #expect(loop.nowMilliseconds - start >= 50)
        #expect(loop.nowMilliseconds - start < 2000, "woken by the timer, not by the timeout")
        loop.unregister(timer.fd)
    }

    @Test func intervalsOfASecondOrMoreAreKept() throws {
        // The interval is split into seconds and nanoseconds for the kernel; read it back.
        let timer = try PeriodicTimer(intervalMilliseconds: 1250)
        var setting = itimerspec()
        try #require(timerfd_gettime(timer.fd, &setting) == 0)
        #expect(setting.it_interval.tv_sec == 1)
        #expect(setting.it_interval.tv_nsec == 250_000_000)
    }

    @Test(arguments: [0, -5])
    func nonPositiveIntervalThrowsWithoutLeakingADescriptor(interval: Int) throws {
        // A zero interval would disarm the timer (it would never fire); a negative one is rejected by the kernel.
        let before = try openTimerDescriptors()
        let error = try #require(throws: SystemCallError.self) { _ = try PeriodicTimer(intervalMilliseconds: interval) }
        #expect(error.code == EINVAL)
        #expect(try openTimerDescriptors() == before)
    }

    /// How many timerfds this process has open, from /proc/self/fd.
    private func openTimerDescriptors() throws -> Int {
        let directory = try #require(opendir("/proc/self/fd"))
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink("/proc/self/fd/\(name)", &target, target.count)
            let text = String(decoding: target.prefix(max(length, 0)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text == "anon_inode:[timerfd]" {
                count += 1
            }
        }
        return count
    }
}
