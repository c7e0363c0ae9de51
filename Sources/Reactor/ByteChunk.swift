/// An immutable, reference-counted run of bytes with a stable address, so one encoded frame can sit
/// in many connections' outbound queues at once and be handed to `writev` without copying.
///
/// The bytes live in the same heap object as the reference count (tail allocation), so making a chunk
/// costs one allocation, not two.
public struct ByteChunk {
    /// The heap object that owns the bytes; copies of the chunk share it.
    private let storage: ByteChunkStorage

    /// Allocates `count` bytes and lets `fill` write all of them.
    public init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let size = max(count, 0)
        let buffer = ByteChunkStorage.create(minimumCapacity: size) { _ in size }
        storage = unsafeDowncast(buffer, to: ByteChunkStorage.self)
        storage.withUnsafeMutablePointerToElements { elements in
            fill(UnsafeMutableRawBufferPointer(start: elements, count: size))
        }
    }

    /// Copies `bytes` into a new chunk.
    public init(_ bytes: [UInt8]) {
        self.init(count: bytes.count) { buffer in
            bytes.withUnsafeBytes { source in
                if let from = source.baseAddress, let to = buffer.baseAddress {
                    to.copyMemory(from: from, byteCount: source.count)
                }
            }
        }
    }

    /// Start of the bytes; valid while any copy of the chunk exists (heap objects never move).
    public var base: UnsafeMutableRawPointer {
        storage.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
    }

    /// Number of bytes. Read through the header pointer: `ManagedBuffer.header` is a class property, and reading
    /// it directly costs a dynamic exclusivity check on every access (several per delivered frame).
    public var count: Int { storage.withUnsafeMutablePointerToHeader { $0.pointee } }

    /// The bytes as a read-only buffer.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// The reference-counted object behind a `ByteChunk`: the byte count as header, the bytes tail-allocated after it.
private final class ByteChunkStorage: ManagedBuffer<Int, UInt8> {}
