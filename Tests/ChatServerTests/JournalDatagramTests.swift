import Testing

@testable import ChatServer

/// The journal's native protocol, byte for byte: `NAME=value\n`, or for a value containing a newline `NAME\n`, its
/// length as 64-bit little-endian, the value and `\n`.
@Suite struct JournalDatagramTests {
    @Test func simpleValuesAreNameEqualsValueLines() {
        let datagram = JournalDatagram.encode([("MESSAGE", "hello"), ("PRIORITY", "6"), ("EMPTY", "")])
        #expect(datagram == Array("MESSAGE=hello\nPRIORITY=6\nEMPTY=\n".utf8))
    }

    @Test func valueWithANewlineUsesTheBinaryLengthForm() {
        let datagram = JournalDatagram.encode([("MESSAGE", "two\nlines"), ("PRIORITY", "3")])
        let expected: [UInt8] =
            Array("MESSAGE\n".utf8) + [9, 0, 0, 0, 0, 0, 0, 0] + Array("two\nlines\n".utf8) + Array("PRIORITY=3\n".utf8)
        #expect(datagram == expected)
    }

    @Test func binaryLengthCountsUTF8Bytes() {
        let datagram = JournalDatagram.encode([("M", "é\n")])
        #expect(datagram == [0x4D, 0x0A, 3, 0, 0, 0, 0, 0, 0, 0, 0xC3, 0xA9, 0x0A, 0x0A])
    }

    @Test func longValueLengthUsesMoreThanOneByte() {
        let value = String(repeating: "x", count: 299) + "\n"
        let datagram = JournalDatagram.encode([("M", value)])
        #expect(Array(datagram[0..<10]) == [0x4D, 0x0A, 0x2C, 0x01, 0, 0, 0, 0, 0, 0])
        #expect(datagram.count == 2 + 8 + 300 + 1)
    }

    @Test func noFieldsIsAnEmptyDatagram() {
        #expect(JournalDatagram.encode([]).isEmpty)
    }
}
