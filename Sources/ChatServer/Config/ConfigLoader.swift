import TOMLKit

/// Turns a TOML config file into a validated `ChatdConfig`. Every problem becomes one `ConfigError`
/// naming the file, the `[table] key` and the line, so a bad config fails fast with a fixable message.
public enum ConfigLoader {
    /// Reads and parses the file at `path`; errors name the path as given.
    public static func load(path: String) throws(ConfigError) -> ChatdConfig {
        let text = try ConfigFileReader.contents(ofPath: path)
        return try parse(text: text, fileName: path)
    }

    /// Parses config `text`; `fileName` is only used in error messages. Absent keys keep their defaults.
    public static func parse(text: String, fileName: String) throws(ConfigError) -> ChatdConfig {
        let root = try parseTOML(text, fileName: fileName)
        let index = ConfigSourceIndex(text: text)
        if let unknown = UnknownNameCheck.firstProblem(in: root, index: index, fileName: fileName) {
            throw unknown
        }
        var config = ChatdConfig.defaults
        for (tableName, _) in ConfigSchema.keysByTable {
            guard let value = root[tableName] else { continue }
            guard let table = value.table else {
                throw ConfigError(
                    fileName: fileName,
                    line: index.line(ofKey: tableName, inTable: ""),
                    key: "[\(tableName)]",
                    message: "expected a table, got \(ConfigTableReader.describe(value))"
                )
            }
            let reader = ConfigTableReader(fileName: fileName, tableName: tableName, table: table, index: index)
            try ConfigSections.apply(reader, to: &config)
        }
        try ConfigConsistency.check(config, fileName: fileName, index: index)
        return config
    }

    /// TOMLKit's parse, with its syntax errors converted to located `ConfigError`s.
    private static func parseTOML(_ text: String, fileName: String) throws(ConfigError) -> TOMLTable {
        if let nulLine = ConfigFileReader.lineOfFirstNUL(in: text) {
            throw ConfigError(fileName: fileName, line: nulLine, message: "TOML syntax error: NUL byte in file")
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            return try failSyntax(fileName, line: begin.line, column: begin.column, error.description)
        } catch {
            return try failSyntax(fileName, line: nil, column: nil, "\(error)")
        }
    }

    /// Throws a syntax error; split out so both catch clauses phrase it the same way.
    private static func failSyntax(
        _ fileName: String,
        line: Int?,
        column: Int?,
        _ detail: String
    ) throws(ConfigError) -> TOMLTable {
        let position = column.map { " at column \($0)" } ?? ""
        throw ConfigError(
            fileName: fileName,
            line: (line ?? 0) > 0 ? line : nil,
            message: "TOML syntax error\(position): \(detail)"
        )
    }
}
