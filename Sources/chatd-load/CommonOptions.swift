import ArgumentParser

/// Options every mode shares: where to connect, from which addresses, what to watch, how long at most.
struct CommonOptions: ParsableArguments {
    @Option(help: "Server URL, ws://HOST:PORT/PATH (IPv4 loopback).")
    var url: String

    @Option(help: "Comma-separated source addresses to bind client sockets to, round-robin.")
    var sources: String = "127.0.0.1"

    @Option(help: "PID of the server, to report its CPU time and resident memory next to ours.")
    var serverPid: Int32?

    @Flag(help: "Print one JSON object as the last line of output.")
    var json = false

    @Option(help: "Hard bound on the whole run in seconds.")
    var timeout: Double = 60

    /// The parsed URL.
    func parsedURL() throws -> WebSocketURL { try WebSocketURL(parsing: url) }

    /// The source addresses as a list.
    var sourceList: [String] { sources.split(separator: ",").map { String($0) } }
}
