import AgentryContracts
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A DevTools protocol connection to Chromium over `--remote-debugging-pipe`.
///
/// Commands are written by a ``PipeWriter`` thread; a dedicated reader thread reads Chromium's
/// pipe, splits it into messages (``CDPFrameDecoder``), resumes the task waiting for each reply
/// (matched by id) and hands session events to their page's ``PageEventSink``. Neither thread
/// ever runs on Swift's cooperative pool.
///
/// ```swift
/// let connection = CDPConnection(readFD: events, writeFD: commands, logger: logger)
/// connection.start()
/// let version = try await connection.send("Browser.getVersion")
/// ```
final class CDPConnection: Sendable {
    typealias Table = CDPRoutingTable<CheckedContinuation<JSONValue, any Error>, PageEventSink>

    private let table = Mutex(Table())
    private let readFD: Int32
    private let writer: PipeWriter
    private let logger: Logger
    private let started = Atomic<Bool>(false)

    /// Takes ownership of both descriptors: `readFD` is Chromium's fd 4 (it writes there) and
    /// `writeFD` its fd 3 (it reads there).
    init(readFD: Int32, writeFD: Int32, logger: Logger) {
        self.readFD = readFD
        self.writer = PipeWriter(fd: writeFD)
        self.logger = logger
    }

    /// Starts the reader and writer threads (once).
    func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        writer.start(name: "agentry-cdp-write")
        let thread = Thread { [self] in self.readLoop() }
        thread.name = "agentry-cdp-read"
        thread.start()
    }

    /// True until the connection closes (Chromium exited or closed its pipe, or ``close(_:)``).
    var isOpen: Bool { table.withLock { $0.closedBy == nil } }

    /// Sends a command and returns its `result`.
    ///
    /// - Parameters:
    ///   - method: The command, e.g. `Page.navigate`.
    ///   - params: Its parameters.
    ///   - sessionId: The page session it is for; `nil` for browser-level commands.
    /// - Throws: ``BrowserError/Code/commandFailed`` when Chromium answers with an error,
    ///   ``BrowserError/Code/browserExited`` when the connection closes first, and
    ///   `CancellationError` when the task is cancelled (the reply, if it comes, is dropped).
    @discardableResult
    func send(_ method: String, _ params: JSONValue = .object([:]), sessionId: String? = nil) async throws -> JSONValue {
        let id = table.withLock { $0.reserveID() }
        let frame: [UInt8]
        do {
            frame = try CDPCommand(id: id, method: method, params: params, sessionId: sessionId).frame()
        } catch {
            _ = table.withLock { $0.cancel(id) }
            throw error
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                    switch table.withLock({ $0.attach(continuation, to: id) }) {
                    case .attached:
                        if !writer.enqueue(frame), let waiter = table.withLock({ $0.abandon(id) }) {
                            waiter.resume(throwing: BrowserError(
                                .browserExited, "the DevTools pipe to Chromium is closed", retryable: true))
                        }
                    case .cancelled:
                        continuation.resume(throwing: CancellationError())
                    case .closed(let error):
                        continuation.resume(throwing: error)
                    }
                }
            } onCancel: {
                table.withLock { $0.cancel(id) }?.resume(throwing: CancellationError())
            }
        } catch let remote as CDPRemoteError {
            throw BrowserError(.commandFailed, "\(method) failed: \(remote)", retryable: true)
        }
    }

    /// Sends a command without waiting for its reply (closing a page on the way out).
    func post(_ method: String, _ params: JSONValue = .object([:]), sessionId: String? = nil) {
        let id = table.withLock { $0.unwaitedID() }
        guard let frame = try? CDPCommand(id: id, method: method, params: params, sessionId: sessionId).frame() else {
            return
        }
        writer.enqueue(frame)
    }

    /// Routes the events of `sessionId` to `sink` until ``stopRouting(sessionId:)``.
    ///
    /// - Throws: the error the connection closed with, if it is closed.
    func route(sessionId: String, to sink: PageEventSink) throws {
        let closedBy = table.withLock { table -> BrowserError? in
            table.addSink(sink, for: sessionId) ? nil : table.closedBy
        }
        if let closedBy { throw closedBy }
    }

    /// Stops routing the events of `sessionId`.
    func stopRouting(sessionId: String) {
        _ = table.withLock { $0.removeSink(for: sessionId) }
    }

    /// Closes the connection: waiting commands and pages fail with `error`, and the command pipe
    /// is closed once what is queued is written, which makes Chromium exit.
    func close(_ error: BrowserError) {
        let (waiters, sinks) = table.withLock { $0.close(error) }
        for waiter in waiters { waiter.resume(throwing: error) }
        for sink in sinks { sink.end(error) }
        writer.finish()
    }

    private func readLoop() {
        var decoder = CDPFrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var reason = BrowserError(.browserExited, "Chromium closed its DevTools pipe", retryable: true)
        reading: while true {
            let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            do {
                for message in try decoder.append(buffer[0..<count]) {
                    dispatch(message)
                }
            } catch {
                logger.error("the DevTools stream from Chromium is broken", metadata: ["error.message": "\(error)"])
                reason = error
                break reading
            }
        }
        closeDescriptor(readFD)
        close(reason)
    }

    private func dispatch(_ bytes: [UInt8]) {
        let message: CDPMessage
        do {
            message = try CDPMessage(parsing: bytes)
        } catch {
            // One unreadable message does not break the stream (each ends at its NUL): a command
            // waiting for it runs into its deadline.
            logger.warning("skipped an unreadable DevTools message", metadata: [
                "error.message": "\(error)", "message.bytes": "\(bytes.count)",
            ])
            return
        }
        switch table.withLock({ $0.route(message) }) {
        case .reply(let waiter, .success(let result)):
            waiter.resume(returning: result)
        case .reply(let waiter, .failure(let remote)):
            waiter.resume(throwing: remote)
        case .event(let sink, let event):
            if event.method == "Page.javascriptDialogOpening", let sessionId = event.sessionId {
                // alert(), confirm() and prompt() block the page until answered: dismiss them.
                post("Page.handleJavaScriptDialog", ["accept": false], sessionId: sessionId)
            }
            sink.receive(event)
        case .unclaimed:
            break
        }
    }
}

/// `close(2)`, out of reach of ``CDPConnection/close(_:)``'s name.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
