import Testing

@testable import ChatServer

/// Which settings a reload cannot apply, and the configuration a reload puts in force instead.
@Suite struct RestartOnlySettingsTests {
    @Test func sameConfigurationNeedsNoRestart() {
        #expect(ChatdConfig.defaults.restartOnlyChanges(comparedTo: .defaults).isEmpty)
        #expect(ChatdConfig.defaults.keepingRestartOnlySettings(of: .defaults) == .defaults)
    }

    @Test func liveSettingsNeedNoRestart() {
        var fresh = ChatdConfig.defaults
        fresh.keepMessages = 20
        fresh.keepDays = 7
        fresh.maxRooms = 3
        fresh.historySize = 10
        #expect(fresh.restartOnlyChanges(comparedTo: .defaults).isEmpty)
        #expect(fresh.keepingRestartOnlySettings(of: .defaults) == fresh)
    }

    @Test func eachRestartOnlySettingIsNamed() {
        let cases: [(String, (inout ChatdConfig) -> Void)] = [
            ("[server] listen", { $0.listen = [ListenAddress(host: "127.0.0.1", port: 9)] }),
            ("[history] store", { $0.historyStore = .memory }),
            ("[history] path", { $0.historyPath = "/data/rooms.db" }),
            ("[history] sync", { $0.historySync = .full }),
            ("--state-dir", { $0.stateDirectory = "/srv/chatd" }),
        ]
        for (name, change) in cases {
            var fresh = ChatdConfig.defaults
            change(&fresh)
            fresh.keepMessages = 5
            #expect(fresh.restartOnlyChanges(comparedTo: .defaults) == [name])
            var expected = ChatdConfig.defaults
            expected.keepMessages = 5
            #expect(fresh.keepingRestartOnlySettings(of: .defaults) == expected, "\(name)")
        }
    }

    @Test func severalChangesAreListedInFileOrder() {
        var running = ChatdConfig.defaults
        running.historyPath = "old.db"
        var fresh = ChatdConfig.defaults
        fresh.historySync = .full
        fresh.historyStore = .memory
        fresh.listen = [ListenAddress(host: "::1", port: 8080)]
        fresh.keepDays = 9
        #expect(
            fresh.restartOnlyChanges(comparedTo: running)
                == ["[server] listen", "[history] store", "[history] path", "[history] sync"])
        let applied = fresh.keepingRestartOnlySettings(of: running)
        #expect(applied.listen == running.listen)
        #expect(applied.historyStore == .sqlite)
        #expect(applied.historyPath == "old.db")
        #expect(applied.historySync == .normal)
        #expect(applied.keepDays == 9)
        #expect(applied.restartOnlyChanges(comparedTo: running).isEmpty)
    }
}
