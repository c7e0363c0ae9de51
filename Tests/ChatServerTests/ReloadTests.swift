import History
import Logging
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// What a reload (the lifecycle's `reload()`, i.e. SIGHUP) does to a running server: the new limits reach open
/// sessions from their next frame on, new connections get the new header limits, a broken file changes nothing and
/// new listen addresses wait for a restart.
@Suite struct ReloadTests {
    /// The configuration file as the reload reads it: a test changes it, or breaks it, between reloads.
    final class ConfigSource {
        /// What the next reload reads.
        var next: ChatdConfig
        /// When set, the next reload fails with it.
        var error: (any Error)?

        /// A source that reads `config`.
        init(_ config: ChatdConfig) { next = config }

        /// The reload closure.
        func read() throws -> ChatdConfig {
            if let error { throw error }
            return next
        }
    }

    /// A configuration file that does not parse.
    struct BrokenFile: Error {}

    /// A binary frame of `count` bytes.
    static func binary(_ count: Int) -> [UInt8] {
        ClientBytes.frame(.binary, [UInt8](repeating: 0x42, count: count))
    }

    @Test func reloadPutsTheNewConfigurationInForce() throws {
        let source = ConfigSource(chatConfig())
        let harness = try ServerHarness(config: chatConfig(), reload: source.read)
        source.next = chatConfig(maxMessageBytes: 2000, maxOutboundBytes: 1 << 20, maxTextBytes: 100, logLevel: .notice)
        harness.lifecycle.reload()
        #expect(harness.server.config.maxMessageBytes == 2000)
        #expect(harness.server.echo.maxMessageBytes == 2000)
        #expect(harness.server.chat.maxMessageBytes == 1624, "maxFrameBytes of 100 text bytes")
        #expect(harness.server.chat.service.limits.maxTextBytes == 100)
        #expect(harness.connections.settings.outbound.hardLimitBytes == 1 << 20)
        #expect(harness.server.log.logger.logLevel == .notice)
        #expect(harness.logs.events("reloaded").count == 1)
    }

    @Test func brokenConfigurationIsRefusedAndTheRunningOneStays() throws {
        let source = ConfigSource(chatConfig(maxMessageBytes: 2000))
        source.error = BrokenFile()
        let harness = try ServerHarness(config: chatConfig(), reload: source.read)
        let settings = harness.connections.settings
        harness.lifecycle.reload()
        #expect(harness.server.config.maxMessageBytes == 1 << 20)
        #expect(harness.connections.settings == settings)
        let errors = harness.logs.events("config_error")
        #expect(errors.count == 1)
        #expect(errors.first?.level == .error)
        #expect(harness.logs.events("reloaded").isEmpty)
    }

    @Test func reloadWithoutAConfigurationFileIsSkipped() throws {
        let harness = try ServerHarness(config: chatConfig(), reload: nil)
        harness.lifecycle.reload()
        #expect(harness.logs.events("reload_skipped").count == 1)
        #expect(harness.logs.events("reloaded").isEmpty)
    }

    @Test func newListenAddressesWaitForARestartWhileTheRestApplies() throws {
        let original = chatConfig()
        let source = ConfigSource(original)
        let harness = try ServerHarness(config: original, reload: source.read)
        var moved = chatConfig(maxMessageBytes: 3000)
        moved.listen = [ListenAddress(host: "127.0.0.1", port: 9999)]
        source.next = moved
        harness.lifecycle.reload()
        #expect(harness.server.config.listen == original.listen)
        #expect(harness.server.config.maxMessageBytes == 3000)
        #expect(harness.logs.events("reload_needs_restart").first?.level == .warning)
    }

    @Test func historyStoreChangesWaitForARestartWhileRetentionApplies() throws {
        let original = chatConfig()
        let source = ConfigSource(original)
        let harness = try ServerHarness(config: original, reload: source.read)
        var changed = original
        changed.historyStore = .sqlite
        changed.historyPath = "/elsewhere/history.sqlite3"
        changed.historySync = .full
        changed.keepMessages = 42
        changed.keepDays = 3
        source.next = changed
        harness.lifecycle.reload()
        #expect(harness.server.config.historyStore == .memory)
        #expect(harness.server.config.historyPath == nil)
        #expect(harness.server.config.historySync == .normal)
        #expect(harness.server.chat.service.store.retention == HistoryRetention(keepMessages: 42, keepDays: 3))
        let warning = harness.logs.events("reload_needs_restart").first
        #expect(warning?.metadata["keys"]?.contains("store") == true)
        #expect(warning?.metadata["keys"]?.contains("sync") == true)
    }

    @Test func loweredMessageLimitReachesTheNextFrameOfAnOpenSession() throws {
        let source = ConfigSource(chatConfig())
        let harness = try ServerHarness(config: chatConfig(), reload: source.read)
        let echo = try harness.open("/echo")
        let other = try harness.open("/echo")
        source.next = chatConfig(maxMessageBytes: 1000)
        harness.lifecycle.reload()
        echo.send(Self.binary(2000))
        other.send(Self.binary(1000))
        #expect(harness.run { echo.receiveEnd() })
        #expect(echo.closeFrames.map(\.closeCode) == [1009])
        #expect(harness.run { other.receive() >= 0 && !other.frames.isEmpty })
        #expect(other.frames.first?.payload.count == 1000)
    }

    @Test func raisedMessageLimitLetsBiggerMessagesThrough() throws {
        let source = ConfigSource(chatConfig(maxMessageBytes: 1000))
        let harness = try ServerHarness(config: chatConfig(maxMessageBytes: 1000), reload: source.read)
        let echo = try harness.open("/echo")
        source.next = chatConfig(maxMessageBytes: 10_000)
        harness.lifecycle.reload()
        echo.send(Self.binary(5000))
        #expect(harness.run { echo.receive() >= 0 && !echo.frames.isEmpty })
        #expect(echo.frames.first?.opcode == 2)
        #expect(echo.frames.first?.payload == [UInt8](repeating: 0x42, count: 5000))
    }

    @Test func newConnectionsGetTheNewHeaderLimits() throws {
        let source = ConfigSource(chatConfig())
        let harness = try ServerHarness(config: chatConfig(), reload: source.read)
        let before = try harness.connect()
        source.next = chatConfig(maxHeaderBytes: 256)
        harness.lifecycle.reload()
        let after = try harness.connect()
        let padding = "X-Padding: " + String(repeating: "p", count: 300)
        before.send(ClientBytes.upgrade("/echo", extraHeaders: [padding]))
        after.send(ClientBytes.upgrade("/echo", extraHeaders: [padding]))
        #expect(harness.run { after.receiveEnd() })
        #expect(after.receivedText.hasPrefix("HTTP/1.1 431 "))
        #expect(before.receiveUpgrade(), "a request already being read keeps the limits it started with")
    }

    @Test func loweredTextLimitClosesAChatMembersOversizedFrame() throws {
        let source = ConfigSource(chatConfig())
        let harness = try ServerHarness(config: chatConfig(), reload: source.read)
        let member = try harness.join("r", as: "ann")
        source.next = chatConfig(maxTextBytes: 100)
        harness.lifecycle.reload()
        member.send(ClientBytes.text(String(repeating: "a", count: 2000)))
        #expect(harness.run { member.receiveEnd() })
        #expect(member.closeFrames.map(\.closeCode) == [1009])
    }
}
