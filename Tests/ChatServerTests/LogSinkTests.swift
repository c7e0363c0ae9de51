import Glibc
import Reactor
import Testing

@testable import ChatServer

/// The log sink between chatd and a slow log reader: writing never blocks, at most `capacityBytes` wait, what does
/// not fit is dropped and counted, and once the reader catches up the next line is preceded by a report of how
/// many were lost. A stream taking part of an entry keeps the byte order.
@Suite struct LogSinkTests {
    /// The report the sink writes before the next line after drops (chatd's own has the same event fields).
    static func report(_ count: Int) -> [UInt8] { Array("event=log_dropped dropped=\(count)\n".utf8) }

    /// A sink writing to the pipe's write end as a stream.
    static func sink(_ pipe: LogPipe) -> LogSink {
        LogSink(output: .stream(fd: pipe.writer, isSocket: false), droppedReport: report)
    }

    /// Line `index`: its number, padded with a letter to `size` bytes including the newline.
    static func line(_ index: Int, size: Int) -> [UInt8] {
        let head = Array("\(index) ".utf8)
        return head + [UInt8](repeating: UInt8(ascii: "a") + UInt8(index % 26), count: size - head.count - 1) + [10]
    }

    /// Reads the pipe and lets the sink write more, until nothing waits; everything the reader got.
    static func drainCompletely(_ sink: LogSink, _ pipe: LogPipe) -> [UInt8] {
        var output: [UInt8] = []
        for _ in 0..<100_000 {
            output += pipe.drain()
            guard sink.pendingBytes > 0 else { break }
            sink.flushPending()
        }
        return output + pipe.drain()
    }

    @Test func stalledReaderNeitherBlocksNorGrowsTheSinkAndEveryLineIsAccountedFor() throws {
        let pipe = try LogPipe()
        let sink = Self.sink(pipe)
        let count = 3000
        let size = 1024  // divides the capacity: a full sink has no room left for anything
        let started = SocketIO.monotonicMilliseconds()
        for index in 0..<count { sink.write(Self.line(index, size: size)) }
        let elapsed = SocketIO.monotonicMilliseconds() - started
        #expect(elapsed < 2000, "3 MB of log lines took \(elapsed) ms: something waited for the reader")
        #expect(sink.pendingBytes == LogSink.capacityBytes, "the sink should be exactly full")
        let dropped = sink.totalDropped
        #expect(dropped > 0)
        let inPipe = pipe.drain()
        #expect((count - dropped) * size == inPipe.count + sink.pendingBytes, "a line was lost without being counted")
    }

    @Test func afterTheReaderCatchesUpTheNextLineIsPrecededByTheDropReport() throws {
        let pipe = try LogPipe()
        let sink = Self.sink(pipe)
        let size = 1000
        for index in 0..<2000 { sink.write(Self.line(index, size: size)) }
        let dropped = sink.totalDropped
        try #require(dropped > 0)

        let backlog = Self.drainCompletely(sink, pipe)
        #expect(sink.pendingBytes == 0)
        let lines = backlog.split(separator: 10, omittingEmptySubsequences: false).dropLast().map { Array($0) + [10] }
        let reports = lines.filter { $0.starts(with: Array("event=log_dropped".utf8)) }
        let kept = lines.filter { !$0.starts(with: Array("event=log_dropped".utf8)) }
        #expect(kept.allSatisfy { $0.count == size }, "a line was cut or merged")
        let numbers = kept.compactMap { Int(String(decoding: $0.prefix { $0 != 32 }, as: UTF8.self)) }
        #expect(numbers == Array(0..<numbers.count), "the lines kept must be the first ones, in order")
        // No line got through once the sink was full, so no report may have been queued in front of one.
        #expect(reports.count == 0, "drop reports were queued without the line they were to precede")

        sink.write(Array("after\n".utf8))
        let afterwards = String(decoding: pipe.drain(), as: UTF8.self)
        #expect(afterwards == "event=log_dropped dropped=\(dropped)\nafter\n", "the report must cover every lost line")
        sink.write(Array("again\n".utf8))
        #expect(String(decoding: pipe.drain(), as: UTF8.self) == "again\n", "the report is made once")
        #expect(sink.totalDropped == dropped)
    }

    @Test func partialWritesOfAStreamKeepTheByteOrder() throws {
        let pipe = try LogPipe()
        let sink = Self.sink(pipe)
        let lines = (0..<50).map { Self.line($0, size: 6000) }
        for line in lines { sink.write(line) }
        #expect(sink.totalDropped == 0)
        #expect(Self.drainCompletely(sink, pipe) == lines.flatMap { $0 })
    }

    @Test func journalDatagramsGoOutWholeAndInOrder() throws {
        let socket = try LogSocketPair(type: Int32(SOCK_DGRAM.rawValue))
        let sink = LogSink(output: .journal(fd: socket.writer), droppedReport: Self.report)
        #expect(sink.isJournal)
        let entries = (0..<1000).map { JournalDatagram.encode([("MESSAGE", "entry \($0)"), ("PRIORITY", "6")]) }
        for entry in entries { sink.write(entry) }
        #expect(sink.pendingBytes > 0, "the socket should have filled")
        var received: [[UInt8]] = []
        for _ in 0..<10_000 where received.count < entries.count {
            received += socket.datagrams()
            sink.flushPending()
        }
        #expect(received == entries)
        #expect(sink.totalDropped == 0)
    }

    @Test func failingOutputDropsAndCountsInsteadOfQueueing() throws {
        let socket = try LogSocketPair(type: Int32(SOCK_STREAM.rawValue))
        socket.closeReader()
        let sink = LogSink(output: .stream(fd: socket.writer, isSocket: true), droppedReport: Self.report)
        for index in 0..<3 { sink.write(Self.line(index, size: 100)) }
        #expect(sink.pendingBytes == 0)
        #expect(sink.totalDropped >= 3)
    }

    @Test func sinkWithoutOutputCountsEveryLine() {
        let sink = LogSink(output: nil, droppedReport: Self.report)
        for index in 0..<3 { sink.write(Self.line(index, size: 100)) }
        #expect(sink.totalDropped == 3)
        #expect(sink.pendingBytes == 0)
        #expect(!sink.isJournal)
    }

    @Test func entryLargerThanTheCapacityIsDroppedAndTheNextOneFits() throws {
        let pipe = try LogPipe()
        let sink = Self.sink(pipe)
        sink.write([UInt8](repeating: 65, count: LogSink.capacityBytes + 4096 + 1))
        #expect(sink.totalDropped == 1)
        #expect(pipe.drain().isEmpty, "nothing of a dropped entry is written")
        sink.write(Array("small\n".utf8))
        #expect(pipe.drain() == Self.report(1) + Array("small\n".utf8))
    }

    @Test func drainGivesUpOnAStalledReaderWithinItsTime() throws {
        let pipe = try LogPipe()
        let sink = Self.sink(pipe)
        for index in 0..<100 { sink.write(Self.line(index, size: 1000)) }
        let pending = sink.pendingBytes
        try #require(pending > 0)
        let started = SocketIO.monotonicMilliseconds()
        sink.drain(milliseconds: 100)
        let elapsed = SocketIO.monotonicMilliseconds() - started
        #expect(elapsed >= 90)
        #expect(elapsed < 2000)
        #expect(sink.pendingBytes == pending)

        let empty = LogSink(output: .stream(fd: pipe.writer, isSocket: false), droppedReport: Self.report)
        let quick = SocketIO.monotonicMilliseconds()
        empty.drain(milliseconds: 5000)
        #expect(SocketIO.monotonicMilliseconds() - quick < 1000, "nothing waiting: drain returns at once")
    }
}
