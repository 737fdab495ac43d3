import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A helper program (redis-server, the FastDFS fake) started with `posix_spawn` rather than
/// Foundation's `Process`: in this test binary hundreds of sockets open and close at once, and
/// `Process.run()` walks the process's open descriptors while doing so; it crashed there (a bad
/// pointer in its copy) in the middle of the suite.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// Writing end of the child's standard input, when asked for.
    let input: FileHandle?
    /// Reading end of the child's standard output, when asked for.
    let output: FileHandle?

    struct SpawnFailed: Error, CustomStringConvertible {
        let executable: String
        let code: Int32
        var description: String { "could not start \(executable): \(String(cString: strerror(code)))" }
    }

    init(_ executable: String, _ arguments: [String], pipeInput: Bool = false, pipeOutput: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputFds: [Int32] = [-1, -1]
        var outputFds: [Int32] = [-1, -1]
        if pipeInput {
            try Self.makePipe(&inputFds, executable)
            posix_spawn_file_actions_adddup2(&actions, inputFds[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if pipeOutput {
            try Self.makePipe(&outputFds, executable)
            posix_spawn_file_actions_adddup2(&actions, outputFds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // posix_spawn keeps every descriptor without close-on-exec open in the child, and sockets of
        // other tests would then live on in it; a one-line Python closes them before the exec.
        let closeAndExec = "import os, sys; os.closerange(3, 1 << 20); os.execvp(sys.argv[1], sys.argv[1:])"
        let argv = (["python3", "-c", closeAndExec, executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawnp(&child, "python3", &actions, nil, argv, environ)
        if pipeInput { close(inputFds[0]) }
        if pipeOutput { close(outputFds[1]) }
        guard code == 0 else {
            if pipeInput { close(inputFds[1]) }
            if pipeOutput { close(outputFds[0]) }
            throw SpawnFailed(executable: executable, code: code)
        }
        pid = child
        input = pipeInput ? FileHandle(fileDescriptor: inputFds[1], closeOnDealloc: true) : nil
        output = pipeOutput ? FileHandle(fileDescriptor: outputFds[0], closeOnDealloc: true) : nil
    }

    /// Close-on-exec, so that no other child started meanwhile keeps an end open.
    private static func makePipe(_ fds: inout [Int32], _ executable: String) throws {
        guard pipe(&fds) == 0 else { throw SpawnFailed(executable: executable, code: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// SIGKILL, then reaped by polling (a blocking wait would hold a thread of the async tests).
    func kill() async {
        _ = Glibc.kill(pid, SIGKILL)
        await waitForExit()
    }

    func waitForExit() async {
        for _ in 0..<500 where isRunning {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }
}
