/// Encodes one entry in the journal's native protocol (systemd's `journal-native` format), the same bytes
/// `sd_journal_sendv` sends, so chatd can send them itself on a non-blocking socket: `NAME=value\n` for values
/// without a newline, `NAME\n` + 64-bit little-endian length + value + `\n` for values with one.
enum JournalDatagram {
    /// The datagram for `fields`, in order.
    static func encode(_ fields: [(name: String, value: String)]) -> [UInt8] {
        var datagram: [UInt8] = []
        datagram.reserveCapacity(fields.reduce(0) { $0 &+ $1.name.utf8.count &+ $1.value.utf8.count &+ 10 })
        for field in fields {
            datagram.append(contentsOf: field.name.utf8)
            if field.value.utf8.contains(UInt8(ascii: "\n")) {
                datagram.append(UInt8(ascii: "\n"))
                var length = UInt64(field.value.utf8.count).littleEndian
                withUnsafeBytes(of: &length) { datagram.append(contentsOf: $0) }
            } else {
                datagram.append(UInt8(ascii: "="))
            }
            datagram.append(contentsOf: field.value.utf8)
            datagram.append(UInt8(ascii: "\n"))
        }
        return datagram
    }
}
