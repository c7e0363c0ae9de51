import TOMLKit

/// Reads typed, range-checked values out of one `[table]`, turning every problem into a `ConfigError`
/// that names the file, `[table] key` and line.
struct ConfigTableReader {
    /// File name used in error messages.
    let fileName: String
    /// Name of the table being read, e.g. `limits`.
    let tableName: String
    /// The parsed table.
    let table: TOMLTable
    /// Where keys are in the source text.
    let index: ConfigSourceIndex

    /// An error located at `key` in this table.
    func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(
            fileName: fileName,
            line: index.line(ofKey: key, inTable: tableName),
            key: "[\(tableName)] \(key)",
            message: message
        )
    }

    /// An integer within `range`, or `fallback` when the key is absent.
    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int) throws(ConfigError) -> Int {
        guard let value = table[key] else { return fallback }
        let expectation = "an integer between \(range.lowerBound) and \(range.upperBound)"
        guard let number = value.int else {
            throw error(key, "expected \(expectation), got \(Self.describe(value))")
        }
        guard range.contains(number) else { throw error(key, "must be \(expectation), got \(number)") }
        return number
    }

    /// A number (integer or fractional) within `range`, or `fallback` when the key is absent.
    func number(_ key: String, in range: ClosedRange<Double>, default fallback: Double) throws(ConfigError) -> Double {
        guard let value = table[key] else { return fallback }
        let expectation = "a number between \(range.lowerBound) and \(range.upperBound)"
        guard let number = Self.numeric(value) else {
            throw error(key, "expected \(expectation), got \(Self.describe(value))")
        }
        guard number.isFinite, range.contains(number) else {
            throw error(key, "must be \(expectation), got \(Self.describe(value))")
        }
        return number
    }

    /// A duration given in seconds (integer or fractional) converted to whole milliseconds (at least 1 when
    /// non-zero), or `fallback` when absent. Zero is only accepted when `allowZero` is set.
    func milliseconds(_ key: String, allowZero: Bool = false, default fallback: Int) throws(ConfigError) -> Int {
        guard let value = table[key] else { return fallback }
        let lowest = allowZero ? "0" : "greater than 0"
        let limit = Int(ConfigSchema.maxTimeoutSeconds)
        let expectation = "a number of seconds \(lowest) and at most \(limit)"
        guard let seconds = Self.numeric(value) else {
            throw error(key, "expected \(expectation), got \(Self.describe(value))")
        }
        let inRange = seconds.isFinite && (allowZero ? seconds >= 0 : seconds > 0)
        guard inRange, seconds <= ConfigSchema.maxTimeoutSeconds else {
            throw error(key, "must be \(expectation), got \(Self.describe(value))")
        }
        let milliseconds = Int((seconds * 1000).rounded())
        return seconds > 0 ? max(1, milliseconds) : 0
    }

    /// An integer or fractional TOML value as a `Double`; nil for any other type.
    static func numeric(_ value: any TOMLValueConvertible) -> Double? {
        if let integer = value.int { return Double(integer) }
        return value.double
    }

    /// A string, or nil when absent.
    func string(_ key: String, example: String) throws(ConfigError) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else {
            throw error(key, "expected a string like \(example), got \(Self.describe(value))")
        }
        return text
    }

    /// One of `Choice`'s names (case-insensitive), or `fallback` when the key is absent; a near miss gets a
    /// "did you mean" hint.
    func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, default fallback: Choice
    ) throws(ConfigError) -> Choice where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        let expectation = Self.listing(names.map(Self.quoted))
        guard let value = table[key] else { return fallback }
        guard let text = value.string else {
            throw error(key, "expected \(expectation), got \(Self.describe(value))")
        }
        if let chosen = Choice(rawValue: text.lowercased()) { return chosen }
        let hint = NameSuggestion.closest(to: text, among: names).map { " (did you mean \(Self.quoted($0))?)" } ?? ""
        throw error(key, "expected \(expectation), got \(Self.quoted(text))\(hint)")
    }

    /// `a`, `a or b`, `a, b or c`.
    static func listing(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        let rest = items.dropLast()
        return rest.isEmpty ? last : rest.joined(separator: ", ") + " or " + last
    }

    /// An array of strings (a single string is accepted as a one-element array), or nil when absent.
    func strings(_ key: String, example: String) throws(ConfigError) -> [String]? {
        guard let value = table[key] else { return nil }
        if let text = value.string { return [text] }
        guard let array = value.array else {
            throw error(key, "expected an array of strings like [\(example)], got \(Self.describe(value))")
        }
        var result: [String] = []
        for element in array {
            guard let text = element.string else {
                throw error(
                    key, "expected an array of strings like [\(example)], got an element \(Self.describe(element))")
            }
            result.append(text)
        }
        return result
    }

    /// A short rendering of a TOML value for "got ..." in messages: strings quoted, numbers as written.
    static func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return quoted(value.string ?? "")
        case .int: return value.int.map(String.init) ?? "an integer"
        case .double: return value.double.map { String($0) } ?? "a number"
        case .bool: return value.bool.map { String($0) } ?? "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        case .date: return "a date"
        case .time: return "a time"
        case .dateTime: return "a date-time"
        }
    }

    /// `text` in double quotes with quotes, backslashes and control characters escaped, shortened if long.
    static func quoted(_ text: String) -> String {
        let shown = String(String.UnicodeScalarView(text.unicodeScalars.prefix(80)))
        return TextEscaping.quoted(text.unicodeScalars.count > 80 ? shown + "..." : shown)
    }
}
