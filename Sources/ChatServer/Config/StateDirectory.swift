import SQLiteHistory

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where chatd keeps its state (the history database). Resolution is a pure function of the `--state-dir` flag and
/// the environment, so every precedence case is unit-tested; `prepare(forFile:)` is the only part that touches the
/// file system.
public enum StateDirectory {
    /// The history database's name inside the state directory when `[history] path` is not set.
    public static let historyFileName = "history.sqlite3"
    /// The directory name under `$XDG_STATE_HOME` and `$HOME/.local/state`.
    public static let applicationName = "chatd"
    /// The last resort when neither the flag, systemd, XDG nor `$HOME` name a directory: the working directory's
    /// `chatd-state`.
    public static let lastResort = "./chatd-state"
    /// The environment variables resolution reads.
    public static let environmentVariables = ["STATE_DIRECTORY", "XDG_STATE_HOME", "HOME"]

    /// The state directory, first match wins: `flag` (`--state-dir`); the first entry of `$STATE_DIRECTORY` (a
    /// colon-separated list that systemd sets for `StateDirectory=`); `$XDG_STATE_HOME/chatd` when that variable is
    /// an absolute path (the XDG spec says to ignore relative ones); `$HOME/.local/state/chatd` when `$HOME` is
    /// absolute; `./chatd-state`. Empty values count as unset.
    public static func resolve(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let list = environment["STATE_DIRECTORY"],
            let first = list.split(separator: ":", omittingEmptySubsequences: false).first, !first.isEmpty
        {
            return String(first)
        }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return join(xdg, applicationName)
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return join(join(home, ".local/state"), applicationName)
        }
        return lastResort
    }

    /// `path` itself when it is absolute, else `path` inside `directory` (without doubling a `/`).
    public static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// Why `path` cannot name the history database (`[history] path`), or nil when it can.
    static func problem(withHistoryPath path: String) -> String? {
        if path.isEmpty { return "must not be empty; leave the key out for \(historyFileName) in the state directory" }
        if path.utf8.contains(0) { return "must not contain a NUL character" }
        if path.hasPrefix("~") {
            return "\(ConfigTableReader.quoted(path)) starts with ~, which is not expanded; give an absolute path or "
                + "one relative to the state directory"
        }
        if path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..") || path == "." || path == ".." {
            return "\(ConfigTableReader.quoted(path)) names a directory; give the database file, e.g. "
                + "\"\(historyFileName)\""
        }
        return nil
    }

    /// The values of `environmentVariables` in this process's environment (unset ones are left out).
    public static func processEnvironment() -> [String: String] {
        var values: [String: String] = [:]
        for name in environmentVariables {
            if let pointer = getenv(name) { values[name] = String(cString: pointer) }
        }
        return values
    }

    /// The directory part of `file`: `.` for a bare name, `/` for a file in the root.
    public static func directory(of file: String) -> String {
        var path = Substring(file)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        var parent = path[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }

    /// Makes sure the history database `file` can be created and written: creates its directory and any missing
    /// parents (mode 0700), then checks the directory (SQLite puts `-wal` and `-shm` files next to the database)
    /// and an existing file are writable. Errors name the path and the reason.
    public static func prepare(forFile file: String) throws(StateDirectoryError) {
        let directory = directory(of: file)
        try createDirectories(directory)
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw StateDirectoryError(path: directory, reason: "cannot use it: \(lastErrorText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StateDirectoryError(path: directory, reason: "is not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw StateDirectoryError(path: directory, reason: "directory is not writable (\(lastErrorText()))")
        }
        if access(file, F_OK) == 0, access(file, R_OK | W_OK) != 0 {
            throw StateDirectoryError(path: file, reason: "file is not writable (\(lastErrorText()))")
        }
    }

    /// `mkdir -p` with mode 0700 for the directories that do not exist yet (the store's own implementation),
    /// failing with the operator's wording.
    private static func createDirectories(_ directory: String) throws(StateDirectoryError) {
        do {
            try DirectoryCreation.createDirectories(directory)
        } catch {
            // Something that is not a directory stands in the way: the checks in `prepare` name it.
            guard error.code != EEXIST else { return }
            throw StateDirectoryError(path: error.path, reason: "cannot create directory (\(error.message))")
        }
    }

    /// `strerror(errno)` as a String.
    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}

/// The state directory or the history database cannot be used: phrased for the one `chatd: cannot start: ...` line.
public struct StateDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory or file at fault.
    public var path: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `history database location /var/lib/chatd: directory is not writable (Read-only file system); ...`.
    public var description: String {
        "history database location \(path): \(reason); choose a writable place with --state-dir or [history] path, "
            + "or set [history] store = \"memory\""
    }
}

extension ChatdConfig {
    /// The state directory: `--state-dir`, else systemd's `$STATE_DIRECTORY`, `$XDG_STATE_HOME/chatd`,
    /// `$HOME/.local/state/chatd` or `./chatd-state` (see `StateDirectory.resolve`).
    public func resolvedStateDirectory(environment: [String: String]) -> String {
        StateDirectory.resolve(flag: stateDirectory, environment: environment)
    }

    /// The history database file: `[history] path` when set (absolute, or relative to the state directory), else
    /// `history.sqlite3` in the state directory.
    public func resolvedHistoryPath(environment: [String: String]) -> String {
        StateDirectory.join(
            resolvedStateDirectory(environment: environment), historyPath ?? StateDirectory.historyFileName)
    }

    /// One line for `--check-config` and the start-up log: `history: sqlite at PATH (sync normal)` or
    /// `history: memory (not kept across restarts)`.
    public func historySummary(environment: [String: String]) -> String {
        switch historyStore {
        case .sqlite: "history: sqlite at \(resolvedHistoryPath(environment: environment)) (sync \(historySync))"
        case .memory: "history: memory (not kept across restarts)"
        }
    }
}
