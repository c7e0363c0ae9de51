import CSQLite
import Glibc
import History

/// The files around the database: its directory, the lock file and the degraded marker. It exists so the
/// naming (`<path>.lock`, `<path>-degraded`) and the small file-system steps (create the directory, create or
/// remove the marker durably) live in one place. Never opens the database file itself: closing any descriptor of
/// that file would drop SQLite's POSIX locks on it.
struct StoreFiles: Sendable {
    /// The database file.
    let path: String
    /// The lock file held for the store's life.
    var lockPath: String { path + ".lock" }
    /// Present while writes fail, and after a run that stopped while they failed.
    var markerPath: String { path + "-degraded" }

    /// The directory holding the database ("." for a bare file name).
    var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Creates the database's directory and any missing parents with mode 0700.
    func createDirectory() throws(HistoryStoreError) {
        do {
            try DirectoryCreation.createDirectories(directory)
        } catch {
            let reason = "cannot create directory \(error.path): \(error.message)"
            throw StoreErrors.isPermission(error.code)
                ? StoreErrors.notWritable(path, reason) : StoreErrors.cannotOpen(path, reason)
        }
    }

    /// SQLite's write-ahead log beside the database.
    var walPath: String { path + "-wal" }

    /// True when a non-empty WAL is present before the store opens: the last connection did not close (a clean
    /// close checkpoints and removes it), so the previous run crashed or was killed.
    var walIsNonEmpty: Bool {
        var status = stat()
        return stat(walPath, &status) == 0 && status.st_size > 0
    }

    /// True when a previous run left the degraded marker.
    var markerExists: Bool { access(markerPath, F_OK) == 0 }

    /// Creates the empty marker and syncs the directory; failures are ignored (a full disk usually still allows
    /// an empty file, and nothing better can be done).
    func createMarker() {
        let fd = open(markerPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        Glibc.close(fd)
        syncDirectory()
    }

    /// Removes the marker and syncs the directory.
    func removeMarker() {
        guard unlink(markerPath) == 0 else { return }
        syncDirectory()
    }

    /// Makes a created or removed directory entry durable.
    private func syncDirectory() {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        Glibc.close(fd)
    }
}
