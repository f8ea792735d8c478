@testable import AgentryBrowserWorker
import AgentryContracts
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Chromium's side of the DevTools pipes: reads NUL-framed commands on a thread, answers through
/// `respond`, and writes everything in odd-sized pieces (1 to 7 bytes) so messages arrive split.
final class BrowserDevToolsPeer: Sendable {
    let connection: CDPConnection
    private let commandsRead: Int32
    private let eventsWrite: Int32
    private let respond: @Sendable (JSONValue) -> [JSONValue]
    private let state = Mutex<(received: [JSONValue], ended: Bool, hungUp: Bool)>(([], false, false))
    private let writeLock = Mutex(0)

    init(respond: @escaping @Sendable (JSONValue) -> [JSONValue]) throws {
        var commands: [Int32] = [0, 0]
        var events: [Int32] = [0, 0]
        guard pipe(&commands) == 0, pipe(&events) == 0 else { throw BrowserTestError("pipe() failed") }
        commandsRead = commands[0]
        eventsWrite = events[1]
        self.respond = respond
        var logger = Logger(label: "cdp-tests")
        logger.logLevel = .critical
        connection = CDPConnection(readFD: events[0], writeFD: commands[1], logger: logger)
        let thread = Thread { [self] in self.readLoop() }
        thread.start()
        connection.start()
    }

    /// Every command received so far, oldest first.
    var received: [JSONValue] { state.withLock { $0.received } }
    /// True once the connection closed its command pipe.
    var commandsEnded: Bool { state.withLock { $0.ended } }

    /// Writes a message to the connection.
    func send(_ message: JSONValue) {
        guard let data = try? JSONEncoder().encode(message) else { return }
        writeSplit(Array(data) + [0])
    }

    /// Closes the event pipe, as a browser that exits does.
    func hangUp() {
        let first = state.withLock { state -> Bool in
            defer { state.hungUp = true }
            return !state.hungUp
        }
        if first { writeLock.withLock { _ in _ = close(eventsWrite) } }
    }

    /// Ends the peer: hangs up and closes the connection.
    func stop() {
        hangUp()
        connection.close(BrowserError(.shutDown, "test over", retryable: true))
    }

    private func readLoop() {
        var decoder = CDPFrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(commandsRead, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            guard let frames = try? decoder.append(buffer[0..<count]) else { break }
            for frame in frames {
                guard let command = try? JSONDecoder().decode(JSONValue.self, from: Data(frame)) else { continue }
                state.withLock { $0.received.append(command) }
                for message in respond(command) { send(message) }
            }
        }
        close(commandsRead)
        state.withLock { $0.ended = true }
    }

    private func writeSplit(_ bytes: [UInt8]) {
        writeLock.withLock { sizeSeed in
            guard !state.withLock({ $0.hungUp }) else { return }
            var offset = 0
            while offset < bytes.count {
                sizeSeed = (sizeSeed + 3) % 7
                let end = min(bytes.count, offset + 1 + sizeSeed)
                let written = bytes[offset..<end].withUnsafeBytes { write(eventsWrite, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
