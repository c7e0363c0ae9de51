/// Something registered with the event loop that reacts to readiness of one file descriptor.
public protocol EventHandler: AnyObject {
    /// Called once per loop pass in which the descriptor is ready; `events` holds the epoll bits.
    func handleEvents(_ events: ReadinessEvents)
}

/// The readiness bits epoll reported for a descriptor, in a Swift-friendly form.
public struct ReadinessEvents: OptionSet, Sendable {
    /// The raw epoll event mask.
    public let rawValue: UInt32

    /// Wraps a raw epoll event mask.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Data (or a new connection, or EOF) can be read.
    public static let readable = ReadinessEvents(rawValue: 0x001)  // EPOLLIN
    /// The send buffer has room again.
    public static let writable = ReadinessEvents(rawValue: 0x004)  // EPOLLOUT
    /// An error is pending on the socket.
    public static let error = ReadinessEvents(rawValue: 0x008)  // EPOLLERR
    /// The peer hung up both directions.
    public static let hangup = ReadinessEvents(rawValue: 0x010)  // EPOLLHUP
}

/// What a registration asks epoll to watch for.
public struct Interest: OptionSet, Sendable {
    /// The raw epoll event mask to request.
    public let rawValue: UInt32

    /// Wraps a raw epoll event mask.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Wake when readable.
    public static let read = Interest(rawValue: 0x001)
    /// Wake when writable (registered only while output is queued).
    public static let write = Interest(rawValue: 0x004)
}
