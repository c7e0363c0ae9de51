import Glibc
import Reactor
import Testing

/// OutboundQueue against real sockets that take only part of each write: byte order and the queue's bookkeeping
/// must survive every cut, on both the single-chunk `write` path and the `writev` path.
@Suite struct OutboundQueuePartialWriteTests {
    /// A queue, the socket pair it flushes into, and what the test appended and received, so the invariant
    /// "appended = received + still in the socket + still queued" can be checked after every step.
    private final class Harness {
        let pair: SocketPair
        var queue = OutboundQueue()
        private(set) var appended: [UInt8] = []
        private(set) var received: [UInt8] = []
        /// Set at the first out-of-order byte; loops stop then, so one mistake is one failure, not thousands.
        private(set) var broken = false

        init(sendBuffer: Int32? = 4096) throws {
            pair = try SocketPair(sendBuffer: sendBuffer)
        }

        /// Appends the next `count` bytes of the stream as one chunk.
        func append(count: Int) {
            let bytes = streamBytes(from: appended.count, count: count)
            appended += bytes
            queue.append(ByteChunk(bytes))
        }

        /// Flushes once and checks what the result promises.
        @discardableResult
        func flush() -> OutboundQueue.FlushResult {
            let result = queue.flush(to: pair.writer)
            switch result {
            case .drained: #expect(queue.isEmpty && queue.byteCount == 0)
            case .wouldBlock: #expect(!queue.isEmpty && queue.byteCount > 0)
            case .failed(let code): Issue.record("unexpected failure \(code)")
            }
            checkInvariants()
            return result
        }

        /// Reads up to `limit` bytes from the peer.
        func read(upTo limit: Int) {
            receive(pair.read(upTo: limit))
            checkInvariants()
        }

        /// Reads everything the peer has; then nothing is in flight and the count must match exactly.
        func drain() {
            receive(pair.drain())
            #expect(queue.byteCount == appended.count - received.count, "queued = appended - delivered")
        }

        /// Records bytes the peer read, checking they continue the appended stream exactly.
        private func receive(_ bytes: [UInt8]) {
            let start = received.count
            received += bytes
            guard !broken else { return }
            guard received.count <= appended.count else {
                Issue.record("received \(received.count) bytes, appended only \(appended.count)")
                broken = true
                return
            }
            if bytes[...] != appended[start..<received.count] {
                Issue.record("bytes \(start)..<\(received.count) are not the appended ones: out of order or repeated")
                broken = true
            }
        }

        /// Flushes and drains until the queue is empty (bounded), then checks the whole stream.
        func finish() {
            var rounds = 0
            while !queue.isEmpty && !broken && rounds < 100_000 {
                flush()
                drain()
                rounds += 1
            }
            drain()
            #expect(queue.isEmpty)
            #expect(!broken && received.count == appended.count, "every appended byte arrived, in order")
        }

        /// What holds at every step: nothing is lost or invented, and isEmpty agrees with byteCount.
        func checkInvariants() {
            let inFlight = appended.count - received.count - queue.byteCount
            #expect(inFlight >= 0, "more bytes accounted for than were appended")
            #expect(queue.isEmpty == (queue.byteCount == 0))
        }
    }

    @Test func bigChunksThroughASmallBufferKeepOrderAcrossManyFlushes() throws {
        let harness = try Harness()
        for index in 0..<20 { harness.append(count: 50_000 + index * 317) }
        var flushes = 0
        while !harness.queue.isEmpty && !harness.broken && flushes < 100_000 {
            harness.flush()
            harness.drain()
            flushes += 1
        }
        harness.finish()
        #expect(flushes > 20, "each chunk needed several writes")
    }

    @Test func wouldBlockMakesNoProgressUntilTheReaderDrains() throws {
        let harness = try Harness()
        harness.append(count: 256 * 1024)
        #expect(harness.flush() == .wouldBlock)
        let stuck = harness.queue.byteCount
        #expect(harness.flush() == .wouldBlock)
        #expect(harness.queue.byteCount == stuck, "a full socket takes nothing more")
        var result = OutboundQueue.FlushResult.wouldBlock
        var rounds = 0
        while result == .wouldBlock && !harness.broken && rounds < 10_000 {
            harness.drain()
            result = harness.flush()
            rounds += 1
        }
        #expect(result == .drained)
        harness.finish()
    }

    @Test func headOffsetCarriesOverFromWriteToWritev() throws {
        // The only chunk is cut by `write`; chunks appended afterwards go out with `writev`, whose first vector
        // must start where `write` stopped.
        let harness = try Harness()
        harness.append(count: 100_000)
        #expect(harness.flush() == .wouldBlock)
        harness.drain()
        let offset = harness.received.count
        #expect(offset > 0 && offset < 100_000, "the chunk was cut mid-way")
        #expect(harness.queue.byteCount == 100_000 - offset)
        for _ in 0..<5 { harness.append(count: 777) }
        harness.finish()
    }

    @Test func writeEndingMidChunkResumesAtTheRightByte() throws {
        // Odd sizes so cuts land at arbitrary offsets inside chunks; a chunk resent from its start or skipped
        // ahead would shift every later byte of the position-dependent stream.
        let harness = try Harness()
        for index in 0..<300 { harness.append(count: 1 + (index * 7919) % 3001) }
        harness.finish()
    }

    @Test func moreChunksThanOneWritevTakesArriveInOrder() throws {
        let harness = try Harness(sendBuffer: nil)
        for index in 0..<3000 { harness.append(count: 1 + index % 7) }
        #expect(harness.flush() == .drained, "three writev calls in one flush")
        harness.drain()
        harness.finish()
    }

    @Test func manyChunksThroughASmallBufferWithAppendsInBetween() throws {
        // A long queue consumed a little at a time, with more appended meanwhile: exercises the compaction of
        // the consumed part of the queue while a chunk is half written.
        let harness = try Harness()
        var random = SeededRandom(seed: 42)
        for _ in 0..<5000 { harness.append(count: Int.random(in: 1...60, using: &random)) }
        for _ in 0..<400 where !harness.broken {
            harness.flush()
            harness.read(upTo: Int.random(in: 1...9000, using: &random))
            for _ in 0..<Int.random(in: 0...20, using: &random) {
                harness.append(count: Int.random(in: 1...60, using: &random))
            }
        }
        harness.finish()
    }

    @Test func randomMixOfAppendsFlushesAndReadsKeepsTheBooks() throws {
        let harness = try Harness()
        var random = SeededRandom(seed: 7)
        for _ in 0..<2000 where !harness.broken {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4: harness.append(count: Int.random(in: 0...5000, using: &random))
            case 4..<7: harness.flush()
            case 7..<9: harness.read(upTo: Int.random(in: 1...20_000, using: &random))
            default: harness.drain()
            }
        }
        harness.finish()
    }

    @Test func emptyChunksAreSkippedBetweenRealOnes() throws {
        var queue = OutboundQueue()
        queue.append(ByteChunk([]))
        queue.append(ByteChunk(count: 0) { _ in })
        #expect(queue.flush(to: -1) == .drained, "an empty queue makes no system call")
        let harness = try Harness(sendBuffer: nil)
        harness.append(count: 10)
        harness.queue.append(ByteChunk([]))
        harness.append(count: 20)
        harness.queue.append(ByteChunk(count: 0) { _ in })
        #expect(harness.queue.byteCount == 30)
        harness.finish()
    }

    @Test func removeAllMidChunkStartsTheNextChunkFromItsFirstByte() throws {
        let harness = try Harness()
        harness.append(count: 100_000)
        #expect(harness.flush() == .wouldBlock)
        harness.drain()
        harness.queue.removeAll()
        #expect(harness.queue.isEmpty && harness.queue.byteCount == 0)
        let next = streamBytes(from: 1_000_000, count: 5000)
        harness.queue.append(ByteChunk(next))
        let before = harness.pair.drain()
        #expect(before.isEmpty)
        var rounds = 0
        var after: [UInt8] = []
        while !harness.queue.isEmpty && rounds < 10_000 {
            _ = harness.queue.flush(to: harness.pair.writer)
            after += harness.pair.drain()
            rounds += 1
        }
        expectSameBytes(after, next, "no stale offset from the dropped chunk")
    }

    @Test func removeUnstartedAfterWritevLeavesOnlyWholeFrames() throws {
        // Length-prefixed frames, cut while one is half written; then a final frame. The peer must be able to
        // parse every frame it receives: whole frames from the start, the cut one completed, then the final one.
        let pair = try SocketPair(sendBuffer: 4096)
        var queue = OutboundQueue()
        var frames: [[UInt8]] = []
        var boundaries: [Int] = [0]
        for index in 0..<300 {
            let payload = streamBytes(from: index * 10_000, count: 200 + (index * 37) % 1800)
            let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
            frames.append(payload)
            boundaries.append((boundaries.last ?? 0) + frame.count)
            queue.append(ByteChunk(frame))
        }
        let total = boundaries.last ?? 0
        var received: [UInt8] = []
        var rounds = 0
        repeat {
            #expect(queue.flush(to: pair.writer) == .wouldBlock)
            received += pair.drain()
            rounds += 1
        } while (boundaries.contains(received.count) || received.count < 10_000) && rounds < 1000
        try #require(!boundaries.contains(received.count), "a flush should end inside a frame")
        #expect(received.count == total - queue.byteCount)
        let frameEnd = try #require(boundaries.first { $0 > received.count })
        queue.removeUnstarted()
        #expect(queue.byteCount == frameEnd - received.count, "only the rest of the started frame is left")
        queue.append(ByteChunk([0, 1, 0xFF]))
        rounds = 0
        while !queue.isEmpty && rounds < 10_000 {
            _ = queue.flush(to: pair.writer)
            received += pair.drain()
            rounds += 1
        }
        received += pair.drain()
        let parsed = try #require(Self.parseFrames(received), "the stream must split into whole frames")
        let whole = try #require(boundaries.firstIndex(of: frameEnd))
        #expect(parsed == Array(frames.prefix(whole)) + [[0xFF]])
    }

    @Test func failedAfterThePeerClosesMidStream() throws {
        signal(SIGPIPE, SIG_IGN)
        let harness = try Harness()
        for _ in 0..<50 { harness.append(count: 1000) }
        #expect(harness.flush() == .wouldBlock)
        let queued = harness.queue.byteCount
        harness.pair.closeReader()
        #expect(harness.queue.flush(to: harness.pair.writer) == .failed(EPIPE))
        #expect(harness.queue.byteCount == queued, "a failed write consumes nothing")
        harness.queue.removeAll()
        #expect(harness.queue.isEmpty)
    }

    /// Splits a stream of 2-byte-length-prefixed frames; nil when it ends inside a frame.
    private static func parseFrames(_ stream: [UInt8]) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var index = 0
        while index < stream.count {
            guard index + 2 <= stream.count else { return nil }
            let length = Int(stream[index]) << 8 | Int(stream[index + 1])
            guard index + 2 + length <= stream.count else { return nil }
            frames.append(Array(stream[index + 2..<index + 2 + length]))
            index += 2 + length
        }
        return frames
    }
}
