/// Line numbers of tables and keys in a config file's text. TOMLKit reports no positions for values,
/// so the loader scans the text itself to point every error at the right line.
struct ConfigSourceIndex {
    /// First line (1-based) of each `[table]` header or of the first key that implies the table.
    private(set) var tableLines: [String: Int] = [:]
    /// First line (1-based) of each key, keyed by `table.key` (`key` alone at top level).
    private(set) var keyLines: [String: Int] = [:]

    /// Scans `text`, tracking `[table]` headers and `key =` lines; multi-line strings are skipped.
    init(text: String) {
        var table = ""
        var insideMultilineString = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            let tripleQuotes = Self.tripleQuoteCount(in: line)
            defer { if tripleQuotes % 2 == 1 { insideMultilineString.toggle() } }
            if insideMultilineString { continue }
            if line.hasPrefix("[") {
                if let name = Self.tableName(inHeader: line) {
                    table = name
                    record(table: name, line: lineNumber)
                }
                continue
            }
            guard let path = Self.keyPath(atStartOf: line) else { continue }
            let fullPath = table.isEmpty ? path : [table] + path
            for depth in 1..<fullPath.count {
                record(table: fullPath[0..<depth].joined(separator: "."), line: lineNumber)
            }
            let joined = fullPath.joined(separator: ".")
            if keyLines[joined] == nil { keyLines[joined] = lineNumber }
        }
    }

    /// The line of `key` in `table` (empty table = top level), falling back to the table's line.
    func line(ofKey key: String, inTable table: String) -> Int? {
        keyLines[table.isEmpty ? key : "\(table).\(key)"] ?? line(ofTable: table)
    }

    /// The line of `table`'s header, of its first key, or of `table = { ... }` for an inline table.
    func line(ofTable table: String) -> Int? {
        tableLines[table] ?? keyLines[table]
    }

    /// Remembers the first line a table is mentioned on.
    private mutating func record(table: String, line: Int) {
        if tableLines[table] == nil { tableLines[table] = line }
    }

    /// `a.b` from `[a.b]`, `[ a . b ]`, `[[a.b]]` or `["a"]`; nil for anything else.
    static func tableName(inHeader line: Substring) -> String? {
        var body = line.drop { $0 == "[" }
        guard let close = body.firstIndex(of: "]") else { return nil }
        body = body[..<close]
        let parts = body.split(separator: ".", omittingEmptySubsequences: false).map { part in
            unquote(part.trimmingSpaces())
        }
        guard !parts.contains(where: \.isEmpty) else { return nil }
        return parts.joined(separator: ".")
    }

    /// The dotted key path of a `key = value` line, or nil when the line is not a key assignment.
    static func keyPath(atStartOf line: Substring) -> [String]? {
        guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { return nil }
        let keyText = line[..<equals].trimmingSpaces()
        let parts = keyText.split(separator: ".", omittingEmptySubsequences: false).map { part in
            unquote(part.trimmingSpaces())
        }
        guard
            !parts.contains(where: \.isEmpty),
            parts.allSatisfy({ part in part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
        else { return nil }
        return parts
    }

    /// Strips one pair of surrounding `"` or `'` quotes.
    private static func unquote(_ text: Substring) -> String {
        if text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first {
            return String(text.dropFirst().dropLast())
        }
        return String(text)
    }

    /// How many `"""` or `'''` delimiters a line contains, to follow multi-line strings.
    private static func tripleQuoteCount(in line: Substring) -> Int {
        var count = 0
        var run = 0
        var runCharacter: Character = " "
        for character in line {
            if character == "\"" || character == "'" {
                run = character == runCharacter ? run + 1 : 1
                runCharacter = character
                if run == 3 {
                    count += 1
                    run = 0
                }
            } else {
                run = 0
                runCharacter = " "
            }
        }
        return count
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs or carriage returns.
    fileprivate func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        var slice = self
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }
}
