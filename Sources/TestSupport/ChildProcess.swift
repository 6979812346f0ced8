import Foundation
import Glibc

/// Starts child processes for the test harness: standard input from `/dev/null`, standard output
/// and error into one file (never a pipe, so a child that lives on holds nothing the caller waits
/// for), no signal blocked and every signal at its default action (a test process blocks most
/// signals on its threads; a daemon such as PgBouncer that inherited that would ignore SIGTERM).
enum ChildProcess {
    /// Spawns `arguments` (looked up in `PATH`) with `environment` (nil: this process's), its output
    /// written to `output` (appended when `append`), and returns its process id.
    static func spawn(
        _ arguments: [String], environment: [String: String]? = nil, output: String, append: Bool
    )
        throws -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let spawned =
            envp.map { envp in posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp) }
            ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw ChildProcessError(command: arguments[0], code: spawned) }
        return pid
    }
}

/// A child process that could not be started.
struct ChildProcessError: Error, CustomStringConvertible {
    let command: String
    let code: Int32

    var description: String { "cannot run \(command): error \(code)" }
}
