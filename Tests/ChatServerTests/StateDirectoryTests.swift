import Testing

@testable import ChatServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the history database goes: `--state-dir`, systemd's `$STATE_DIRECTORY`, XDG, `$HOME`, the last resort, and
/// an explicit `[history] path` on top.
@Suite struct StateDirectoryTests {
    /// Every variable set, so each case shows what wins over what.
    static let everything = [
        "STATE_DIRECTORY": "/var/lib/chatd",
        "XDG_STATE_HOME": "/home/ann/.state",
        "HOME": "/home/ann",
    ]

    /// The defaults with `--state-dir` and `[history] path` as given.
    private func config(stateDirectory: String? = nil, path: String? = nil) -> ChatdConfig {
        var config = ChatdConfig.defaults
        config.stateDirectory = stateDirectory
        config.historyPath = path
        return config
    }

    @Test func theFlagWinsOverEveryVariable() {
        let config = config(stateDirectory: "/srv/chatd")
        #expect(config.resolvedStateDirectory(environment: Self.everything) == "/srv/chatd")
        #expect(config.resolvedHistoryPath(environment: Self.everything) == "/srv/chatd/history.sqlite3")
        #expect(config.resolvedHistoryPath(environment: [:]) == "/srv/chatd/history.sqlite3")
    }

    @Test func aRelativeFlagStaysRelativeToTheWorkingDirectory() {
        #expect(config(stateDirectory: ".state").resolvedHistoryPath(environment: [:]) == ".state/history.sqlite3")
        #expect(
            config(stateDirectory: "/srv/chatd/").resolvedHistoryPath(environment: [:]) == "/srv/chatd/history.sqlite3")
        #expect(config(stateDirectory: "/").resolvedHistoryPath(environment: [:]) == "/history.sqlite3")
    }

    @Test func systemdsStateDirectoryComesNext() {
        #expect(config().resolvedHistoryPath(environment: Self.everything) == "/var/lib/chatd/history.sqlite3")
    }

    @Test func onlyTheFirstOfSeveralStateDirectoriesIsUsed() {
        let environment = ["STATE_DIRECTORY": "/var/lib/chatd:/var/lib/other", "HOME": "/home/ann"]
        #expect(config().resolvedStateDirectory(environment: environment) == "/var/lib/chatd")
    }

    @Test func anEmptyStateDirectoryCountsAsUnset() {
        var environment = Self.everything
        environment["STATE_DIRECTORY"] = ""
        #expect(config().resolvedStateDirectory(environment: environment) == "/home/ann/.state/chatd")
        environment["STATE_DIRECTORY"] = ":/var/lib/second"
        #expect(config().resolvedStateDirectory(environment: environment) == "/home/ann/.state/chatd")
    }

    @Test func xdgStateHomeComesNextWhenAbsolute() {
        let environment = ["XDG_STATE_HOME": "/home/ann/.state", "HOME": "/home/ann"]
        #expect(config().resolvedHistoryPath(environment: environment) == "/home/ann/.state/chatd/history.sqlite3")
        let slash = ["XDG_STATE_HOME": "/home/ann/.state/"]
        #expect(config().resolvedStateDirectory(environment: slash) == "/home/ann/.state/chatd")
    }

    @Test func aRelativeOrEmptyXdgStateHomeIsIgnored() {
        for value in ["relative/state", "", "~/.state"] {
            let environment = ["XDG_STATE_HOME": value, "HOME": "/home/ann"]
            #expect(
                config().resolvedStateDirectory(environment: environment) == "/home/ann/.local/state/chatd", "\(value)")
        }
    }

    @Test func homeComesNext() {
        #expect(
            config().resolvedHistoryPath(environment: ["HOME": "/home/ann"])
                == "/home/ann/.local/state/chatd/history.sqlite3")
        #expect(config().resolvedStateDirectory(environment: ["HOME": "/"]) == "/.local/state/chatd")
        #expect(config().resolvedStateDirectory(environment: ["HOME": "/root/"]) == "/root/.local/state/chatd")
    }

    @Test func theWorkingDirectoryIsTheLastResort() {
        #expect(config().resolvedHistoryPath(environment: [:]) == "./chatd-state/history.sqlite3")
        #expect(config().resolvedStateDirectory(environment: ["HOME": ""]) == "./chatd-state")
        #expect(config().resolvedStateDirectory(environment: ["HOME": "relative"]) == "./chatd-state")
        #expect(config().resolvedStateDirectory(environment: ["PATH": "/usr/bin"]) == "./chatd-state")
    }

    @Test func anAbsolutePathIgnoresTheStateDirectory() {
        let explicit = config(stateDirectory: "/srv/chatd", path: "/data/rooms.db")
        #expect(explicit.resolvedHistoryPath(environment: Self.everything) == "/data/rooms.db")
        #expect(config(path: "/data/rooms.db").resolvedHistoryPath(environment: [:]) == "/data/rooms.db")
    }

    @Test func aRelativePathIsInsideTheStateDirectory() {
        #expect(
            config(path: "rooms.db").resolvedHistoryPath(environment: Self.everything) == "/var/lib/chatd/rooms.db")
        #expect(
            config(stateDirectory: "/srv/chatd", path: "sub/rooms.db").resolvedHistoryPath(environment: [:])
                == "/srv/chatd/sub/rooms.db")
        #expect(config(path: "rooms.db").resolvedHistoryPath(environment: [:]) == "./chatd-state/rooms.db")
    }

    @Test func summaryNamesTheStoreFileAndSync() {
        var sqlite = config(stateDirectory: "/srv/chatd")
        #expect(
            sqlite.historySummary(environment: [:]) == "history: sqlite at /srv/chatd/history.sqlite3 (sync normal)")
        sqlite.historySync = .full
        #expect(sqlite.historySummary(environment: [:]) == "history: sqlite at /srv/chatd/history.sqlite3 (sync full)")
        var memory = sqlite
        memory.historyStore = .memory
        #expect(memory.historySummary(environment: [:]) == "history: memory (not kept across restarts)")
    }

    @Test func processEnvironmentReadsOnlyTheVariablesThatMatter() {
        let environment = StateDirectory.processEnvironment()
        #expect(Set(environment.keys).isSubset(of: Set(StateDirectory.environmentVariables)))
        if let home = getenv("HOME") { #expect(environment["HOME"] == String(cString: home)) }
    }

    @Test func directoryOfAFile() {
        #expect(StateDirectory.directory(of: "/var/lib/chatd/history.sqlite3") == "/var/lib/chatd")
        #expect(StateDirectory.directory(of: "/history.sqlite3") == "/")
        #expect(StateDirectory.directory(of: "history.sqlite3") == ".")
        #expect(StateDirectory.directory(of: "./chatd-state/history.sqlite3") == "./chatd-state")
        #expect(StateDirectory.directory(of: "/srv//chatd//history.sqlite3") == "/srv//chatd")
    }

    // MARK: - prepare(forFile:)

    /// A fresh empty directory under /tmp, removed (with what the test put in it) by `remove`.
    private func temporaryDirectory() throws -> String {
        var template = Array("/tmp/chatd-state-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        try #require(made != nil)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `rm -rf` for the few files and directories a test makes.
    private func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            chmod(path, 0o700)
            if let directory = opendir(path) {
                while let entry = readdir(directory) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name != "." && name != ".." { remove(path + "/" + name) }
                }
                closedir(directory)
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// The permission bits of `path`, nil when it does not exist.
    private func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test func prepareCreatesMissingDirectoriesPrivately() throws {
        let root = try temporaryDirectory()
        defer { remove(root) }
        let file = root + "/a/b/chatd/history.sqlite3"
        try StateDirectory.prepare(forFile: file)
        let previous = umask(0o022)
        umask(previous)
        #expect(mode(of: root + "/a/b/chatd") == 0o700 & ~previous)
        #expect(mode(of: root + "/a") == 0o700 & ~previous)
        #expect(mode(of: file) == nil, "the database itself is left to the store")
        try StateDirectory.prepare(forFile: file)
    }

    @Test func prepareAcceptsAnExistingDirectory() throws {
        let root = try temporaryDirectory()
        defer { remove(root) }
        try StateDirectory.prepare(forFile: root + "/history.sqlite3")
    }

    @Test func prepareRefusesAFileWhereTheDirectoryShouldBe() throws {
        let root = try temporaryDirectory()
        defer { remove(root) }
        let blocker = root + "/state"
        let fd = open(blocker, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        close(fd)
        #expect(throws: StateDirectoryError.self) { try StateDirectory.prepare(forFile: blocker + "/history.sqlite3") }
        do {
            try StateDirectory.prepare(forFile: blocker + "/deeper/history.sqlite3")
            Issue.record("a file as a parent directory was accepted")
        } catch {
            #expect(error.path.hasPrefix(blocker))
            #expect(error.description.hasPrefix("history database location \(blocker)"))
            #expect(error.description.contains("--state-dir"))
        }
    }

    @Test func prepareRefusesAnUnwritableDirectory() throws {
        // root may write anywhere that is not mounted read-only, so this case only holds for other users.
        guard geteuid() != 0 else { return }
        let root = try temporaryDirectory()
        defer { remove(root) }
        chmod(root, 0o500)
        do {
            try StateDirectory.prepare(forFile: root + "/history.sqlite3")
            Issue.record("an unwritable directory was accepted")
        } catch {
            #expect(error.path == root)
            #expect(error.reason.hasPrefix("directory is not writable"))
        }
    }

    @Test func prepareRefusesAReadOnlyFileSystem() throws {
        // /proc is mounted read-only for new entries everywhere chatd runs; /proc/self/chatd cannot be created.
        do {
            try StateDirectory.prepare(forFile: "/proc/chatd-state-test/history.sqlite3")
            Issue.record("a directory in /proc was accepted")
        } catch {
            #expect(error.path == "/proc/chatd-state-test")
            #expect(error.reason.hasPrefix("cannot create directory ("))
        }
    }

    @Test func prepareRefusesAnUnwritableDatabaseFile() throws {
        guard geteuid() != 0 else { return }
        let root = try temporaryDirectory()
        defer { remove(root) }
        let file = root + "/history.sqlite3"
        let fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0o400)
        try #require(fd >= 0)
        close(fd)
        #expect(throws: StateDirectoryError(path: file, reason: "file is not writable (Permission denied)")) {
            try StateDirectory.prepare(forFile: file)
        }
    }
}
