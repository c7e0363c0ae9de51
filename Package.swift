// swift-tools-version: 6.0
// chatd: a single-threaded epoll WebSocket chat server daemon for Linux.
import PackageDescription

let package = Package(
    name: "chatd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "chatd", targets: ["chatd"]),
        .executable(name: "chatd-load", targets: ["chatd-load"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // libsystemd: sd_notify, socket activation, the journal.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // Linux headers Glibc does not export: epoll, signalfd, timerfd.
        .systemLibrary(name: "CLinux"),
        // The epoll event loop: fds, timers, signals, sockets, outbound queues.
        .target(name: "Reactor", dependencies: ["CLinux"]),
        // Sans-I/O HTTP/1.1 upgrade + RFC 6455: bytes in, events and bytes out.
        .target(
            name: "WebSocket",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ]
        ),
        // The history store seam (append in batches, read back, epochs, retention) and its in-memory store.
        .target(name: "History"),
        // SQLite through Debian's libsqlite3-dev.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The durable history store: SQLite in WAL mode, written by its own thread, one transaction per batch.
        .target(name: "SQLiteHistory", dependencies: ["History", "CSQLite"]),
        // Rooms, members, names and the plain-text chat behaviour.
        .target(name: "Chat", dependencies: ["History"]),
        // Connections over the reactor: HTTP upgrade, sessions, gated delivery, closes at the end of the pass,
        // outbound and input limits. Knows nothing of chat: applications plug in through a protocol.
        .target(
            name: "WebSocketServer",
            dependencies: ["Reactor", "WebSocket", .product(name: "Logging", package: "swift-log")]
        ),
        // Wires reactor, connections and chat together; config, routes, logging, systemd, lifecycle.
        .target(
            name: "ChatServer",
            dependencies: [
                "Reactor", "WebSocket", "WebSocketServer", "Chat", "History", "SQLiteHistory", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            resources: [.embedInCode("Resources/index.html")]
        ),
        .executableTarget(
            name: "chatd",
            dependencies: [
                "ChatServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmark's load generator: many client WebSockets from one epoll thread.
        .executableTarget(
            name: "chatd-load",
            dependencies: [
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ],
            // Its per-message loops touch class properties millions of times a second; the dynamic
            // exclusivity checks cost more than the work (measured with perf). Single-threaded code.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket"]),
        .testTarget(name: "ChatTests", dependencies: ["Chat", "History"]),
        .testTarget(name: "HistoryTests", dependencies: ["History"]),
        .testTarget(name: "SQLiteHistoryTests", dependencies: ["SQLiteHistory", "History"]),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor"]),
        // The client end of a socketpair and a server-frame parser, shared by the glue tests of both targets.
        .target(
            name: "GlueTestSupport", dependencies: ["WebSocket", "WebSocketServer"], path: "Tests/GlueTestSupport"),
        .testTarget(name: "WebSocketServerTests", dependencies: ["WebSocketServer", "WebSocket", "GlueTestSupport"]),
        .testTarget(name: "ChatServerTests", dependencies: ["ChatServer", "WebSocketServer", "GlueTestSupport"]),
        .testTarget(name: "ChatdLoadTests", dependencies: ["chatd-load"]),
    ],
    swiftLanguageModes: [.v6]
)
