import ArgumentParser

/// The chatd load generator: drives a WebSocket server hard from one thread and measures it.
@main
struct ChatdLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatd-load",
        abstract: "Single-threaded epoll WebSocket load generator for chatd and its peers.",
        subcommands: [
            FanoutCommand.self, EchoCommand.self, ConnectCommand.self, ChurnCommand.self, ChatCommand.self,
            JoinCommand.self,
        ])
}
