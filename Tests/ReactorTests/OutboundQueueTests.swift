import Glibc
import Reactor
import Testing

@Test func queueWritesChunksInOrder() throws {
    let pair = try SocketPair()
    var queue = OutboundQueue()
    queue.append(ByteChunk(Array("hello ".utf8)))
    queue.append(ByteChunk(Array("world".utf8)))
    #expect(queue.byteCount == 11)
    #expect(queue.flush(to: pair.writer) == .drained)
    #expect(queue.isEmpty)
    #expect(pair.drain() == Array("hello world".utf8))
}

@Test func emptyChunksAreIgnored() {
    var queue = OutboundQueue()
    queue.append(ByteChunk([]))
    #expect(queue.isEmpty)
}

@Test func sharedChunkIsQueuedToManyQueues() throws {
    let chunk = ByteChunk(Array("shared".utf8))
    let pairs = [try SocketPair(), try SocketPair()]
    var queues = [OutboundQueue(), OutboundQueue()]
    for index in queues.indices { queues[index].append(chunk) }
    for index in queues.indices {
        #expect(queues[index].flush(to: pairs[index].writer) == .drained)
        #expect(pairs[index].drain() == Array("shared".utf8))
    }
}

@Test func partialWritesResumeWhereTheyStopped() throws {
    let pair = try SocketPair(sendBuffer: 4096)
    var queue = OutboundQueue()
    var expected: [UInt8] = []
    for index in 0..<200 {
        let bytes = [UInt8](repeating: UInt8(index & 0xFF), count: 1000 + index)
        expected += bytes
        queue.append(ByteChunk(bytes))
    }
    var received: [UInt8] = []
    var rounds = 0
    while !queue.isEmpty && rounds < 10_000 {
        let result = queue.flush(to: pair.writer)
        #expect(result == .drained || result == .wouldBlock)
        received += pair.drain()
        rounds += 1
    }
    received += pair.drain()
    #expect(queue.isEmpty)
    expectSameBytes(received, expected)
    #expect(rounds > 1, "the small send buffer should have forced several flushes")
}

@Test func flushToAClosedPeerFails() throws {
    let pair = try SocketPair()
    pair.closeReader()
    signal(SIGPIPE, SIG_IGN)
    var queue = OutboundQueue()
    queue.append(ByteChunk([1, 2, 3]))
    let result = queue.flush(to: pair.writer)
    #expect(result == .failed(EPIPE))
}

@Test func removeAllDropsPendingBytes() {
    var queue = OutboundQueue()
    queue.append(ByteChunk([1, 2, 3]))
    queue.removeAll()
    #expect(queue.isEmpty && queue.byteCount == 0)
}

@Test func removeUnstartedKeepsAHalfWrittenChunkWhole() throws {
    let pair = try SocketPair(sendBuffer: 4096)
    var queue = OutboundQueue()
    let first = [UInt8](repeating: 7, count: 300_000)
    queue.append(ByteChunk(first))
    queue.append(ByteChunk([UInt8](repeating: 8, count: 1000)))
    #expect(queue.flush(to: pair.writer) == .wouldBlock)
    var received = pair.drain()
    #expect(!received.isEmpty && received.count < first.count, "the first chunk should be half written")
    queue.removeUnstarted()
    #expect(queue.byteCount == first.count - received.count)
    queue.append(ByteChunk([9]))
    var rounds = 0
    while !queue.isEmpty && rounds < 10_000 {
        _ = queue.flush(to: pair.writer)
        received += pair.drain()
        rounds += 1
    }
    received += pair.drain()
    expectSameBytes(received, first + [9])
}

@Test func removeUnstartedDropsEverythingWhenNothingWasWritten() {
    var queue = OutboundQueue()
    queue.append(ByteChunk([1, 2, 3]))
    queue.append(ByteChunk([4]))
    queue.removeUnstarted()
    #expect(queue.isEmpty && queue.byteCount == 0)
}
