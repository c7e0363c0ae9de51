import Glibc
import Testing

@testable import ChatServer

/// One write attempt on a log output: never blocks, says how much went out, when to come back, or that the
/// output is gone.
@Suite struct LogOutputTests {
    @Test func streamTakesWhatFitsThenWouldBlock() throws {
        let pipe = try LogPipe()
        let output = LogOutput.stream(fd: pipe.writer, isSocket: false)
        #expect(output.fd == pipe.writer)
        let big = [UInt8](repeating: 1, count: 10_000)
        let first = big.withUnsafeBytes { output.write($0) }
        guard case .wrote(let count) = first else {
            Issue.record("expected a partial write, got \(first)")
            return
        }
        #expect(count > 0 && count < big.count)
        #expect(big.withUnsafeBytes { output.write($0) } == .wouldBlock)
        #expect(!output.waitWritable(milliseconds: 20), "a full pipe is not writable")
        _ = pipe.drain()
        #expect(output.waitWritable(milliseconds: 20))
    }

    @Test func socketWhosePeerIsGoneFails() throws {
        let socket = try LogSocketPair(type: Int32(SOCK_STREAM.rawValue))
        socket.closeReader()
        let output = LogOutput.stream(fd: socket.writer, isSocket: true)
        #expect(Array("x\n".utf8).withUnsafeBytes { output.write($0) } == .failed)
    }

    @Test func journalDatagramIsWrittenWhole() throws {
        let socket = try LogSocketPair(type: Int32(SOCK_DGRAM.rawValue))
        let output = LogOutput.journal(fd: socket.writer)
        let datagram = JournalDatagram.encode([("MESSAGE", "hi")])
        #expect(datagram.withUnsafeBytes { output.write($0) } == .wrote(datagram.count))
        #expect(socket.datagrams() == [datagram])
    }
}
