import Glibc
import Reactor
import Testing

/// `run()` and `stop()`: the loop runs pass after pass until a handler stops it. Each `run()` happens on its own
/// thread behind a bounded wait, so a stop() that does not work fails the test instead of hanging the test run.
@Suite struct EventLoopRunTests {
    @Test func runReturnsAfterAHandlerCallsStop() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        var runningBeforeAndAfterStop: [Bool] = []
        // The byte is never read, so the socket stays readable: without stop() the loop would go on forever.
        let handler = RecordingHandler { [unowned loop] _ in
            runningBeforeAndAfterStop.append(loop.isRunning)
            loop.stop()
            runningBeforeAndAfterStop.append(loop.isRunning)
        }
        try loop.register(pair.reader, interest: .read, handler: handler)
        writeBytes(pair.writer, [1])
        #expect(!loop.isRunning)
        let box = UncheckedBox(loop)
        try #require(try runOnThread { box.value.run() }, "run() did not return after stop()")
        #expect(handler.calls == [.readable])
        #expect(runningBeforeAndAfterStop == [true, false])
        #expect(!loop.isRunning)
        loop.unregister(pair.reader)
    }

    @Test func stopLetsTheCurrentPassFinish() throws {
        let loop = try EventLoop()
        let first = try SocketPair()
        let second = try SocketPair()
        var passesEnded = 0
        let stopping = { RecordingHandler { [unowned loop] _ in loop.stop() } }
        let firstHandler = stopping()
        let secondHandler = stopping()
        try loop.register(first.reader, interest: .read, handler: firstHandler)
        try loop.register(second.reader, interest: .read, handler: secondHandler)
        loop.endOfPass = { passesEnded += 1 }
        writeBytes(first.writer, [1])
        writeBytes(second.writer, [2])
        let box = UncheckedBox(loop)
        try #require(try runOnThread { box.value.run() }, "run() did not return after stop()")
        #expect(firstHandler.calls == [.readable], "both events of the stopping pass are dispatched")
        #expect(secondHandler.calls == [.readable])
        #expect(passesEnded == 1, "the stopping pass still ends with the hook, and no pass follows")
        loop.endOfPass = nil
        loop.unregister(first.reader)
        loop.unregister(second.reader)
    }

    @Test func runCanStartAgainAfterStop() throws {
        let loop = try EventLoop()
        let pair = try SocketPair()
        let handler = RecordingHandler { [unowned loop] _ in loop.stop() }
        try loop.register(pair.reader, interest: .read, handler: handler)
        writeBytes(pair.writer, [1])
        let box = UncheckedBox(loop)
        try #require(try runOnThread { box.value.run() }, "first run() did not return")
        try #require(try runOnThread { box.value.run() }, "second run() did not return")
        #expect(handler.calls == [.readable, .readable])
        loop.unregister(pair.reader)
    }
}
