#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Decides whether stderr is systemd's journal stream, following systemd.exec(5): `JOURNAL_STREAM` holds
/// `DEVICE:INODE` of the stream, and it only counts when fd 2 is still that very file.
enum JournalStreamDetection {
    /// True when the journal connected stderr for this process.
    static func stderrIsJournal() -> Bool {
        guard let pointer = getenv("JOURNAL_STREAM") else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return matches(
            environmentValue: String(cString: pointer),
            device: UInt64(status.st_dev),
            inode: UInt64(status.st_ino)
        )
    }

    /// Pure comparison of a `JOURNAL_STREAM` value (`"dev:ino"`, decimal) with stderr's device and inode.
    static func matches(environmentValue: String?, device: UInt64, inode: UInt64) -> Bool {
        guard let environmentValue else { return false }
        let parts = environmentValue.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let streamDevice = UInt64(parts[0]), let streamInode = UInt64(parts[1]) else {
            return false
        }
        return streamDevice == device && streamInode == inode
    }
}
