import Logging
import Testing

@testable import ChatServer

/// Successful loading: defaults, a complete file, partial files and the shipped `config/chatd.toml`.
@Suite struct ConfigLoaderTests {
    @Test func defaultsMatchTheContract() {
        let config = ChatdConfig.defaults
        #expect(config.listen == [ListenAddress(host: "127.0.0.1", port: 8080)])
        #expect(config.maxMessageBytes == 1_048_576)
        #expect(config.maxHeaderBytes == 8192)
        #expect(config.maxHeaderCount == 64)
        #expect(config.maxConnections == 10_000)
        #expect(config.maxOutboundBytes == 8_388_608)
        #expect(config.maxNameLength == 32)
        #expect(config.maxRooms == 1000)
        #expect(config.maxMembersPerRoom == 10_000)
        #expect(config.handshakeTimeoutMs == 10_000)
        #expect(config.idleTimeoutMs == 60_000)
        #expect(config.pongTimeoutMs == 20_000)
        #expect(config.closeTimeoutMs == 5000)
        #expect(config.shutdownDrainMs == 2000)
        #expect(config.allowedOrigins.isEmpty)
        #expect(config.logLevel == .info)
        #expect(config.historyStore == .sqlite)
        #expect(config.historyPath == nil)
        #expect(config.historySync == .normal)
        #expect(config.keepMessages == 10_000)
        #expect(config.keepDays == 0)
        #expect(config.stateDirectory == nil)
    }

    @Test func emptyFileGivesDefaults() throws {
        #expect(try ConfigLoader.parse(text: "", fileName: "empty.toml") == .defaults)
        #expect(try ConfigLoader.parse(text: "# only a comment\n\n[limits]\n", fileName: "c.toml") == .defaults)
    }

    @Test func readsEveryKey() throws {
        let text = """
            [server]
            listen = ["0.0.0.0:9000", "[::]:9000"]

            [limits]
            max_message_bytes = 16_777_216
            max_header_bytes = 16384
            max_header_count = 100
            max_connections = 50000
            max_outbound_bytes = 33554432
            max_name_length = 20
            max_rooms = 10
            max_members_per_room = 500

            [timeouts]
            handshake_seconds = 2.5
            idle_seconds = 30
            pong_seconds = 10
            close_seconds = 1
            shutdown_drain_seconds = 0

            [http]
            allowed_origins = ["https://chat.example.com", "http://localhost:8080", "http://[::1]:3000"]

            [log]
            level = "debug"
            """
        let config = try ConfigLoader.parse(text: text, fileName: "full.toml")
        #expect(
            config.listen == [ListenAddress(host: "0.0.0.0", port: 9000), ListenAddress(host: "::", port: 9000)])
        #expect(config.maxMessageBytes == 16_777_216)
        #expect(config.maxHeaderBytes == 16_384)
        #expect(config.maxHeaderCount == 100)
        #expect(config.maxConnections == 50_000)
        #expect(config.maxOutboundBytes == 33_554_432)
        #expect(config.maxNameLength == 20)
        #expect(config.maxRooms == 10)
        #expect(config.maxMembersPerRoom == 500)
        #expect(config.handshakeTimeoutMs == 2500)
        #expect(config.idleTimeoutMs == 30_000)
        #expect(config.pongTimeoutMs == 10_000)
        #expect(config.closeTimeoutMs == 1000)
        #expect(config.shutdownDrainMs == 0)
        #expect(config.allowedOrigins == ["https://chat.example.com", "http://localhost:8080", "http://[::1]:3000"])
        #expect(config.logLevel == .debug)
    }

    @Test func partialFileKeepsOtherDefaults() throws {
        let config = try ConfigLoader.parse(text: "[limits]\nmax_rooms = 7\n", fileName: "p.toml")
        var expected = ChatdConfig.defaults
        expected.maxRooms = 7
        #expect(config == expected)
    }

    @Test func acceptsSingleStringListenAndWildcardOrigin() throws {
        let text = "[server]\nlisten = \"[::1]:8081\"\n[http]\nallowed_origins = [\"*\"]\n[log]\nlevel = \"WARNING\"\n"
        let config = try ConfigLoader.parse(text: text, fileName: "s.toml")
        #expect(config.listen == [ListenAddress(host: "::1", port: 8081)])
        #expect(config.allowedOrigins == ["*"])
        #expect(config.logLevel == .warning)
    }

    @Test func tinyFractionalTimeoutRoundsUpToOneMillisecond() throws {
        let config = try ConfigLoader.parse(text: "[timeouts]\nclose_seconds = 0.0001\n", fileName: "t.toml")
        #expect(config.closeTimeoutMs == 1)
    }

    @Test func inlineAndDottedTablesAreUnderstood() throws {
        let text = "limits = { max_rooms = 3 }\nlog.level = \"error\"\n"
        let config = try ConfigLoader.parse(text: text, fileName: "i.toml")
        #expect(config.maxRooms == 3)
        #expect(config.logLevel == .error)
    }

    @Test func shippedConfigParsesToTheDefaults() throws {
        let config = try ConfigLoader.load(path: Self.repositoryRoot + "/config/chatd.toml")
        #expect(config == .defaults)
    }

    @Test func shippedConfigMentionsEveryKnownKey() throws {
        let path = Self.repositoryRoot + "/config/chatd.toml"
        let text = try ConfigFileReader.contents(ofPath: path)
        let index = ConfigSourceIndex(text: text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (table, keys) in ConfigSchema.keysByTable {
            for key in keys {
                if Self.keysWithoutDefault.contains("\(table).\(key)") {
                    // Shown commented out, in its own table, since it has no value to spell out.
                    let header = try #require(index.line(ofTable: table), "config/chatd.toml lacks [\(table)]")
                    let shown = lines[header...].contains { $0.hasPrefix("# \(key) = ") }
                    #expect(shown, "config/chatd.toml lacks a commented-out [\(table)] \(key)")
                    #expect(index.keyLines["\(table).\(key)"] == nil, "[\(table)] \(key) has no default to set")
                    continue
                }
                #expect(index.keyLines["\(table).\(key)"] != nil, "config/chatd.toml lacks [\(table)] \(key)")
            }
        }
    }

    /// Keys whose default is "not set" (a value computed at run time), as `table.key`.
    static let keysWithoutDefault: Set<String> = ["history.path"]

    /// The repository root, three path components above this file (`Tests/ChatServerTests/x.swift`).
    static var repositoryRoot: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }
}
