import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes frames to Chromium's command pipe (its fd 3) on a dedicated thread, in order.
///
/// A write to a pipe blocks when Chromium stops reading, so it never happens on Swift's
/// cooperative pool: callers queue frames and return at once. `SIGPIPE` is blocked on the
/// writer thread, so a browser that went away turns into a failed write (`EPIPE`), not a killed
/// worker.
final class PipeWriter: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var finishing = false
        var failed = false
        var started = false
    }

    private let fd: Int32
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    /// Takes ownership of `fd`: it is closed when the writer finishes or a write fails.
    init(fd: Int32) {
        self.fd = fd
    }

    /// Starts the writer thread (once).
    func start(name: String) {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Queues a frame. Returns false when the pipe is closed or broken, so it will never be written.
    @discardableResult
    func enqueue(_ frame: [UInt8]) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.finishing, !state.failed else { return false }
            state.queue.append(frame)
            return true
        }
        if accepted { wakeup.signal() }
        return accepted
    }

    /// Writes what is queued, then closes the pipe (Chromium reads end-of-file and exits).
    func finish() {
        let changed = state.withLock { state -> Bool in
            defer { state.finishing = true }
            return !state.finishing
        }
        if changed { wakeup.signal() }
    }

    private func loop() {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        while true {
            wakeup.wait()
            let (batch, finishing) = state.withLock { state -> ([[UInt8]], Bool) in
                defer { state.queue.removeAll() }
                return (state.queue, state.finishing)
            }
            for frame in batch where !writeAll(frame) {
                state.withLock { state in
                    state.failed = true
                    state.queue.removeAll()
                }
                close(fd)
                return
            }
            if finishing {
                close(fd)
                return
            }
        }
    }

    private func writeAll(_ frame: [UInt8]) -> Bool {
        frame.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
