/// Incremental, limit-enforcing HTTP/1.x request-head parser. Sans-I/O: the head may arrive split at any byte;
/// each line is validated as soon as it is complete, so garbage is rejected early.
public struct HTTPRequestParser: Sendable {
    private let limits: HTTPParserLimits
    /// Bytes of the current (incomplete) line.
    private var line: [UInt8] = []
    /// Total head bytes seen so far, including tolerated leading empty lines.
    private var headBytes = 0
    private var requestLine: (method: String, target: String, version: String)?
    private var headers = HTTPHeaders()
    /// Once a failure is reported the parser keeps reporting it.
    private var failure: HTTPStatus?
    /// True once the head was complete.
    private var isComplete = false

    /// Creates a parser for one connection.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
        line.reserveCapacity(256)
    }

    /// Feed the next bytes. On `.complete`, `consumed` is how many bytes OF THIS CALL'S INPUT belong to the
    /// request head; the rest (already-received WebSocket frames) must be fed to the WebSocket session.
    /// One request per parser: chatd answers every plain request with `Connection: close` and hands an upgraded
    /// connection to the WebSocket session, so bytes fed after `.complete` are a client error (400).
    public mutating func parse(_ bytes: UnsafeRawBufferPointer) -> HTTPParseResult {
        if let failure { return .failure(failure) }
        if isComplete { return fail(.badRequest) }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            headBytes += 1
            if headBytes > limits.maxHeaderBytes {
                return fail(requestLine == nil ? .uriTooLong : .requestHeaderFieldsTooLarge)
            }
            guard byte == ASCII.lf else {
                line.append(byte)
                continue
            }
            if line.last == ASCII.cr { line.removeLast() }
            defer { line.removeAll(keepingCapacity: true) }
            if line.isEmpty {
                guard let requestLine else { continue }  // RFC 9112 §2.2: ignore leading empty lines
                let head = HTTPRequestHead(
                    method: requestLine.method, target: requestLine.target, version: requestLine.version,
                    headers: headers)
                isComplete = true
                line = []
                headers = HTTPHeaders()
                return .complete(head, consumed: index)
            }
            if requestLine == nil {
                switch Self.parseRequestLine(line) {
                case .success(let parsed): requestLine = parsed
                case .failure(let status): return fail(status)
                }
            } else {
                guard headers.entries.count < limits.maxHeaderCount else {
                    return fail(.requestHeaderFieldsTooLarge)
                }
                guard let field = Self.parseHeaderLine(line) else { return fail(.badRequest) }
                headers.entries.append(field)
            }
        }
        return .needMoreData
    }

    /// Records a sticky failure and drops buffered state.
    private mutating func fail(_ status: HTTPStatus) -> HTTPParseResult {
        failure = status
        line = []
        headers = HTTPHeaders()
        return .failure(status)
    }

    /// Parses `METHOD SP target SP HTTP/x.y`, rejecting anything else with 400 (505 for unsupported versions).
    private static func parseRequestLine(
        _ line: [UInt8]
    ) -> RequestLineResult {
        let parts = line.split(separator: ASCII.space, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.badRequest) }
        let method = parts[0]
        let target = parts[1]
        let version = parts[2]
        guard !method.isEmpty, method.allSatisfy(ASCII.isTokenCharacter) else { return .failure(.badRequest) }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .failure(.badRequest) }
        let versionString = String(decoding: version, as: UTF8.self)
        guard versionString.hasPrefix("HTTP/") else { return .failure(.badRequest) }
        let number = versionString.utf8.dropFirst(5)
        let isWellFormed =
            number.count == 3 && number.first.map(isDigit) == true
            && number.dropFirst().first == UInt8(ascii: ".") && number.last.map(isDigit) == true
        guard isWellFormed else {
            let looksNumeric = !number.isEmpty && number.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ".") }
            return .failure(looksNumeric ? .httpVersionNotSupported : .badRequest)
        }
        guard versionString == "HTTP/1.1" || versionString == "HTTP/1.0" else {
            return .failure(.httpVersionNotSupported)
        }
        return .success(
            (
                method: String(decoding: method, as: UTF8.self), target: String(decoding: target, as: UTF8.self),
                version: versionString
            ))
    }

    /// The outcome of parsing a request line.
    private enum RequestLineResult {
        case success((method: String, target: String, version: String))
        case failure(HTTPStatus)
    }

    /// Parses `name: value`; nil for folded lines, whitespace before the colon, bad names or control bytes.
    private static func parseHeaderLine(_ line: [UInt8]) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: ASCII.colon), colon > 0 else { return nil }
        let name = line[..<colon]
        guard name.allSatisfy(ASCII.isTokenCharacter) else { return nil }  // also rejects obs-fold and "name :"
        var value = line[(colon + 1)...]
        guard value.allSatisfy({ $0 == ASCII.tab || ($0 >= 0x20 && $0 != 0x7F) }) else { return nil }
        while let first = value.first, first == ASCII.space || first == ASCII.tab { value = value.dropFirst() }
        while let last = value.last, last == ASCII.space || last == ASCII.tab { value = value.dropLast() }
        return (name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    /// ASCII decimal digit test.
    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
