import Reactor

/// Adapts a closure to `EventHandler` for the loop's own descriptors (signals, timer).
final class CallbackHandler: EventHandler {
    private let callback: () -> Void

    /// Calls `callback` whenever the descriptor is ready.
    init(_ callback: @escaping () -> Void) { self.callback = callback }

    /// Runs the callback.
    func handleEvents(_ events: ReadinessEvents) { callback() }
}
