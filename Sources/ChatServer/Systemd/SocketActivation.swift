import CSystemd
import Glibc

/// Listening sockets handed over by systemd (a `.socket` unit): connections that arrive while the
/// service restarts wait in the kernel's backlog of a socket systemd keeps open, so none is refused.
public enum SocketActivation {
    /// One inherited listening socket.
    public struct InheritedSocket: Sendable, Equatable {
        /// The descriptor (3, 4, ...).
        public var fd: Int32
        /// Its `FileDescriptorName=` (systemd's default is the socket unit's name).
        public var name: String
    }

    /// The stream listening sockets passed with `LISTEN_FDS`/`LISTEN_FDNAMES`; empty when not socket-activated.
    /// The environment variables are unset so child processes never inherit them.
    public static func inheritedSockets() -> [InheritedSocket] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return [] }
        defer {
            if let names {
                for index in 0..<Int(count) { free(names[index]) }
                free(names)
            }
        }
        var sockets: [InheritedSocket] = []
        for index in 0..<count {
            let fd = Int32(SD_LISTEN_FDS_START) + index
            guard sd_is_socket(fd, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0 else { continue }
            let name = names.flatMap { $0[Int(index)] }.map { decode($0) } ?? "unknown"
            sockets.append(InheritedSocket(fd: fd, name: name))
        }
        return sockets
    }

    /// Decodes a NUL-terminated C string without the deprecated `String(cString:)`.
    private static func decode(_ pointer: UnsafeMutablePointer<CChar>) -> String {
        let length = strlen(pointer)
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
