import CLinux
import ExtrasBase64
import Glibc

/// The generator's event loop: opens client WebSockets, reads and parses what servers send, writes
/// what scenarios queue.
final class LoadDriver {
    let poller: Poller
    let url: WebSocketURL
    private let sources: [String]
    private var nextSource = 0
    /// Clients by file descriptor.
    private var clients: [ClientConnection?] = []
    private let readBuffer: UnsafeMutableRawBufferPointer
    private let mask: UInt32
    /// The mode's behaviour; it refers back to the driver unowned, so this reference owns it.
    private let scenario: any Scenario
    /// Connections whose handshake has not completed yet.
    private(set) var pendingHandshakes = 0
    /// Time of the last event handled (ns).
    private(set) var now: UInt64 = MonotonicClock.now()
    /// Frames the generator could not parse (protocol errors by the server).
    private(set) var protocolErrors = 0

    init(url: WebSocketURL, sources: [String], scenario: any Scenario) throws(LoadError) {
        self.scenario = scenario
        poller = try Poller()
        self.url = url
        self.sources = sources.isEmpty ? ["127.0.0.1"] : sources
        readBuffer = .allocate(byteCount: 256 << 10, alignment: 16)
        mask = UInt32(truncatingIfNeeded: MonotonicClock.now() &* 0x9E37_79B9_7F4A_7C15 >> 17) | 1
    }

    deinit { readBuffer.deallocate() }

    /// Starts connecting a client that will request `target` (offering `subprotocol`, e.g. "chatd.v1", when
    /// given); the scenario hears `opened` later.
    @discardableResult
    func open(
        target: String, index: Int, receiveBuffer: Int32? = nil, subprotocol: String? = nil
    ) throws(LoadError) -> ClientConnection {
        let source = sources[nextSource % sources.count]
        nextSource &+= 1
        let fd = try ClientSocket.connect(host: url.host, port: url.port, source: source, receiveBuffer: receiveBuffer)
        let offer = subprotocol.map { "Sec-WebSocket-Protocol: \($0)\r\n" } ?? ""
        let request = Array(
            ("GET \(target) HTTP/1.1\r\nHost: \(url.host):\(url.port)\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: \(Self.key())\r\nSec-WebSocket-Version: 13\r\n"
                + offer + "\r\n").utf8
        )
        let client = ClientConnection(fd: fd, index: index, request: request, startedAt: MonotonicClock.now())
        let slot = Int(fd)
        if slot >= clients.count { clients.append(contentsOf: repeatElement(nil, count: slot - clients.count + 1024)) }
        clients[slot] = client
        poller.add(fd, Interest.write)
        pendingHandshakes += 1
        return client
    }

    /// Runs one poll pass: waits up to `timeoutMs`, handles every ready socket.
    @inline(__always)
    func pass(timeoutMs: Int32) {
        poller.wait(timeoutMs: timeoutMs) { fd, ready in
            self.now = MonotonicClock.now()
            self.handle(fd, ready)
        }
        now = MonotonicClock.now()
    }

    /// Appends a masked text frame carrying `payload` to the client's queue (not yet written).
    @inline(__always)
    func queueText(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer) {
        ClientFrame.append(opcode: ClientFrame.text, payload: payload, mask: mask, to: &client.outbound)
    }

    /// Queues a close frame (1000) and writes it; the server's reply ends the connection.
    func sendClose(_ client: ClientConnection) {
        ClientFrame.appendClose(code: 1000, mask: mask, to: &client.outbound)
        flush(client)
    }

    /// Writes as much queued output as the socket takes; watches writability for the rest.
    func flush(_ client: ClientConnection) {
        guard client.phase == .open, client.hasPendingOutput else { return }
        let result = client.outbound.withUnsafeBytes { all in
            ClientSocket.send(client.fd, UnsafeRawBufferPointer(rebasing: all[client.outboundOffset...]))
        }
        if result < 0 {
            end(client, .failed(Int32(-result)))
            return
        }
        client.outboundOffset += result
        if client.outboundOffset == client.outbound.count {
            client.outbound.removeAll(keepingCapacity: true)
            client.outboundOffset = 0
            if client.watchingWritable {
                client.watchingWritable = false
                poller.modify(client.fd, client.reading ? Interest.read : Interest.none)
            }
        } else if !client.watchingWritable {
            client.watchingWritable = true
            poller.modify(client.fd, client.reading ? Interest.readWrite : Interest.write)
        }
    }

    /// Stops reading a client (the stalled reader): the server's frames pile up in the kernel.
    func stopReading(_ client: ClientConnection) {
        client.reading = false
        poller.modify(client.fd, client.watchingWritable ? Interest.write : Interest.none)
    }

    /// Lets a stopped client read again for up to `seconds`: everything the server had queued arrives,
    /// then (if the server had given up on it) its close frame or end of stream. Returns true when the
    /// server closed the connection.
    func drainStopped(_ client: ClientConnection, seconds: Double) -> Bool {
        guard client.phase == .open else { return true }
        client.reading = true
        poller.modify(client.fd, client.watchingWritable ? Interest.readWrite : Interest.read)
        let until = MonotonicClock.now() &+ UInt64(seconds * 1e9)
        while client.phase == .open && MonotonicClock.now() < until { pass(timeoutMs: 10) }
        return client.phase == .closed
    }

    /// Closes a client from this side without ceremony.
    func closeLocally(_ client: ClientConnection) {
        end(client, .local)
    }

    /// Every client still known (open or connecting).
    func forEachClient(_ body: (ClientConnection) -> Void) {
        for case let client? in clients { body(client) }
    }

    @inline(__always)
    private func handle(_ fd: Int32, _ ready: UInt32) {
        guard Int(fd) < clients.count, let client = clients[Int(fd)] else { return }
        switch client.phase {
        case .connecting:
            let error = ready & Ready.failure != 0 ? ClientSocket.pendingError(fd) : 0
            if error != 0 {
                end(client, .failed(error))
                return
            }
            if ready & Ready.output != 0 { startHandshake(client) }
        case .handshaking, .open:
            if ready & (Ready.input | Ready.failure) != 0 && client.reading {
                _ = readOnce(client)
            }
            if ready & Ready.output != 0 && client.phase == .open { flush(client) }
        case .closed:
            return
        }
    }

    private func startHandshake(_ client: ClientConnection) {
        let error = ClientSocket.pendingError(client.fd)
        if error != 0 {
            end(client, .failed(error))
            return
        }
        let written = client.request.withUnsafeBytes { ClientSocket.send(client.fd, $0) }
        guard written == client.request.count else {
            end(client, .failed(written < 0 ? Int32(-written) : EAGAIN))
            return
        }
        client.request = []
        client.requestSentAt = MonotonicClock.now()
        client.phase = .handshaking
        poller.modify(client.fd, Interest.read)
    }

    /// One read; returns false when nothing more can be read now (would block or ended).
    @inline(__always)
    private func readOnce(_ client: ClientConnection) -> Bool {
        let count = Glibc.read(client.fd, readBuffer.baseAddress, readBuffer.count)
        if count == 0 {
            end(client, client.closeCode.map { .closeFrame($0) } ?? .endOfStream)
            return false
        }
        if count < 0 {
            let code = clinux_errno()
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return false }
            end(client, .failed(code))
            return false
        }
        client.bytesRead &+= count
        var bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
        if client.phase == .handshaking {
            guard let rest = takeResponseHead(client, bytes) else { return true }
            bytes = rest
        }
        frames(client, bytes)
        return client.phase == .open
    }

    /// Collects the HTTP response head; returns the bytes after it once complete (nil: need more).
    private func takeResponseHead(_ client: ClientConnection, _ bytes: UnsafeRawBufferPointer)
        -> UnsafeRawBufferPointer?
    {
        let before = client.responseHead.count
        client.responseHead.append(contentsOf: bytes)
        let head = client.responseHead
        guard let end = Self.endOfHead(head) else {
            if head.count > 16 << 10 { self.end(client, .refused("response head over 16 KiB")) }
            return nil
        }
        let statusLine = head.prefix { $0 != 13 }
        guard statusLine.starts(with: Array("HTTP/1.1 101".utf8)) else {
            self.end(client, .refused(String(decoding: statusLine, as: UTF8.self)))
            return nil
        }
        client.responseHead = []
        client.phase = .open
        client.everOpened = true
        pendingHandshakes -= 1
        scenario.opened(client, at: now)
        let consumed = end - before
        return UnsafeRawBufferPointer(rebasing: bytes[consumed...])
    }

    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count
        where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

    @inline(__always)
    private func frames(_ client: ClientConnection, _ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, client.phase == .open else { return }
        var closing = false
        do {
            try client.scanner.scan(bytes) { opcode, _, payload in
                switch opcode {
                case 0x1:
                    if !closing { self.scenario.text(client, payload, at: self.now) }
                case 0x8:
                    closing = true
                    client.closeCode = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 0
                case 0x9:
                    ClientFrame.append(
                        opcode: ClientFrame.pong, payload: payload, mask: self.mask, to: &client.outbound)
                default:
                    break
                }
            }
        } catch {
            protocolErrors += 1
            end(client, .failed(EPROTO))
            return
        }
        if closing {
            end(client, .closeFrame(client.closeCode == 0 ? nil : client.closeCode))
        } else if client.hasPendingOutput && !client.watchingWritable {
            flush(client)
        }
    }

    private func end(_ client: ClientConnection, _ reason: EndReason) {
        guard client.phase != .closed else { return }
        if client.phase != .open { pendingHandshakes -= 1 }
        client.phase = .closed
        poller.remove(client.fd)
        clients[Int(client.fd)] = nil
        Glibc.close(client.fd)
        scenario.ended(client, reason: reason, at: now)
    }

    /// A Sec-WebSocket-Key: base64 of 16 random bytes, as RFC 6455 section 4.1 asks.
    private static func key() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encodeToString(bytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
