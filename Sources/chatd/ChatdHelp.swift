/// The long `--help` text and the version, kept out of the command so the command stays readable.
enum ChatdHelp {
    /// Printed by `--version` as `chatd VERSION`.
    static let version = "0.1.0"

    /// What chatd serves, the defaults, signals and examples (lines kept under 80 columns).
    static let discussion = """
        Serves on one port (default 127.0.0.1:8080):
          GET /              the browser chat page
          GET /healthz       200 "ok", for health checks ("degraded: ..." while
                             history cannot be stored; chat still works)
          WebSocket /echo    echoes every message (conformance testing)
          WebSocket /NAME    chat room NAME ("/" is room "lobby");
                             "?name=alice" picks your chat name

        Settings come from the TOML file given with --config; config/chatd.toml
        lists every setting with its default. Without --config the built-in
        defaults apply: listen 127.0.0.1:8080, 1 MiB messages, 10000
        connections, ping after 60 s of silence, log level info. Unknown
        settings and out-of-range values are errors. Flags override the file.

        Room history is kept in an SQLite database, history.sqlite3 in the
        state directory: --state-dir, else $STATE_DIRECTORY (systemd's
        StateDirectory=), else $XDG_STATE_HOME/chatd, else
        ~/.local/state/chatd. [history] store = "memory" keeps none on disk.

        Logs go to the systemd journal when started by systemd, else to stderr.
        Signals: SIGTERM or SIGINT shut down gracefully (close frames, drain).
        Exit status: 0 after a clean shutdown, 1 on configuration or start-up
        errors (one "chatd: ..." line on stderr), 64 on unknown options.

        Examples:
          chatd
          chatd --config /etc/chatd/chatd.toml
          chatd --config chatd.toml --check-config
          chatd --config chatd.toml --state-dir /srv/chatd
          chatd --listen 0.0.0.0:8080 --listen [::]:8080 --log-level debug
        """
}
