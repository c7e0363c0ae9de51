import Chat
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// How a configuration becomes the connection layer's settings and the chat layer's limits.
@Suite struct ServerSettingsTests {
    @Test func everyFieldIsCarriedOver() {
        var config = ChatdConfig(
            maxMessageBytes: 5000, maxHeaderBytes: 4096, maxHeaderCount: 20, maxConnections: 77,
            maxOutboundBytes: 100_000, softOutboundBytes: 50_000, softOutboundMs: 1234,
            maxBufferedInputBytes: 999_999, handshakeTimeoutMs: 11, idleTimeoutMs: 22, pongTimeoutMs: 33,
            closeTimeoutMs: 44)
        config.allowedOrigins = ["https://a.example"]
        let settings = Server.connectionSettings(for: config)
        #expect(settings.maxConnections == 77)
        #expect(settings.headerLimits == HTTPParserLimits(maxHeaderBytes: 4096, maxHeaderCount: 20))
        #expect(settings.handshakePolicy.allowedOrigins == ["https://a.example"])
        #expect(settings.handshakeTimeoutMilliseconds == 11)
        #expect(settings.idleTimeoutMilliseconds == 22)
        #expect(settings.pongTimeoutMilliseconds == 33)
        #expect(settings.closeTimeoutMilliseconds == 44)
        #expect(
            settings.outbound
                == OutboundPolicy(hardLimitBytes: 100_000, softLimitBytes: 50_000, softLimitMilliseconds: 1234))
        #expect(settings.inputBudgetBytes == 999_999)
    }

    @Test func hardOutboundLimitAlwaysFitsOneMaximalFrame() {
        let config = ChatdConfig(maxMessageBytes: 100_000, maxOutboundBytes: 1000, softOutboundBytes: 500)
        let settings = Server.connectionSettings(for: config)
        #expect(settings.outbound.hardLimitBytes == 100_016, "an echo of the largest message must fit")
        #expect(settings.outbound.softLimitBytes == 500)
    }

    @Test func inputBudgetAlwaysFitsOneMaximalMessage() {
        let config = ChatdConfig(maxMessageBytes: 100_000, maxBufferedInputBytes: 10)
        #expect(Server.connectionSettings(for: config).inputBudgetBytes == 100_000)
    }

    @Test func chatLimitsComeFromTheChatSection() {
        let config = ChatdConfig(
            maxNameLength: 9, maxRooms: 8, maxMembersPerRoom: 7, historySize: 6, maxTextBytes: 5, ratePerSecond: 4,
            rateBurst: 3)
        let limits = Server.chatLimits(for: config)
        #expect(
            limits
                == ChatLimits(
                    maxNameLength: 9, maxRooms: 8, maxMembersPerRoom: 7, maxTextBytes: 5, historySize: 6,
                    ratePerSecond: 4, rateBurst: 3))
    }

    @Test func serverStartsWithTheSettingsOfItsConfiguration() throws {
        let config = chatConfig(maxMessageBytes: 7000, maxOutboundBytes: 70_000)
        let harness = try ServerHarness(config: config)
        #expect(harness.connections.settings == Server.connectionSettings(for: config))
        #expect(harness.server.chat.service.limits == Server.chatLimits(for: config))
        #expect(harness.server.echo.maxMessageBytes == 7000)
    }

    @Test func unusableListenAddressIsAReadableStartError() {
        var config = ChatdConfig()
        config.listen = [ListenAddress(host: "localhost", port: 8080)]
        config.historyStore = .memory
        #expect {
            _ = try Server(config: config, logger: LogRecords().logger(), reloadConfiguration: nil, bind: true)
        } throws: { error in
            "\(error)".contains("not a numeric IPv4 or IPv6 address")
        }
    }
}
