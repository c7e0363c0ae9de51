import CSQLite
import Glibc

/// `mkdir -p` with mode 0700, the one implementation for the store (which creates its database's directory when
/// opened on its own) and the daemon's state-directory preparation (which words the failure for the operator).
public enum DirectoryCreation {
    /// A directory that could not be created: which one, and the `errno` of `mkdir`.
    public struct Failure: Error, Sendable, Equatable {
        /// The first directory on the way that could not be created.
        public var path: String
        /// `mkdir`'s errno.
        public var code: Int32
        /// `strerror(code)`.
        public var message: String { String(cString: strerror(code)) }
    }

    /// Creates `directory` and its missing parents with mode 0700. A component that already exists as a
    /// directory is fine even when `mkdir` reports another error for it (EACCES or EROFS on a parent the process
    /// may not write); `.` and `..` are passed over.
    public static func createDirectories(_ directory: String) throws(Failure) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            defer { prefix += "/" }
            if component == "." || component == ".." { continue }
            guard mkdir(prefix, 0o700) != 0 else { continue }
            let code = csqlite_errno()
            var status = stat()
            if stat(prefix, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { continue }
            throw Failure(path: prefix, code: code)
        }
    }
}
