/// The result of one run, printed as human lines and as one JSON object (for the benchmark script).
struct JSONReport {
    /// A value the report can hold.
    indirect enum Value {
        case int(Int)
        case double(Double)
        case bool(Bool)
        case string(String)
        case null
        case object([(String, Value)])
        case array([Value])
    }

    private(set) var fields: [(String, Value)] = []

    /// Adds or replaces a top-level key (insertion order is kept).
    mutating func set(_ key: String, _ value: Value) {
        if let index = fields.firstIndex(where: { $0.0 == key }) {
            fields[index].1 = value
        } else {
            fields.append((key, value))
        }
    }

    /// The whole report as one line of JSON.
    var json: String { Self.render(.object(fields)) }

    /// The report as "key: value" lines for people.
    var lines: [String] { fields.map { "\($0.0): \(Self.render($0.1))" } }

    private static func render(_ value: Value) -> String {
        switch value {
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? String((number * 1000).rounded() / 1000) : "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .string(let text): return quote(text)
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .object(let pairs):
            return "{" + pairs.map { quote($0.0) + ":" + render($0.1) }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Latency percentiles in microseconds as a report object.
    static func latency(_ histogram: LatencyHistogram) -> Value {
        func micros(_ fraction: Double) -> Value { .double(Double(histogram.percentile(fraction)) / 1000) }
        return .object([
            ("samples", .int(histogram.count)), ("p50", micros(0.5)), ("p90", micros(0.9)), ("p99", micros(0.99)),
            ("p999", micros(0.999)), ("max", .double(Double(histogram.maximum) / 1000)),
        ])
    }
}
