import History
import Testing

@testable import ChatServer

/// The `[history]` table: every key, its default, and problems named with file, key and line like every other table.
@Suite struct HistoryConfigTests {
    /// Parses `text` expecting failure and returns the error.
    private func error(_ text: String, file: String = "conf/chatd.toml") -> ConfigError? {
        configParseError(text, file: file)
    }

    @Test func absentTableKeepsTheDefaults() throws {
        let config = try ConfigLoader.parse(text: "[log]\nlevel = \"info\"\n", fileName: "c.toml")
        #expect(config.historyStore == .sqlite)
        #expect(config.historyPath == nil)
        #expect(config.historySync == .normal)
        #expect(config.keepMessages == 10_000)
        #expect(config.keepDays == 0)
        #expect(config.historyRetention == HistoryRetention(keepMessages: 10_000, keepDays: 0))
        #expect(try ConfigLoader.parse(text: "[history]\n", fileName: "c.toml") == .defaults)
    }

    @Test func readsEveryKey() throws {
        let text = """
            [history]
            store = "memory"
            path = "/srv/chatd/rooms.db"
            sync = "full"
            keep_messages = 500
            keep_days = 30
            """
        let config = try ConfigLoader.parse(text: text, fileName: "h.toml")
        #expect(config.historyStore == .memory)
        #expect(config.historyPath == "/srv/chatd/rooms.db")
        #expect(config.historySync == .full)
        #expect(config.keepMessages == 500)
        #expect(config.keepDays == 30)
        #expect(config.historyRetention == HistoryRetention(keepMessages: 500, keepDays: 30))
        var expected = ChatdConfig.defaults
        expected.historyStore = .memory
        expected.historyPath = "/srv/chatd/rooms.db"
        expected.historySync = .full
        expected.keepMessages = 500
        expected.keepDays = 30
        #expect(config == expected)
    }

    @Test func eachKeyAloneChangesOnlyItself() throws {
        let cases: [(String, (inout ChatdConfig) -> Void)] = [
            ("store = \"sqlite\"", { _ in }),
            ("store = \"memory\"", { $0.historyStore = .memory }),
            ("path = \"rooms.sqlite3\"", { $0.historyPath = "rooms.sqlite3" }),
            ("path = \"sub/dir/h.db\"", { $0.historyPath = "sub/dir/h.db" }),
            ("sync = \"normal\"", { _ in }),
            ("sync = \"full\"", { $0.historySync = .full }),
            ("keep_messages = 1", { $0.keepMessages = 1 }),
            ("keep_messages = 10_000_000", { $0.keepMessages = 10_000_000 }),
            ("keep_days = 0", { _ in }),
            ("keep_days = 36500", { $0.keepDays = 36_500 }),
        ]
        for (line, change) in cases {
            var expected = ChatdConfig.defaults
            change(&expected)
            #expect(try ConfigLoader.parse(text: "[history]\n\(line)\n", fileName: "k.toml") == expected, "\(line)")
        }
    }

    @Test func choicesIgnoreCase() throws {
        let config = try ConfigLoader.parse(
            text: "[history]\nstore = \"SQLite\"\nsync = \"FULL\"\n", fileName: "c.toml")
        #expect(config.historyStore == .sqlite)
        #expect(config.historySync == .full)
    }

    @Test func inlineAndDottedFormsWork() throws {
        let inline = try ConfigLoader.parse(text: "history = { store = \"memory\", keep_days = 2 }\n", fileName: "i")
        #expect(inline.historyStore == .memory)
        #expect(inline.keepDays == 2)
        let dotted = try ConfigLoader.parse(text: "history.sync = \"full\"\n", fileName: "d")
        #expect(dotted.historySync == .full)
    }

    @Test func unknownStoreNamesFileKeyLineAndTheChoices() throws {
        let failure = try #require(error("[log]\nlevel = \"info\"\n\n[history]\nstore = \"sqlte\"\n"))
        #expect(failure.line == 5)
        #expect(failure.key == "[history] store")
        #expect(
            failure.description
                == "conf/chatd.toml:5: [history] store: expected \"sqlite\" or \"memory\", got \"sqlte\" "
                + "(did you mean \"sqlite\"?)")
        let redis = try #require(error("[history]\nstore = \"redis\"\n"))
        #expect(redis.message == "expected \"sqlite\" or \"memory\", got \"redis\"")
    }

    @Test func unknownSyncNamesTheChoices() throws {
        let failure = try #require(error("[history]\nstore = \"sqlite\"\nsync = \"off\"\n"))
        #expect(failure.line == 3)
        #expect(failure.key == "[history] sync")
        #expect(failure.message == "expected \"normal\" or \"full\", got \"off\"")
        let near = try #require(error("[history]\nsync = \"fulll\"\n"))
        #expect(near.message.hasSuffix("(did you mean \"full\"?)"))
    }

    @Test func wrongTypesNameTheKeyAndLine() throws {
        let cases: [(String, String, String)] = [
            ("store = 1", "[history] store", "expected \"sqlite\" or \"memory\", got 1"),
            ("sync = true", "[history] sync", "expected \"normal\" or \"full\", got true"),
            ("path = 5", "[history] path", "expected a string like \"history.sqlite3\", got 5"),
            ("path = [\"a\"]", "[history] path", "expected a string like \"history.sqlite3\", got an array"),
            ("keep_messages = \"many\"", "[history] keep_messages", "got \"many\""),
            ("keep_messages = 1.5", "[history] keep_messages", "got 1.5"),
            ("keep_days = \"30d\"", "[history] keep_days", "got \"30d\""),
        ]
        for (line, key, message) in cases {
            let failure = try #require(error("# history\n[history]\n\(line)\n"), "\(line)")
            #expect(failure.line == 3, "\(line)")
            #expect(failure.key == key, "\(line)")
            #expect(failure.message.hasPrefix("expected "), "\(line): \(failure.message)")
            #expect(failure.message.hasSuffix(message), "\(line): \(failure.message)")
        }
    }

    @Test func rangesAreChecked() throws {
        let cases: [(String, String, String)] = [
            ("keep_messages = 0", "[history] keep_messages", "must be an integer between 1 and 10000000, got 0"),
            (
                "keep_messages = 10000001", "[history] keep_messages",
                "must be an integer between 1 and 10000000, got 10000001"
            ),
            ("keep_messages = -5", "[history] keep_messages", "must be an integer between 1 and 10000000, got -5"),
            ("keep_days = -1", "[history] keep_days", "must be an integer between 0 and 36500, got -1"),
            ("keep_days = 36501", "[history] keep_days", "must be an integer between 0 and 36500, got 36501"),
        ]
        for (line, key, message) in cases {
            let failure = try #require(error("[history]\nstore = \"sqlite\"\n\n\(line)\n"), "\(line)")
            #expect(failure.line == 4, "\(line)")
            #expect(failure.key == key, "\(line)")
            #expect(failure.message == message, "\(line)")
            #expect(failure.description == "conf/chatd.toml:4: \(key): \(message)")
        }
    }

    @Test func unusablePathsAreRefused() throws {
        let cases: [(String, String)] = [
            ("\"\"", "must not be empty"),
            ("\"~/chatd/history.sqlite3\"", "starts with ~, which is not expanded"),
            ("\"/var/lib/chatd/\"", "names a directory"),
            ("\"..\"", "names a directory"),
            ("\"db/.\"", "names a directory"),
        ]
        for (value, message) in cases {
            let failure = try #require(error("[history]\npath = \(value)\n"), "\(value)")
            #expect(failure.line == 2, "\(value)")
            #expect(failure.key == "[history] path", "\(value)")
            #expect(failure.message.contains(message), "\(value): \(failure.message)")
        }
    }

    @Test func unknownKeySuggestsTheClosestOne() throws {
        let failure = try #require(error("[history]\nstore = \"sqlite\"\nkeep_message = 5\n"))
        #expect(failure.line == 3)
        #expect(failure.key == "[history] keep_message")
        #expect(failure.message == "unknown key (did you mean keep_messages?)")
        let far = try #require(error("[history]\nretention = 5\n"))
        #expect(far.message == "unknown key (known keys: store, path, sync, keep_messages, keep_days)")
    }

    @Test func historyKeysInTheWrongPlaceNameTheirTable() throws {
        let misplaced = try #require(error("[chat]\nkeep_days = 3\n"))
        #expect(misplaced.line == 2)
        #expect(misplaced.key == "[chat] keep_days")
        #expect(misplaced.message.contains("belongs in [history]"))
        let topLevel = try #require(error("keep_messages = 3\n"))
        #expect(topLevel.line == 1)
        #expect(topLevel.message.contains("[history] keep_messages"))
        let table = try #require(error("[histroy]\nstore = \"memory\"\n"))
        #expect(table.key == "[histroy]")
        #expect(table.message == "unknown table (did you mean [history]?)")
    }

    @Test func historyGivenAsPlainValueIsATypeError() throws {
        let failure = try #require(error("history = \"sqlite\"\n"))
        #expect(failure.key == "[history]")
        #expect(failure.line == 1)
        #expect(failure.message == "expected a table, got \"sqlite\"")
    }

    @Test func theStateDirectoryIsNotAFileSetting() throws {
        let failure = try #require(error("[history]\nstate_dir = \"/srv\"\n"))
        #expect(failure.key == "[history] state_dir")
        #expect(failure.message.hasPrefix("unknown key"))
    }
}
