import CSystemd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells systemd about the service's state (`Type=notify`): `READY=1` once listening, `STATUS=...`,
/// `RELOADING=1`, `STOPPING=1`. Does nothing when not started by systemd.
public enum SystemdNotifier {
    /// True when systemd asked for notifications (`NOTIFY_SOCKET` is set).
    public static var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends `state` (newline-separated `KEY=value` assignments) via `sd_notify`; failures are ignored
    /// because a missed status update must never take the server down.
    public static func notify(_ state: String) {
        guard isEnabled else { return }
        _ = sd_notify(0, state)
    }
}
