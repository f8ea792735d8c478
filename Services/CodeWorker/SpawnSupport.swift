import Glibc

/// C library functions the code worker needs that Swift's `Glibc` module does not import (glibc
/// declares them only under `_GNU_SOURCE`), looked up by name in the running process once.
///
/// glibc has `pipe2` since 2.9, `posix_spawn_file_actions_addchdir_np` since 2.29,
/// `posix_spawn_file_actions_addclosefrom_np` since 2.34 and `pidfd_open` since 2.36 (Debian 12
/// ships 2.36). The first three are required: the worker refuses to start without them (see
/// ``missingRequirements``). `pidfd_open` only makes the wait for a child's exit event-driven
/// instead of polled.
enum SpawnSupport {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32

    static let pipe2: Pipe2? = symbol("pipe2")
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let pidfdOpen: PidfdOpen? = symbol("pidfd_open")

    /// The required functions this C library lacks; empty when the worker can run code.
    static var missingRequirements: [String] {
        var missing: [String] = []
        if pipe2 == nil { missing.append("pipe2 (glibc 2.9+)") }
        if addChdir == nil { missing.append("posix_spawn_file_actions_addchdir_np (glibc 2.29+)") }
        if addClosefrom == nil { missing.append("posix_spawn_file_actions_addclosefrom_np (glibc 2.34+)") }
        return missing
    }

    /// A close-on-exec pipe, `(read, write)`; `nonBlockingRead` makes the read end non-blocking.
    static func makePipe(nonBlockingRead: Bool) -> (read: Int32, write: Int32)? {
        guard let pipe2 else { return nil }
        var descriptors: [Int32] = [-1, -1]
        guard pipe2(&descriptors, O_CLOEXEC) == 0 else { return nil }
        if nonBlockingRead {
            _ = fcntl(descriptors[0], F_SETFL, fcntl(descriptors[0], F_GETFL) | O_NONBLOCK)
        }
        return (descriptors[0], descriptors[1])
    }

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let process = dlopen(nil, RTLD_NOW), let address = dlsym(process, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
