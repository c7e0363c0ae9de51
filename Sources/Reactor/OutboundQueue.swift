import CLinux
import Glibc

/// A connection's pending output: shared chunks plus how far the first one has been written.
/// Flushed with `writev`, many chunks per call.
public struct OutboundQueue {
    /// How many chunks one `writev` call gathers.
    static let chunksPerWrite = 1024

    private var chunks: [ByteChunk] = []
    private var head = 0
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
        chunks.append(chunk)
        byteCount += chunk.count
    }

    /// Drops everything queued (used when a connection is aborted).
    public mutating func removeAll() {
        chunks.removeAll()
        head = 0
        headOffset = 0
        byteCount = 0
    }

    /// Drops every chunk not yet started, keeping a half-written first chunk whole so the stream stays
    /// well framed (used to cut a slow consumer's backlog before its close frame).
    public mutating func removeUnstarted() {
        guard headOffset > 0, head < chunks.count else {
            removeAll()
            return
        }
        let partial = chunks[head]
        chunks.removeAll()
        chunks.append(partial)
        head = 0
        byteCount = partial.count - headOffset
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
        var vectors = [iovec](repeating: iovec(), count: Self.chunksPerWrite)
        while !isEmpty {
            let available = min(chunks.count - head, Self.chunksPerWrite)
            for slot in 0..<available {
                let chunk = chunks[head + slot]
                let skip = slot == 0 ? headOffset : 0
                vectors[slot] = iovec(iov_base: chunk.base + skip, iov_len: chunk.count - skip)
            }
            let written = vectors.withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32(available)) }
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

    /// Advances past `written` bytes, releasing fully written chunks.
    private mutating func consume(_ written: Int) {
        var remaining = written
        byteCount -= written
        while remaining > 0 && head < chunks.count {
            let left = chunks[head].count - headOffset
            if remaining >= left {
                remaining -= left
                head += 1
                headOffset = 0
            } else {
                headOffset += remaining
                remaining = 0
            }
        }
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.capacity <= 1024)
            head = 0
        } else if head >= 256 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }
}
