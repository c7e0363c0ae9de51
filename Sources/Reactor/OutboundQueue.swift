import CLinux
import Glibc

/// A connection's pending output: shared chunks plus how far the first one has been written.
/// Flushed with `write` (one chunk) or `writev` (many chunks per call).
///
/// Most connections never hold more than one chunk at a time (a broadcast frame per pass, a handshake response),
/// so the oldest chunk sits in its own slot and the array behind it only gets storage when a second chunk waits.
/// An idle connection's queue owns no heap memory.
public struct OutboundQueue {
    /// How many chunks one `writev` call gathers.
    static let chunksPerWrite = 1024

    /// The oldest chunk not yet completely written.
    private var first: ByteChunk?
    /// Chunks queued behind `first`; `rest[restHead...]` are still waiting.
    private var rest: [ByteChunk] = []
    private var restHead = 0
    /// Bytes of `first` already written.
    private var headOffset = 0
    /// Bytes queued and not yet written.
    public private(set) var byteCount = 0

    /// An empty queue.
    public init() {}

    /// True when nothing is waiting to be written.
    public var isEmpty: Bool { byteCount == 0 }

    /// Queues `chunk` behind what is already waiting (no copy; the chunk is shared).
    public mutating func append(_ chunk: ByteChunk) {
        guard chunk.count > 0 else { return }
        if first == nil {
            first = chunk
        } else {
            rest.append(chunk)
        }
        byteCount &+= chunk.count
    }

    /// Drops everything queued (used when a connection is aborted).
    public mutating func removeAll() {
        first = nil
        rest = []
        restHead = 0
        headOffset = 0
        byteCount = 0
    }

    /// Drops every chunk not yet started, keeping a half-written first chunk whole so the stream stays
    /// well framed (used to cut a slow consumer's backlog before its close frame).
    public mutating func removeUnstarted() {
        guard headOffset > 0, let partial = first else {
            removeAll()
            return
        }
        rest = []
        restHead = 0
        byteCount = partial.count &- headOffset
    }

    /// The outcome of trying to write the queue out.
    public enum FlushResult: Equatable, Sendable {
        /// Everything was written.
        case drained
        /// The socket is full; wait for writability.
        case wouldBlock
        /// The socket failed (errno); the connection is gone.
        case failed(Int32)
    }

    /// Writes as much as the socket takes right now.
    public mutating func flush(to fd: Int32) -> FlushResult {
        while let head = first {
            let written = restHead == rest.count ? writeOne(head, to: fd) : writeMany(head, to: fd)
            if written < 0 {
                let code = clinux_errno()
                if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
                if code == EINTR { continue }
                return .failed(code)
            }
            consume(written)
        }
        return .drained
    }

    /// `write` of the unwritten part of the only queued chunk.
    private func writeOne(_ head: ByteChunk, to fd: Int32) -> Int {
        Glibc.write(fd, head.base + headOffset, head.count &- headOffset)
    }

    /// `writev` of up to `chunksPerWrite` chunks, gathered in a stack buffer (no allocation per flush).
    private func writeMany(_ head: ByteChunk, to fd: Int32) -> Int {
        withUnsafeTemporaryAllocation(of: iovec.self, capacity: Self.chunksPerWrite) { vectors in
            vectors[0] = iovec(iov_base: head.base + headOffset, iov_len: head.count &- headOffset)
            var used = 1
            var index = restHead
            while used < Self.chunksPerWrite && index < rest.count {
                let chunk = rest[index]
                vectors[used] = iovec(iov_base: chunk.base, iov_len: chunk.count)
                used &+= 1
                index &+= 1
            }
            return writev(fd, vectors.baseAddress, Int32(used))
        }
    }

    /// Advances past `written` bytes, releasing fully written chunks.
    private mutating func consume(_ written: Int) {
        var remaining = written
        byteCount &-= written
        while remaining > 0, let head = first {
            let left = head.count &- headOffset
            guard remaining >= left else {
                headOffset &+= remaining
                break
            }
            remaining &-= left
            headOffset = 0
            if restHead < rest.count {
                first = rest[restHead]
                restHead &+= 1
            } else {
                first = nil
            }
        }
        if restHead == rest.count {
            if restHead > 0 {
                rest = []
                restHead = 0
            }
        } else if restHead >= 256 && restHead &* 2 >= rest.count {
            rest.removeFirst(restHead)
            restHead = 0
        }
    }
}
