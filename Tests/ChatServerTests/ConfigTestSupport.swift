@testable import ChatServer

/// Parses a config `text` named `file`, expecting failure: the error, or nil when it parsed.
func configParseError(_ text: String, file: String = "conf/chatd.toml") -> ConfigError? {
    do {
        _ = try ConfigLoader.parse(text: text, fileName: file)
        return nil
    } catch {
        return error
    }
}
