import Reactor
import Testing

/// ByteChunk: one immutable allocation that many outbound queues share without copying.
@Suite struct ByteChunkTests {
    @Test func copiesTheArrayItIsMadeFrom() {
        var source: [UInt8] = [1, 2, 3, 250]
        let chunk = ByteChunk(source)
        source[0] = 9
        #expect(chunk.count == 4)
        #expect(Array(chunk.bytes) == [1, 2, 3, 250], "later changes to the source do not reach the chunk")
        #expect(chunk.bytes.count == chunk.count)
        #expect(chunk.bytes.baseAddress == UnsafeRawPointer(chunk.base))
    }

    @Test func copiesShareOneStorage() {
        let chunk = ByteChunk(Array("frame".utf8))
        let copy = chunk
        let queued = [chunk, chunk, copy]
        #expect(copy.base == chunk.base)
        #expect(queued.allSatisfy { $0.base == chunk.base })
        #expect(queued.allSatisfy { Array($0.bytes) == Array("frame".utf8) })
    }

    @Test func separateChunksHaveSeparateStorage() {
        let first = ByteChunk([7, 7])
        let second = ByteChunk([7, 7])
        #expect(first.base != second.base)
    }

    @Test func zeroLengthChunks() {
        let empty = ByteChunk([])
        #expect(empty.count == 0)
        #expect(empty.bytes.isEmpty)
        var filledSizes: [Int] = []
        let zero = ByteChunk(count: 0) { filledSizes.append($0.count) }
        let negative = ByteChunk(count: -3) { filledSizes.append($0.count) }
        #expect(zero.count == 0)
        #expect(negative.count == 0, "a negative size is an empty chunk")
        #expect(filledSizes == [0, 0])
    }

    @Test func fillWritesEveryByteOnce() {
        var calls = 0
        let expected = streamBytes(from: 0, count: 100_000)
        let chunk = ByteChunk(count: 100_000) { buffer in
            calls += 1
            #expect(buffer.count == 100_000)
            for index in buffer.indices { buffer[index] = expected[index] }
        }
        #expect(calls == 1)
        #expect(chunk.count == 100_000)
        expectSameBytes(Array(chunk.bytes), expected)
    }

    @Test func bytesStayValidWhileAnyCopyLives() {
        var queue: [ByteChunk] = []
        do {
            let original = ByteChunk(streamBytes(from: 5, count: 4096))
            queue.append(original)
        }
        // Churn the allocator so freed memory would be reused and overwritten.
        let churn = (0..<64).map { ByteChunk([UInt8](repeating: 0xEE, count: 4096 + $0)) }
        #expect(churn.count == 64)
        #expect(queue.first.map { Array($0.bytes) } == streamBytes(from: 5, count: 4096))
    }
}
