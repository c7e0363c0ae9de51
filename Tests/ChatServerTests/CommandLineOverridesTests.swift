import Logging
import Testing

@testable import ChatServer

/// Flags override the file and are validated with the same rules, reported as `command line: --flag: ...`.
@Suite struct CommandLineOverridesTests {
    @Test func noFlagsKeepTheConfiguration() throws {
        var base = ChatdConfig.defaults
        base.maxRooms = 3
        #expect(try CommandLineOverrides().applied(to: base) == base)
    }

    @Test func flagsReplaceFileValues() throws {
        let flags = CommandLineOverrides(
            listen: ["[::1]:9000", "127.0.0.1:9001"],
            maxMessageBytes: "16777216",
            logLevel: "debug"
        )
        let config = try flags.applied(to: .defaults)
        #expect(
            config.listen == [ListenAddress(host: "::1", port: 9000), ListenAddress(host: "127.0.0.1", port: 9001)])
        #expect(config.maxMessageBytes == 16_777_216)
        #expect(config.logLevel == .debug)
        #expect(config.maxRooms == ChatdConfig.defaults.maxRooms)
    }

    @Test func badFlagsNameTheFlag() throws {
        let cases: [(CommandLineOverrides, String)] = [
            (CommandLineOverrides(listen: ["nope"]), "--listen"),
            (CommandLineOverrides(listen: ["127.0.0.1:80", "127.0.0.1:80"]), "--listen"),
            (CommandLineOverrides(maxMessageBytes: "abc"), "--max-message-bytes"),
            (CommandLineOverrides(maxMessageBytes: "0"), "--max-message-bytes"),
            (CommandLineOverrides(maxMessageBytes: "4294967296"), "--max-message-bytes"),
            (CommandLineOverrides(logLevel: "loud"), "--log-level"),
            (CommandLineOverrides(stateDirectory: ""), "--state-dir"),
            (CommandLineOverrides(stateDirectory: "~/state"), "--state-dir"),
        ]
        for (flags, flag) in cases {
            do {
                _ = try flags.applied(to: .defaults)
                Issue.record("\(flags) was accepted")
            } catch {
                #expect(error.key == flag)
                #expect(error.description.hasPrefix("command line: \(flag): "))
            }
        }
    }

    @Test func stateDirFlagSetsTheStateDirectory() throws {
        var base = ChatdConfig.defaults
        base.historyPath = "rooms.db"
        let config = try CommandLineOverrides(stateDirectory: "/srv/chatd").applied(to: base)
        #expect(config.stateDirectory == "/srv/chatd")
        #expect(config.historyPath == "rooms.db", "the file's [history] path stays")
        #expect(config.resolvedHistoryPath(environment: ["STATE_DIRECTORY": "/var/lib/chatd"]) == "/srv/chatd/rooms.db")
        let relative = try CommandLineOverrides(stateDirectory: ".state").applied(to: .defaults)
        #expect(relative.stateDirectory == ".state")
    }

    @Test func withoutStateDirTheDefaultStays() throws {
        let config = try CommandLineOverrides(logLevel: "debug").applied(to: .defaults)
        #expect(config.stateDirectory == nil)
    }

    @Test func emptyStateDirIsExplained() throws {
        do {
            _ = try CommandLineOverrides(stateDirectory: "").applied(to: .defaults)
            Issue.record("an empty --state-dir was accepted")
        } catch {
            #expect(error.description == "command line: --state-dir: must not be empty")
        }
    }
}
