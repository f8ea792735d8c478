import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports for tests: ones that refuse or never answer connections, deterministically, and
/// ones a server started later can bind.
public enum LocalSockets {
    /// A socket call that failed, with its `errno`.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ call: String) { description = "\(call) failed: errno \(errno)" }
    }

    /// A bound but not listening socket: connecting to its port is refused for as long as the
    /// socket stays open, and no other socket can take the port meanwhile. Close `fd` afterwards.
    public static func closedPort() throws -> (port: Int, fd: Int32) {
        let fd = try boundSocket(port: 0)
        do {
            return (try port(of: fd), fd)
        } catch {
            close(fd)
            throw error
        }
    }

    /// A listener with a full accept queue that never accepts: the kernel drops further SYNs, so
    /// connecting to it times out. Returns every descriptor to close afterwards.
    public static func unresponsivePort() throws -> (port: Int, fds: [Int32]) {
        let listener = try boundSocket(port: 0)
        var fds = [listener]
        let port: Int
        do {
            guard listen(listener, 0) == 0 else { throw Failure("listen") }
            port = try self.port(of: listener)
        } catch {
            close(listener)
            throw error
        }
        // Fill the accept queue: connect until a handshake no longer completes within 200 ms.
        for _ in 0..<16 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard client >= 0 else {
                let failure = Failure("socket")
                for fd in fds { close(fd) }
                throw failure
            }
            fds.append(client)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            var address = loopback(port: port)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            var poller = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
            if poll(&poller, 1, 200) == 0 { return (port, fds) }
        }
        for fd in fds { close(fd) }
        throw Failure("filling the accept queue of the test listener")
    }

    /// A loopback port for a server that another process binds later.
    ///
    /// Chosen below the kernel's ephemeral range (`ip_local_port_range`), where neither outgoing
    /// connections nor listeners on port 0 take ports, so nothing else in the tests can take it
    /// before the server binds; and never handed out twice in one process.
    public static func portForALaterServer() throws -> Int {
        let ephemeralStart = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32_768
        let floor = ephemeralStart > 12_000 ? 10_000 : 1_025
        guard ephemeralStart - floor >= 1_000 else {
            // No room below the ephemeral range: a port the kernel has free now.
            let (port, fd) = try closedPort()
            close(fd)
            return port
        }
        let range = floor..<ephemeralStart
        for _ in 0..<1_000 {
            let candidate = Int.random(in: range)
            guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
            // Bound the way servers bind (address reuse), so a port in TIME_WAIT still counts as free.
            if let fd = try? boundSocket(port: candidate, reuseAddress: true) {
                close(fd)
                return candidate
            }
        }
        throw Failure("finding a free port below \(ephemeralStart)")
    }

    private static let handedOut = Mutex<Set<Int>>([])

    private static func boundSocket(port: Int, reuseAddress: Bool = false) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        if reuseAddress {
            var reuse: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let failure = Failure("bind")
            close(fd)
            throw failure
        }
        return fd
    }

    private static func port(of fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw Failure("getsockname") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
