import Glibc
import Synchronization

/// Tells a supervisor thread, blocked in `poll`, that the task waiting for it was cancelled: a flag
/// plus a pipe whose read end the thread polls.
final class CancellationSignal: Sendable {
    /// The descriptor that becomes readable once ``cancel()`` is called.
    let readDescriptor: Int32
    private let writeDescriptor: Int32
    private let cancelled = Atomic<Bool>(false)

    /// Creates the signal; nil when no pipe could be created.
    init?() {
        guard let pipe = SpawnSupport.makePipe(nonBlockingRead: true) else { return nil }
        readDescriptor = pipe.read
        writeDescriptor = pipe.write
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// True once ``cancel()`` was called.
    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Raises the flag and wakes the thread; later calls do nothing.
    func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }
}
