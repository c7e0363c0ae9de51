/// An immutable, reference-counted run of bytes with a stable address, so one encoded frame can sit
/// in many connections' outbound queues at once and be handed to `writev` without copying.
public final class ByteChunk {
    /// Start of the bytes; valid for the chunk's lifetime.
    public let base: UnsafeMutableRawPointer
    /// Number of bytes.
    public let count: Int

    /// Allocates `count` bytes and lets `fill` write all of them.
    public init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let size = max(count, 0)
        base = .allocate(byteCount: max(size, 1), alignment: 16)
        self.count = size
        fill(UnsafeMutableRawBufferPointer(start: base, count: size))
    }

    /// Copies `bytes` into a new chunk.
    public convenience init(_ bytes: [UInt8]) {
        self.init(count: bytes.count) { buffer in
            bytes.withUnsafeBytes { source in
                if let from = source.baseAddress, let to = buffer.baseAddress {
                    to.copyMemory(from: from, byteCount: source.count)
                }
            }
        }
    }

    deinit { base.deallocate() }

    /// The bytes as a read-only buffer.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
