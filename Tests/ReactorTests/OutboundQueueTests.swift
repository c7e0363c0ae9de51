import Glibc
import Reactor
import Testing

/// A connected Unix socket pair with a non-blocking writer end, closed when the test ends.
private final class SocketPair {
    let writer: Int32
    let reader: Int32

    init(sendBuffer: Int32? = nil) {
        var fds: [Int32] = [0, 0]
        let result = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        precondition(result == 0, "socketpair failed")
        writer = fds[0]
        reader = fds[1]
        _ = fcntl(writer, F_SETFL, fcntl(writer, F_GETFL) | O_NONBLOCK)
        _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK)
        if var size = sendBuffer {
            setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit {
        close(writer)
        close(reader)
    }

    /// Reads everything currently available on the reader end.
    func drain() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }
}

@Test func queueWritesChunksInOrder() {
    let pair = SocketPair()
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

@Test func sharedChunkIsQueuedToManyQueues() {
    let chunk = ByteChunk(Array("shared".utf8))
    let pairs = [SocketPair(), SocketPair()]
    var queues = [OutboundQueue(), OutboundQueue()]
    for index in queues.indices { queues[index].append(chunk) }
    for index in queues.indices {
        #expect(queues[index].flush(to: pairs[index].writer) == .drained)
        #expect(pairs[index].drain() == Array("shared".utf8))
    }
}

@Test func partialWritesResumeWhereTheyStopped() {
    let pair = SocketPair(sendBuffer: 4096)
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
    #expect(received == expected)
    #expect(rounds > 1, "the small send buffer should have forced several flushes")
}

@Test func flushToAClosedPeerFails() {
    var fds: [Int32] = [0, 0]
    #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
    close(fds[1])
    signal(SIGPIPE, SIG_IGN)
    var queue = OutboundQueue()
    queue.append(ByteChunk([1, 2, 3]))
    let result = queue.flush(to: fds[0])
    #expect(result == .failed(EPIPE))
    close(fds[0])
}

@Test func removeAllDropsPendingBytes() {
    var queue = OutboundQueue()
    queue.append(ByteChunk([1, 2, 3]))
    queue.removeAll()
    #expect(queue.isEmpty && queue.byteCount == 0)
}

@Test func removeUnstartedKeepsAHalfWrittenChunkWhole() {
    let pair = SocketPair(sendBuffer: 4096)
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
    #expect(received == first + [9])
}

@Test func removeUnstartedDropsEverythingWhenNothingWasWritten() {
    var queue = OutboundQueue()
    queue.append(ByteChunk([1, 2, 3]))
    queue.append(ByteChunk([4]))
    queue.removeUnstarted()
    #expect(queue.isEmpty && queue.byteCount == 0)
}
