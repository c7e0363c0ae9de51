import Logging

/// Pure formatting of one human-readable log line:
/// `2026-11-21T10:00:00.123Z info  client connected event=connect client=127.0.0.1:5555`.
enum LogLineFormatter {
    /// Width the level name is padded to, so the common levels line up.
    static let levelWidth = 5

    /// The full line (without the trailing newline). Metadata is sorted by key; the message and values are
    /// escaped so one event is always one line.
    static func format(
        millisecondsSinceEpoch: Int64,
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata
    ) -> String {
        var line = UTCTimestamp.iso8601(millisecondsSinceEpoch: millisecondsSinceEpoch)
        line += " "
        line += level.rawValue
        if level.rawValue.count < levelWidth {
            line += String(repeating: " ", count: levelWidth - level.rawValue.count)
        }
        line += " "
        line += TextEscaping.escaped(message)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(TextEscaping.escaped(key))=\(formattedValue("\(value)"))"
        }
        return line
    }

    /// A metadata value, double-quoted (with `"` and `\` escaped) when it is empty or contains a space,
    /// quote, `=` or control character.
    static func formattedValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { scalar in
                scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\" || scalar.value < 0x20
                    || scalar.value == 0x7F
            }
        return needsQuotes ? TextEscaping.quoted(value) : value
    }
}

/// Converts Unix time to ISO-8601 UTC text without Foundation or the C library's time zone state.
enum UTCTimestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since 1970-01-01T00:00:00Z (negative values allowed).
    static func iso8601(millisecondsSinceEpoch: Int64) -> String {
        let (seconds, milliseconds) = floorDivide(millisecondsSinceEpoch, 1000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = secondOfDay / 3600
        let minute = secondOfDay % 3600 / 60
        let second = secondOfDay % 60
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
            + ".\(pad(milliseconds, 3))Z"
    }

    /// Year, month (1-12) and day (1-31) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Quotient and non-negative remainder, so times before 1970 still format correctly.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// Zero-padded decimal of at least `width` digits.
    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
