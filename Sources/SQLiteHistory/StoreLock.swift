import CSQLite
import Glibc
import History

/// The exclusive lock that keeps two chatd processes off one store: `flock(LOCK_EX|LOCK_NB)` on a separate file
/// `<path>.lock`, kept open for the store's life. A separate file because SQLite's own locks are POSIX record
/// locks, which any close of any descriptor of the database file would silently drop.
final class StoreLock {
    private var descriptor: Int32

    /// Takes the lock or says who has it.
    init(files: StoreFiles) throws(HistoryStoreError) {
        let fd = open(files.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = csqlite_errno()
            let reason = "cannot open lock file \(files.lockPath): \(StoreErrors.systemMessage(code))"
            throw StoreErrors.isPermission(code)
                ? StoreErrors.notWritable(files.path, reason) : StoreErrors.cannotOpen(files.path, reason)
        }
        var status: Int32
        repeat {
            status = flock(fd, LOCK_EX | LOCK_NB)
        } while status != 0 && csqlite_errno() == EINTR
        guard status == 0 else {
            let code = csqlite_errno()
            Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw StoreErrors.inUse(files.path, lockPath: files.lockPath)
            }
            throw StoreErrors.cannotOpen(
                files.path, "cannot lock \(files.lockPath): \(StoreErrors.systemMessage(code))")
        }
        descriptor = fd
    }

    deinit {
        release()
    }

    /// Drops the lock (closing the descriptor releases the flock); the file stays for the next run.
    func release() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
