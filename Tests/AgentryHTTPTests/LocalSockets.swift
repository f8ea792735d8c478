import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loopback sockets that make connection failures deterministic.
enum LocalSockets {
    /// A bound but not listening socket: connecting to its port is refused. Close it with `close`.
    static func closedPort() throws -> (port: Int, fd: Int32) {
        let fd = try boundSocket()
        return (try port(of: fd), fd)
    }

    /// A listener with a full accept queue that never accepts: the kernel drops further SYNs, so
    /// connecting to it times out. Returns every descriptor to close afterwards.
    static func unresponsivePort() throws -> (port: Int, fds: [Int32]) {
        let listener = try boundSocket()
        guard listen(listener, 0) == 0 else { throw ConditionFailed("listen failed: \(errno)") }
        let port = try port(of: listener)
        var fds = [listener]
        // Fill the accept queue: connect until a handshake no longer completes within 200 ms.
        for _ in 0..<16 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
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
        throw ConditionFailed("could not fill the accept queue of the test listener")
    }

    private static func boundSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConditionFailed("socket failed: \(errno)") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw ConditionFailed("bind failed: \(errno)")
        }
        return fd
    }

    private static func port(of fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw ConditionFailed("getsockname failed: \(errno)") }
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
