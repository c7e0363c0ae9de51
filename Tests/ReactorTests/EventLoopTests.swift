import Glibc
import Reactor
import Testing

/// The epoll loop's contract with its handlers: who is called, with what, when, and who is not called.
@Suite struct EventLoopTests {
    @Test func registrationIsTrackedPerDescriptor() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        #expect(!loop.isRegistered(pair.reader))
        try loop.register(pair.reader, interest: .read, handler: RecordingHandler())
        #expect(loop.isRegistered(pair.reader))
        #expect(!loop.isRegistered(pair.writer))
        loop.modify(pair.reader, interest: [.read, .write])
        #expect(loop.isRegistered(pair.reader))
        loop.unregister(pair.reader)
        #expect(!loop.isRegistered(pair.reader))
        #expect(!loop.isRegistered(-1))
        #expect(!loop.isRegistered(Int32.max))
    }

    @Test func dataMakesTheHandlerReadable() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: handler)
        #expect(writeBytes(pair.writer, Array("ping".utf8)) == 4)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.readable])
        // Handlers read into the loop-wide buffer.
        #expect(loop.readBuffer.count == EventLoop.readBufferSize)
        #expect(SocketIO.read(pair.reader, into: loop.readBuffer) == .bytes(4))
        #expect(Array(loop.readBuffer.prefix(4)) == Array("ping".utf8))
        loop.unregister(pair.reader)
    }

    @Test func writeInterestReportsWritableOnlyWhileAsked() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler()
        try loop.register(pair.writer, interest: .read, handler: handler)
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(handler.calls.isEmpty, "an idle socket with read interest only is not reported")
        loop.modify(pair.writer, interest: [.read, .write])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.writable])
        loop.modify(pair.writer, interest: .read)
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(handler.calls == [.writable], "dropping write interest stops the reports")
        loop.unregister(pair.writer)
    }

    @Test func unregisteredHandlerIsNotCalled() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let other = try SocketPair()
        let gone = RecordingHandler()
        let staying = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: gone)
        try loop.register(other.reader, interest: .read, handler: staying)
        writeBytes(pair.writer, [1])
        writeBytes(other.writer, [2])
        loop.unregister(pair.reader)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(gone.calls.isEmpty)
        #expect(staying.calls == [.readable], "the pass did run")
        loop.unregister(other.reader)
    }

    @Test func handlerUnregisteredEarlierInThePassIsSkipped() throws {
        let loop = try EventLoop()
        let first = try SocketPair()
        let second = try SocketPair()
        // Whichever handler epoll lists first unregisters the other, whose event is already in this pass's batch.
        let firstHandler = RecordingHandler { [unowned loop] _ in loop.unregister(second.reader) }
        let secondHandler = RecordingHandler { [unowned loop] _ in loop.unregister(first.reader) }
        try loop.register(first.reader, interest: .read, handler: firstHandler)
        try loop.register(second.reader, interest: .read, handler: secondHandler)
        writeBytes(first.writer, [1])
        writeBytes(second.writer, [2])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(firstHandler.calls.count + secondHandler.calls.count == 1)
        #expect(loop.isRegistered(first.reader) != loop.isRegistered(second.reader))
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(firstHandler.calls.count + secondHandler.calls.count == 2, "the survivor is still served")
        loop.unregister(first.reader)
        loop.unregister(second.reader)
    }

    @Test func reRegisteringADescriptorSwitchesHandlers() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let old = RecordingHandler()
        let new = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: old)
        loop.unregister(pair.reader)
        try loop.register(pair.reader, interest: .read, handler: new)
        writeBytes(pair.writer, [1])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(old.calls.isEmpty)
        #expect(new.calls == [.readable])
        loop.unregister(pair.reader)
    }

    @Test func peerCloseIsReadableAndHangup() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: handler)
        pair.closeWriter()
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        let events = try #require(handler.calls.first)
        #expect(events.contains(.readable))
        #expect(events.contains(.hangup))
        #expect(SocketIO.read(pair.reader, into: loop.readBuffer) == .endOfStream)
        loop.unregister(pair.reader)
    }

    @Test func halfClosedPeerIsReadableButNoHangup() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: handler)
        SocketIO.shutdownWrite(pair.writer)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.readable], "the peer can still read our reply")
        loop.unregister(pair.reader)
    }

    @Test func endOfPassRunsOncePerPassAfterTheHandlers() throws {
        let loop = try EventLoop()
        let first = try SocketPair()
        let second = try SocketPair()
        var log: [String] = []
        let reader = { (fd: Int32) in
            RecordingHandler { [unowned loop] _ in
                _ = SocketIO.read(fd, into: loop.readBuffer)
                log.append("handler")
            }
        }
        try loop.register(first.reader, interest: .read, handler: reader(first.reader))
        try loop.register(second.reader, interest: .read, handler: reader(second.reader))
        loop.endOfPass = { log.append("end") }
        writeBytes(first.writer, [1])
        writeBytes(second.writer, [2])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(log == ["handler", "handler", "end"])
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(log == ["handler", "handler", "end", "end"], "a pass with no events still ends with the hook")
        loop.endOfPass = nil
        loop.unregister(first.reader)
        loop.unregister(second.reader)
    }

    @Test func runOnceWithZeroTimeoutReturnsAtOnce() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: handler)
        let start = SocketIO.monotonicMilliseconds()
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(SocketIO.monotonicMilliseconds() - start < 1000)
        #expect(handler.calls.isEmpty)
        loop.unregister(pair.reader)
    }

    @Test func runOnceWaitsForItsTimeoutWhenNothingIsReady() throws {
        let start = SocketIO.monotonicMilliseconds()
        let loop = try EventLoop()
        #expect(loop.runOnce(timeoutMilliseconds: 50))
        #expect(loop.nowMilliseconds - start >= 50)
        #expect(loop.nowMilliseconds - start < 2000)
    }

    @Test func clockAdvancesMonotonicallyOncePerPass() throws {
        let start = SocketIO.monotonicMilliseconds()
        let loop = try EventLoop()
        #expect(loop.nowMilliseconds >= start)
        sleepMilliseconds(20)
        #expect(loop.runOnce(timeoutMilliseconds: 0))
        #expect(loop.nowMilliseconds >= start + 20)
        #expect(loop.nowMilliseconds <= SocketIO.monotonicMilliseconds())
        var previous = loop.nowMilliseconds
        for _ in 0..<50 {
            loop.runOnce(timeoutMilliseconds: 0)
            #expect(loop.nowMilliseconds >= previous)
            previous = loop.nowMilliseconds
        }
    }

    @Test func clockStandsStillWithinAPass() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        var seen: [Int64] = []
        let handler = RecordingHandler { [unowned loop] _ in
            seen.append(loop.nowMilliseconds)
            sleepMilliseconds(5)
            seen.append(loop.nowMilliseconds)
        }
        try loop.register(pair.reader, interest: .read, handler: handler)
        writeBytes(pair.writer, [1])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(seen.count == 2)
        #expect(Set(seen) == [loop.nowMilliseconds], "handlers share the clock read at the start of the pass")
        loop.unregister(pair.reader)
    }

    @Test func registeringANegativeDescriptorThrowsEBADF() throws {
        let loop = try EventLoop()
        let error = try #require(throws: SystemCallError.self) {
            try loop.register(-1, interest: .read, handler: RecordingHandler())
        }
        #expect(error.code == EBADF)
        #expect(error.call == "epoll_ctl(ADD)")
        #expect(!loop.isRegistered(-1))
    }

    @Test func registeringTwiceThrowsEEXISTAndKeepsTheFirstHandler() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let first = RecordingHandler()
        let second = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: first)
        let error = try #require(throws: SystemCallError.self) {
            try loop.register(pair.reader, interest: .read, handler: second)
        }
        #expect(error.code == EEXIST)
        writeBytes(pair.writer, [1])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(first.calls == [.readable])
        #expect(second.calls.isEmpty)
        loop.unregister(pair.reader)
    }

    @Test func registeringAnUnpollableDescriptorThrowsAndLeavesNoHandler() throws {
        let loop = try EventLoop()
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let error = try #require(throws: SystemCallError.self) {
            try loop.register(fd, interest: .read, handler: RecordingHandler())
        }
        #expect(error.code == EPERM)
        #expect(!loop.isRegistered(fd))
    }

    @Test func handlerTableGrowsForHighDescriptors() throws {
        let loop = try EventLoop()
        let low = try SocketPair()
        let high = try SocketPair()
        let lowHandler = RecordingHandler()
        let highHandler = RecordingHandler()
        try loop.register(low.reader, interest: .read, handler: lowHandler)
        let highFD = fcntl(high.reader, F_DUPFD_CLOEXEC, 900)
        try #require(highFD >= 900)
        defer { close(highFD) }
        try loop.register(highFD, interest: .read, handler: highHandler)
        #expect(loop.isRegistered(highFD))
        #expect(!loop.isRegistered(highFD + 1))
        #expect(loop.isRegistered(low.reader), "growing the table keeps earlier entries")
        writeBytes(low.writer, [1])
        writeBytes(high.writer, [2])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(lowHandler.calls == [.readable])
        #expect(highHandler.calls == [.readable])
        loop.unregister(highFD)
        loop.unregister(low.reader)
    }

    @Test func unregisteringUnknownDescriptorsIsHarmless() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler()
        try loop.register(pair.reader, interest: .read, handler: handler)
        loop.unregister(-1)
        loop.unregister(pair.writer)
        loop.unregister(100_000)
        #expect(loop.isRegistered(pair.reader))
        writeBytes(pair.writer, [1])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(handler.calls == [.readable])
        loop.unregister(pair.reader)
    }

    @Test func runOnceDoesNotMarkTheLoopRunning() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        var runningInHandler: [Bool] = []
        let handler = RecordingHandler { [unowned loop] _ in runningInHandler.append(loop.isRunning) }
        try loop.register(pair.reader, interest: .read, handler: handler)
        #expect(!loop.isRunning)
        writeBytes(pair.writer, [1])
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        #expect(runningInHandler == [false])
        loop.unregister(pair.reader)
    }

    @Test func initIgnoresSigpipeSoWritesToAClosedPeerFail() throws {
        // The disposition is process-wide and other tests rely on it being ignored, so the check runs in a child
        // that first restores the default (which kills on SIGPIPE).
        _ = try EventLoop()
        let outcome = runInChildProcess {
            signal(SIGPIPE, SIG_DFL)
            guard (try? EventLoop()) != nil else { return 2 }
            var fds: (Int32, Int32) = (-1, -1)
            let made = withUnsafeMutableBytes(of: &fds) { raw in
                socketpair(
                    AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, raw.baseAddress?.assumingMemoryBound(to: Int32.self))
            }
            guard made == 0 else { return 3 }
            close(fds.1)
            var byte: UInt8 = 1
            let written = write(fds.0, &byte, 1)
            return written < 0 && errno == EPIPE ? 0 : 4
        }
        #expect(outcome == .exited(0))
    }
}
