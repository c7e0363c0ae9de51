import Glibc
import WebSocket
import WebSocketServer

/// The peer of one connection under test: the client end of a socket pair whose other end the server's
/// `ConnectionTable` adopted. Non-blocking; it reads only when a test asks it to, so a client that "stops reading" is one the test
/// leaves alone. Closes its descriptor when released.
final class TestClient {
    /// The id the table gave the server end (`TestClient.refused` when the table refused it).
    let id: ConnectionID
    /// The client end's descriptor (-1 once closed).
    private(set) var fd: Int32
    /// Every byte received so far, HTTP response head included.
    private(set) var received: [UInt8] = []
    /// True once a read returned end-of-stream (the server closed or shut down its side).
    private(set) var sawEndOfStream = false
    /// Frames parsed from the bytes after the HTTP response head, in arrival order.
    private(set) var frames: [ServerFrame] = []
    /// The response head (status line and headers) once a 101 head is complete, else nil.
    private(set) var upgradeHead: String?
    /// Where the WebSocket stream starts in `received` (after the 101 head); nil until the head is complete.
    private var streamStart: Int?
    /// Where the next unparsed frame starts in `received`.
    private var parsedOffset = 0

    /// The id of a connection the table refused to adopt.
    static let refused = ConnectionID(rawValue: .max)

    /// Wraps the client end `fd` of the connection `id`.
    init(fd: Int32, id: ConnectionID) {
        self.fd = fd
        self.id = id
    }

    deinit { close() }

    /// Closes the client end (the peer goes away); later calls do nothing.
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends FIN (the peer finished sending but still reads).
    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Writes as much of `bytes[offset...]` as the socket takes now; returns how many bytes that was.
    @discardableResult
    func send(_ bytes: [UInt8], from offset: Int = 0) -> Int {
        var sent = offset
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + sent }, $0.count - sent) }
            if count <= 0 { break }
            sent += count
        }
        return sent - offset
    }

    /// Reads everything that has arrived and forgets every complete frame in it (a partial frame is kept): for a
    /// client whose earlier frames do not matter, so that `frames` shows only what comes next. Cheap: frames are
    /// measured, not copied.
    func discardReceived() {
        readAvailable()
        if streamStart == nil {
            guard let end = headEnd(), isUpgradeHead(end) else { return }
            upgradeHead = String(decoding: received[0..<end], as: UTF8.self)
            streamStart = end
            parsedOffset = end
        }
        while let (header, length) = ServerFrame.measure(received, at: parsedOffset) {
            parsedOffset += header + length
        }
        received.removeFirst(parsedOffset)
        streamStart = 0
        parsedOffset = 0
        frames.removeAll()
    }

    /// Reads everything that has arrived (never blocks) and parses new frames; returns the bytes read.
    @discardableResult
    func receive() -> Int {
        let total = readAvailable()
        parseFrames()
        return total
    }

    /// Appends everything that has arrived to `received`; returns the bytes read.
    @discardableResult
    private func readAvailable() -> Int {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fd >= 0 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
                total += count
            } else {
                if count == 0 { sawEndOfStream = true }
                break
            }
        }
        return total
    }

    /// Reads what arrived; true once the server's FIN did.
    func receiveEnd() -> Bool {
        receive()
        return sawEndOfStream
    }

    /// Reads what arrived; true once the 101 response did.
    func receiveUpgrade() -> Bool {
        receive()
        return isUpgraded
    }

    /// The response head (status line and headers) once it is complete, else nil.
    var responseHead: String? {
        if let upgradeHead { return upgradeHead }
        guard let end = headEnd() else { return nil }
        return String(decoding: received[0..<end], as: UTF8.self)
    }

    /// The whole received stream as text (plain HTTP responses).
    var receivedText: String { String(decoding: received, as: UTF8.self) }

    /// True once the 101 response arrived.
    var isUpgraded: Bool { upgradeHead != nil }

    /// The data frames received, as text.
    var texts: [String] { frames.filter(\.isData).map(\.text) }

    /// The close frames received.
    var closeFrames: [ServerFrame] { frames.filter(\.isClose) }

    /// The frames that arrived after the first close frame (must stay empty: nothing follows a close).
    var framesAfterClose: [ServerFrame] {
        guard let index = frames.firstIndex(where: \.isClose) else { return [] }
        return Array(frames[(index + 1)...])
    }

    /// Bytes after the last complete frame (a frame still arriving).
    var unparsedByteCount: Int { received.count - parsedOffset }

    private func headEnd() -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard received.count >= 4 else { return nil }
        for index in 0...(received.count - 4) where received[index..<(index + 4)].elementsEqual(marker) {
            return index + 4
        }
        return nil
    }

    private func parseFrames() {
        if streamStart == nil {
            guard let end = headEnd(), isUpgradeHead(end) else { return }
            upgradeHead = String(decoding: received[0..<end], as: UTF8.self)
            streamStart = end
            parsedOffset = end
        }
        while let (frame, length) = ServerFrame.parse(received, at: parsedOffset) {
            frames.append(frame)
            parsedOffset += length
        }
    }

    private func isUpgradeHead(_ end: Int) -> Bool {
        received[0..<end].starts(with: Array("HTTP/1.1 101 ".utf8))
    }
}

/// Requests and masked frames as a browser would send them.
enum ClientBytes {
    /// A valid `Sec-WebSocket-Key` (base64 of 16 bytes).
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    /// A fixed, non-trivial masking key.
    static let mask: (UInt8, UInt8, UInt8, UInt8) = (0x12, 0x9A, 0x3C, 0xE7)

    /// A WebSocket upgrade request for `path`.
    static func upgrade(_ path: String, subprotocol: String? = nil, extraHeaders: [String] = []) -> [UInt8] {
        var lines = [
            "GET \(path) HTTP/1.1", "Host: chatd.test", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13",
        ]
        if let subprotocol { lines.append("Sec-WebSocket-Protocol: \(subprotocol)") }
        lines += extraHeaders
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// A plain GET for `path`.
    static func get(_ path: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: chatd.test\r\n\r\n".utf8)
    }

    /// A masked frame.
    static func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        WebSocketFrame.encode(opcode: opcode, payload: payload, fin: fin, maskKey: mask)
    }

    /// A masked text frame.
    static func text(_ text: String) -> [UInt8] { frame(.text, Array(text.utf8)) }

    /// A masked close frame with `code` and `reason`.
    static func close(_ code: UInt16, _ reason: String = "") -> [UInt8] {
        frame(.close, [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8))
    }

    /// The masked header of a frame declaring `length` payload bytes, with no payload: the payload bytes that follow
    /// must be masked with `maskPayload(_:from:)`.
    static func header(_ opcode: WebSocketOpcode, length: Int, fin: Bool = true) -> [UInt8] {
        let full = WebSocketFrame.encode(opcode: opcode, payload: [UInt8](), fin: fin, maskKey: mask)
        var header = [full[0]]
        if length <= 125 {
            header.append(0x80 | UInt8(length))
        } else if length <= 0xFFFF {
            header += [0x80 | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            header.append(0x80 | 127)
            header += (0..<8).map { UInt8(truncatingIfNeeded: UInt64(length) >> (56 - 8 * UInt64($0))) }
        }
        return header + [mask.0, mask.1, mask.2, mask.3]
    }

    /// `payload` masked as the part of a frame's payload that starts at byte `offset`.
    static func maskPayload(_ payload: [UInt8], from offset: Int) -> [UInt8] {
        let key = [mask.0, mask.1, mask.2, mask.3]
        return payload.enumerated().map { $0.element ^ key[(offset + $0.offset) & 3] }
    }
}
