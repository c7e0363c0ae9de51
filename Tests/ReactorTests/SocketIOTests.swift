import Glibc
import Reactor
import Testing

/// SocketIO: how each read outcome is reported, half-closing, best-effort writes, and the clock.
@Suite struct SocketIOTests {
    @Test func readReportsTheBytesAtTheStartOfTheBuffer() throws {
        let pair = try SocketPair()
        var buffer = [UInt8](repeating: 0xAA, count: 16)
        writeBytes(pair.writer, Array("abc".utf8))
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .bytes(3))
        #expect(Array(buffer.prefix(4)) == Array("abc".utf8) + [0xAA])
    }

    @Test func readTakesAtMostTheBufferAndLeavesTheRest() throws {
        let pair = try SocketPair()
        let sent = streamBytes(from: 0, count: 10)
        writeBytes(pair.writer, sent)
        var received: [UInt8] = []
        var results: [SocketIO.ReadResult] = []
        var buffer = [UInt8](repeating: 0, count: 4)
        for _ in 0..<4 {
            let result = buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) }
            results.append(result)
            if case .bytes(let count) = result { received += buffer.prefix(count) }
        }
        #expect(results == [.bytes(4), .bytes(4), .bytes(2), .wouldBlock])
        #expect(received == sent)
    }

    @Test func readWouldBlockWhenNothingArrived() throws {
        let pair = try SocketPair()
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .wouldBlock)
    }

    @Test func readReportsEndOfStreamAfterTheLastBytes() throws {
        let pair = try SocketPair()
        var buffer = [UInt8](repeating: 0, count: 16)
        writeBytes(pair.writer, [1, 2])
        pair.closeWriter()
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .bytes(2))
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .endOfStream)
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .endOfStream)
    }

    @Test func readOnAClosedDescriptorFailsWithEBADF() throws {
        let fd = try closedDescriptor()
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(fd, into: $0) } == .failed(EBADF))
    }

    @Test func resetPeerIsErrorAndHangupThenECONNRESET() throws {
        let listener = try ListeningSocket(address: loopback())
        let client = try connectLoopbackClient(port: try port(of: listener.localAddress))
        let accepted = try acceptPending(on: listener)
        defer { close(accepted.fd) }
        // Linger 0 turns close into a reset.
        var abort = linger(l_onoff: 1, l_linger: 0)
        setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
        close(client)
        let loop = try EventLoop()
        let handler = RecordingHandler()
        try loop.register(accepted.fd, interest: .read, handler: handler)
        #expect(loop.runOnce(timeoutMilliseconds: 2000))
        let events = try #require(handler.calls.first)
        #expect(events.contains(.error))
        #expect(events.contains(.hangup))
        #expect(SocketIO.read(accepted.fd, into: loop.readBuffer) == .failed(ECONNRESET))
        #expect(SocketIO.read(accepted.fd, into: loop.readBuffer) == .endOfStream, "the error is reported once")
        loop.unregister(accepted.fd)
    }

    @Test func shutdownWriteSendsEndOfStreamButKeepsReceiving() throws {
        let pair = try SocketPair()
        var buffer = [UInt8](repeating: 0, count: 16)
        writeBytes(pair.writer, [1])
        SocketIO.shutdownWrite(pair.writer)
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .bytes(1))
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .endOfStream)
        // The peer can still answer, and we still read it.
        #expect(writeBytes(pair.reader, Array("bye".utf8)) == 3)
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.writer, into: $0) } == .bytes(3))
        #expect(Array(buffer.prefix(3)) == Array("bye".utf8))
        // But we can no longer send.
        var byte: UInt8 = 2
        let sent = send(pair.writer, &byte, 1, Int32(MSG_NOSIGNAL))
        let code = errno
        #expect(sent == -1 && code == EPIPE)
    }

    @Test func closeReleasesTheDescriptor() throws {
        let pair = try SocketPair()
        var buffer = [UInt8](repeating: 0, count: 16)
        SocketIO.close(pair.releaseWriter())
        // A forked child of a parallel test may hold a copy for a moment; the end of stream follows its exit.
        #expect(waitUntilReadable(pair.reader))
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(pair.reader, into: $0) } == .endOfStream)
    }

    @Test func writeBestEffortDeliversASmallReply() throws {
        let pair = try SocketPair()
        let reply = Array("HTTP/1.1 503 Service Unavailable\r\n\r\n".utf8)
        SocketIO.writeBestEffort(pair.writer, reply)
        #expect(pair.drain() == reply)
    }

    @Test func writeBestEffortNeverBlocksAndSendsAPrefix() throws {
        let pair = try SocketPair(sendBuffer: 4096)
        let payload = streamBytes(from: 0, count: 256 * 1024)
        let start = SocketIO.monotonicMilliseconds()
        SocketIO.writeBestEffort(pair.writer, payload)
        #expect(SocketIO.monotonicMilliseconds() - start < 1000)
        let received = pair.drain()
        #expect(!received.isEmpty && received.count < payload.count, "as much as fits, no more")
        expectSameBytes(received, Array(payload.prefix(received.count)))
    }

    @Test func writeBestEffortToAGonePeerDoesNotRaiseSigpipe() throws {
        // Other tests need SIGPIPE ignored process-wide, so the default (kill) is restored only in a child.
        let warmUp = try SocketPair()
        SocketIO.writeBestEffort(warmUp.writer, [0])
        let outcome = runInChildProcess {
            signal(SIGPIPE, SIG_DFL)
            var fds: (Int32, Int32) = (-1, -1)
            let made = withUnsafeMutableBytes(of: &fds) { raw in
                socketpair(
                    AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, raw.baseAddress?.assumingMemoryBound(to: Int32.self))
            }
            guard made == 0 else { return 2 }
            close(fds.1)
            SocketIO.writeBestEffort(fds.0, [1, 2, 3])
            return 0
        }
        #expect(outcome == .exited(0))
    }

    @Test func monotonicClockAdvancesAndNeverGoesBack() {
        let start = SocketIO.monotonicMilliseconds()
        #expect(start > 0)
        var previous = start
        for _ in 0..<1000 {
            let now = SocketIO.monotonicMilliseconds()
            #expect(now >= previous)
            previous = now
        }
        sleepMilliseconds(15)
        #expect(SocketIO.monotonicMilliseconds() - start >= 15)
    }
}
