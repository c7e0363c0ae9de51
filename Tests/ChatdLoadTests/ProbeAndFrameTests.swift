import Testing

@testable import chatd_load

@Test func probeRoundTripsBehindARoomPrefix() {
    var payload = [UInt8](repeating: 0, count: 64)
    payload.withUnsafeMutableBytes {
        ProbePayload.write(run: 0xDEAD_BEEF, sentAt: 123_456_789_012, publisher: 3, sequence: 41, into: $0)
    }
    #expect(payload.count == 64 && payload.last == UInt8(ascii: "x"))
    let line = Array("p3: ".utf8) + payload
    let probe = line.withUnsafeBytes { ProbePayload.find(run: 0xDEAD_BEEF, in: $0) }
    #expect(probe?.sentAt == 123_456_789_012)
    #expect(probe?.publisher == 3)
    #expect(probe?.sequence == 41)
}

@Test func probesOfOtherRunsAndOrdinaryTextAreIgnored() {
    var payload = [UInt8](repeating: 0, count: 41)
    payload.withUnsafeMutableBytes { ProbePayload.write(run: 1, sentAt: 5, publisher: 0, sequence: 0, into: $0) }
    #expect(payload.withUnsafeBytes { ProbePayload.find(run: 2, in: $0) } == nil)
    let notice = Array("* m12 joined bench".utf8)
    #expect(notice.withUnsafeBytes { ProbePayload.find(run: 1, in: $0) } == nil)
    let truncated = Array(payload.prefix(30))
    #expect(truncated.withUnsafeBytes { ProbePayload.find(run: 1, in: $0) } == nil)
}

@Test func clientFramesAreMaskedAndUnmaskBackToThePayload() {
    for length in [0, 1, 5, 125, 126, 65535, 65536] {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var out: [UInt8] = []
        payload.withUnsafeBytes {
            ClientFrame.append(opcode: ClientFrame.text, payload: $0, mask: 0x1234_5678, to: &out)
        }
        #expect(out[0] == 0x81)
        #expect(out[1] & 0x80 != 0, "client frames must be masked")
        let header = ClientFrame.headerLength(payload: length)
        #expect(out.count == header + length)
        let key = Array(out[header - 4..<header])
        #expect(key == [0x12, 0x34, 0x56, 0x78])
        let unmasked = out[header...].enumerated().map { $0.element ^ key[$0.offset & 3] }
        #expect(unmasked == payload, "length \(length)")
    }
}

@Test func latencyPercentilesAreWithinABucketOfTheTruth() {
    var histogram = LatencyHistogram()
    for value in 1...10_000 { histogram.record(UInt64(value) * 1000) }
    #expect(histogram.count == 10_000)
    #expect(histogram.maximum == 10_000_000)
    let p50 = Double(histogram.percentile(0.5))
    let p99 = Double(histogram.percentile(0.99))
    #expect(abs(p50 - 5_000_000) / 5_000_000 < 0.04)
    #expect(abs(p99 - 9_900_000) / 9_900_000 < 0.04)
    #expect(histogram.percentile(1.0) == 10_000_000)
}

@Test func urlsNeedAPortAndTheWsScheme() throws {
    let url = try WebSocketURL(parsing: "ws://127.0.0.1:8080/chat/bench")
    #expect(url.host == "127.0.0.1" && url.port == 8080 && url.target == "/chat/bench")
    #expect(url.target(withName: "m1") == "/chat/bench?name=m1")
    #expect(try WebSocketURL(parsing: "ws://127.0.0.1:9/echo?x=1").target(withName: "a") == "/echo?x=1&name=a")
    #expect(throws: LoadError.self) { try WebSocketURL(parsing: "http://127.0.0.1:80/") }
    #expect(throws: LoadError.self) { try WebSocketURL(parsing: "ws://127.0.0.1/") }
}
