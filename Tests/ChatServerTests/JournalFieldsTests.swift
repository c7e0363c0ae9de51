import Logging
import Testing

@testable import ChatServer

/// Journal field names, priorities and journal-stream detection.
@Suite struct JournalFieldsTests {
    @Test func metadataKeysBecomeChatdFields() {
        #expect(JournalFields.fieldName(forMetadataKey: "event") == "CHATD_EVENT")
        #expect(JournalFields.fieldName(forMetadataKey: "close_code") == "CHATD_CLOSE_CODE")
        #expect(JournalFields.fieldName(forMetadataKey: "client.addr-v6") == "CHATD_CLIENT_ADDR_V6")
        #expect(JournalFields.fieldName(forMetadataKey: "Room9") == "CHATD_ROOM9")
        #expect(JournalFields.fieldName(forMetadataKey: "café") == "CHATD_CAF_")
        #expect(JournalFields.fieldName(forMetadataKey: "") == "CHATD_")
        let long = JournalFields.fieldName(forMetadataKey: String(repeating: "k", count: 100))
        #expect(long.count == 64)
        #expect(long.hasPrefix("CHATD_KKK"))
    }

    @Test func levelsMapToSyslogPriorities() {
        let expected: [(Logger.Level, Int)] = [
            (.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ]
        for (level, priority) in expected {
            #expect(JournalFields.priority(for: level) == priority, "\(level)")
        }
    }

    @Test func eventBecomesStandardAndMetadataFields() {
        let fields = JournalFields.fields(
            level: .warning,
            message: "slow peer\ndisconnected",
            metadata: ["room": "lobby", "event": "drop"],
            file: "ChatServer/Server.swift",
            function: "flush()",
            line: 42
        )
        let rendered = fields.map { "\($0.name)=\($0.value)" }
        #expect(
            rendered == [
                "MESSAGE=slow peer\ndisconnected", "PRIORITY=4", "SYSLOG_IDENTIFIER=chatd",
                "CODE_FILE=ChatServer/Server.swift", "CODE_LINE=42", "CODE_FUNC=flush()",
                "CHATD_EVENT=drop", "CHATD_ROOM=lobby",
            ]
        )
    }

    @Test func journalStreamMustMatchStderr() {
        #expect(JournalStreamDetection.matches(environmentValue: "8:12345", device: 8, inode: 12_345))
        #expect(!JournalStreamDetection.matches(environmentValue: "8:12345", device: 8, inode: 12_346))
        #expect(!JournalStreamDetection.matches(environmentValue: "9:12345", device: 8, inode: 12_345))
        #expect(!JournalStreamDetection.matches(environmentValue: nil, device: 8, inode: 12_345))
        #expect(!JournalStreamDetection.matches(environmentValue: "garbage", device: 8, inode: 12_345))
        #expect(!JournalStreamDetection.matches(environmentValue: "8:12345:1", device: 8, inode: 12_345))
    }

    @Test func handlerMetadataIsOverriddenByCallMetadata() {
        let event = LogEvent(
            level: .info, message: "m", metadata: ["room": "b"], source: nil, file: "f", function: "g", line: 1)
        let merged = LogMetadataMerge.merged(handler: ["room": "a", "listen": "x"], provider: nil, event: event)
        #expect(merged == ["room": "b", "listen": "x"])
    }
}
