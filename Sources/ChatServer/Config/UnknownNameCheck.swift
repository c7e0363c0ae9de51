import TOMLKit

/// Typo protection: finds tables and keys the schema does not know, with a "did you mean" hint.
enum UnknownNameCheck {
    /// The unknown name that appears first in the file, or nil when every name is known.
    static func firstProblem(in root: TOMLTable, index: ConfigSourceIndex, fileName: String) -> ConfigError? {
        var problems: [ConfigError] = []
        for (name, value) in root {
            if let knownKeys = ConfigSchema.keys(of: name) {
                guard let table = value.table else { continue }  // reported as a type error later
                for (key, _) in table where !knownKeys.contains(key) {
                    problems.append(
                        ConfigError(
                            fileName: fileName,
                            line: index.line(ofKey: key, inTable: name),
                            key: "[\(name)] \(key)",
                            message: "unknown key" + keyHint(for: key, inTable: name, knownKeys: knownKeys)
                        )
                    )
                }
            } else if value.table != nil {
                let hint = NameSuggestion.closest(to: name, among: ConfigSchema.tableNames).map {
                    " (did you mean [\($0)]?)"
                }
                problems.append(
                    ConfigError(
                        fileName: fileName,
                        line: index.line(ofTable: name),
                        key: "[\(name)]",
                        message: "unknown table" + (hint ?? knownTablesHint)
                    )
                )
            } else {
                problems.append(
                    ConfigError(
                        fileName: fileName,
                        line: index.line(ofKey: name, inTable: ""),
                        key: name,
                        message: "unknown key outside any table" + topLevelHint(for: name)
                    )
                )
            }
        }
        return problems.min { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
    }

    /// Lists the valid tables when no close match exists.
    private static var knownTablesHint: String {
        " (known tables: " + ConfigSchema.tableNames.map { "[\($0)]" }.joined(separator: ", ") + ")"
    }

    /// Suggests the closest key of the same table, or the table where the key really belongs.
    private static func keyHint(for key: String, inTable table: String, knownKeys: [String]) -> String {
        if let home = ConfigSchema.table(defining: key), home != table {
            return " (\(key) belongs in [\(home)])"
        }
        if let closest = NameSuggestion.closest(to: key, among: knownKeys) {
            return " (did you mean \(closest)?)"
        }
        return " (known keys: " + knownKeys.joined(separator: ", ") + ")"
    }

    /// For a key written before any `[table]` header: names the table it belongs in, if any.
    private static func topLevelHint(for key: String) -> String {
        let allKeys = ConfigSchema.keysByTable.flatMap(\.keys)
        let match = ConfigSchema.table(defining: key) != nil ? key : NameSuggestion.closest(to: key, among: allKeys)
        guard let match, let home = ConfigSchema.table(defining: match) else { return "" }
        return " (did you mean [\(home)] \(match)?)"
    }
}
