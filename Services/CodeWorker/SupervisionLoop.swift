import Glibc

/// The `poll` loop of ``ScriptSupervisor``: reads a running child's output, and kills its process
/// group when it exits, runs out of time or is cancelled. Blocks its thread until the child is reaped.
struct SupervisionLoop {
    /// What the loop saw.
    struct Result {
        var termination: ChildProcess.Termination
        var output: OutputCapture
        var errors: OutputCapture
        var timedOut: Bool
        var cancelled: Bool
        var elapsed: Duration
    }

    private let child: ChildProcess
    private let started: ContinuousClock.Instant
    private let signal: CancellationSignal
    private let killGrace: Duration
    private let timeout: Duration
    private var outputDescriptor: Int32?
    private var errorDescriptor: Int32?
    private var output: OutputCapture
    private var errors: OutputCapture

    /// Takes ownership of the two read ends (it closes them). The time limit and the elapsed time
    /// count from `startedAt`, taken just before the child was spawned.
    init(
        child: ChildProcess, startedAt: ContinuousClock.Instant, output: Int32, errors: Int32,
        signal: CancellationSignal, job: ScriptJob, killGrace: Duration
    ) {
        self.child = child
        self.started = startedAt
        self.signal = signal
        self.killGrace = killGrace
        self.timeout = job.timeout
        self.outputDescriptor = output
        self.errorDescriptor = errors
        self.output = OutputCapture(limit: job.outputLimit, keep: .head)
        self.errors = OutputCapture(limit: job.outputLimit, keep: .tail)
    }

    /// Runs until the child has ended and its output is drained (or the grace period after the
    /// kill is over), then reaps it.
    mutating func run() -> Result {
        let clock = ContinuousClock()
        let deadline = started.advanced(by: timeout)
        let exitDescriptor = SpawnSupport.pidfdOpen.map { $0(child.pid, 0) }.flatMap { $0 >= 0 ? $0 : nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
        defer {
            buffer.deallocate()
            if let exitDescriptor { close(exitDescriptor) }
        }
        var ended = false
        var endedAt = started
        var killedAt: ContinuousClock.Instant?
        var timedOut = false
        var cancelled = false

        while true {
            if !ended, child.hasEnded() {
                ended = true
                endedAt = clock.now
                child.killGroup()  // whatever it left running
                if killedAt == nil { killedAt = endedAt }
            }
            if !ended, killedAt == nil {
                if signal.isCancelled {
                    cancelled = true
                    child.killGroup()
                    killedAt = clock.now
                } else if clock.now >= deadline {
                    timedOut = true
                    child.killGroup()
                    killedAt = clock.now
                }
            }
            let drained = outputDescriptor == nil && errorDescriptor == nil
            if ended, let killedAt, drained || clock.now >= killedAt.advanced(by: killGrace) { break }

            var wakeAt = killedAt.map { $0.advanced(by: killGrace) } ?? deadline
            if !ended, exitDescriptor == nil { wakeAt = min(wakeAt, clock.now.advanced(by: .milliseconds(10))) }
            var watched: [pollfd] = []
            for descriptor in [outputDescriptor, errorDescriptor].compactMap({ $0 }) {
                watched.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
            }
            if !ended, let exitDescriptor {
                watched.append(pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0))
            }
            if killedAt == nil { watched.append(pollfd(fd: signal.readDescriptor, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&watched, nfds_t(watched.count), Self.milliseconds(until: wakeAt, clock: clock))
            if ready < 0 {
                guard errno == EINTR else {
                    // Cannot wait any more: end the child now rather than spin.
                    child.killGroup()
                    if killedAt == nil { killedAt = clock.now }
                    usleep(10_000)
                    continue
                }
                continue
            }
            for entry in watched where entry.revents != 0 {
                if entry.fd == outputDescriptor, !Self.read(entry.fd, into: &output, buffer: buffer) { closeOutput() }
                if entry.fd == errorDescriptor, !Self.read(entry.fd, into: &errors, buffer: buffer) { closeErrors() }
            }
        }
        closeOutput()
        closeErrors()
        return Result(
            termination: child.reap(), output: output, errors: errors, timedOut: timedOut, cancelled: cancelled,
            elapsed: started.duration(to: endedAt))
    }

    /// Reads what is available (at most 1 MiB, so a fast writer cannot starve the loop); false at
    /// end of stream or on a read error.
    private static func read(
        _ descriptor: Int32, into capture: inout OutputCapture, buffer: UnsafeMutableRawBufferPointer
    ) -> Bool {
        for _ in 0..<16 {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                capture.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                continue
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            return errno == EAGAIN || errno == EWOULDBLOCK
        }
        return true
    }

    private mutating func closeOutput() {
        if let outputDescriptor { close(outputDescriptor) }
        outputDescriptor = nil
    }

    private mutating func closeErrors() {
        if let errorDescriptor { close(errorDescriptor) }
        errorDescriptor = nil
    }

    /// The `poll` timeout until `instant`, rounded up to whole milliseconds.
    private static func milliseconds(until instant: ContinuousClock.Instant, clock: ContinuousClock) -> Int32 {
        let remaining = clock.now.duration(to: instant)
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}
