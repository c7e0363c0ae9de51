import Reactor
import WebSocket

/// Builds outbound server frames straight into shareable chunks: header and payload written once,
/// so a broadcast frame is encoded a single time and the same bytes go to every member.
public enum FrameChunks {
    /// An unmasked frame carrying `payload`.
    public static func frame(_ opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer) -> ByteChunk {
        let headerLength = WebSocketFrame.headerLength(payloadLength: payload.count)
        return ByteChunk(count: headerLength + payload.count) { buffer in
            let written = WebSocketFrame.writeHeader(
                opcode: opcode, fin: true, payloadLength: payload.count, into: buffer)
            if let source = payload.baseAddress, let destination = buffer.baseAddress, payload.count > 0 {
                (destination + written).copyMemory(from: source, byteCount: payload.count)
            }
        }
    }

    /// An unmasked frame carrying the bytes of `payload`.
    public static func frame(_ opcode: WebSocketOpcode, bytes payload: [UInt8]) -> ByteChunk {
        payload.withUnsafeBytes { frame(opcode, payload: $0) }
    }

    /// A text frame carrying `text` as UTF-8.
    public static func text(_ text: String) -> ByteChunk {
        var text = text
        return text.withUTF8 { frame(.text, payload: UnsafeRawBufferPointer($0)) }
    }
}
