import Logging
import Testing

@testable import ChatServer

/// The human-readable stderr log line.
@Suite struct LogLineFormatterTests {
    /// 2026-11-21T10:00:00.123Z in milliseconds since the epoch.
    private let sampleTime: Int64 = 1_795_255_200_123

    @Test func formatsTheContractExample() {
        let line = LogLineFormatter.format(
            millisecondsSinceEpoch: sampleTime,
            level: .info,
            message: "client connected",
            metadata: ["event": "connect", "client": "127.0.0.1:5555"]
        )
        #expect(line == "2026-11-21T10:00:00.123Z info  client connected client=127.0.0.1:5555 event=connect")
    }

    @Test func padsShortLevelsAndKeepsLongOnes() {
        let warning = LogLineFormatter.format(
            millisecondsSinceEpoch: 0, level: .warning, message: "m", metadata: [:])
        #expect(warning == "1970-01-01T00:00:00.000Z warning m")
        let error = LogLineFormatter.format(millisecondsSinceEpoch: 0, level: .error, message: "m", metadata: [:])
        #expect(error == "1970-01-01T00:00:00.000Z error m")
    }

    @Test func quotesValuesWithSpacesAndEscapesControlCharacters() {
        let line = LogLineFormatter.format(
            millisecondsSinceEpoch: sampleTime,
            level: .notice,
            message: "closed\nfake line",
            metadata: ["reason": "peer closed", "empty": "", "quote": "say \"hi\"", "code": "1000"]
        )
        #expect(
            line == "2026-11-21T10:00:00.123Z notice closed\\nfake line code=1000 empty=\"\" quote=\"say \\\"hi\\\"\" "
                + "reason=\"peer closed\""
        )
    }

    @Test func nonStringMetadataUsesItsDescription() {
        let line = LogLineFormatter.format(
            millisecondsSinceEpoch: sampleTime,
            level: .debug,
            message: "m",
            metadata: ["connections": .stringConvertible(42), "list": ["a", "b"]]
        )
        #expect(line.hasSuffix(#" m connections=42 list="[\"a\", \"b\"]""#))
    }

    @Test func timestampsAcrossCalendarEdges() {
        #expect(UTCTimestamp.iso8601(millisecondsSinceEpoch: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.iso8601(millisecondsSinceEpoch: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(UTCTimestamp.iso8601(millisecondsSinceEpoch: 1_709_251_199_999) == "2024-02-29T23:59:59.999Z")
        #expect(UTCTimestamp.iso8601(millisecondsSinceEpoch: 4_102_444_800_000) == "2100-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.iso8601(millisecondsSinceEpoch: -1) == "1969-12-31T23:59:59.999Z")
    }
}
