internal import CCurl
import Foundation
import Synchronization

/// Drives every transfer of one ``HTTPClient`` on a single dedicated thread through libcurl's
/// multi interface.
///
/// Callers never touch libcurl: they queue commands (start, cancel, unpause) under a mutex and
/// wake the thread with `curl_multi_wakeup`. The thread applies them, runs `curl_multi_perform`,
/// reports finished transfers to their delegates and sleeps in `curl_multi_poll`. The thread is
/// started by the first transfer and ends at ``shutdown()``.
final class CurlMultiDriver: Sendable {
    private enum Command: Sendable {
        case start(TransferID, TransferSpec, any TransferDelegate)
        case cancel(TransferID)
        case unpause(TransferID)
    }

    private enum Phase {
        case idle, running, stopping, stopped
    }

    private struct State {
        var phase = Phase.idle
        var commands: [Command] = []
        var nextID: UInt64 = 0
        var activeTransfers = 0
        var threadsStarted = 0
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The thread's name, visible in `/proc/self/task/*/comm`.
    static let threadName = "agentry-http"

    private let multi: CurlMultiHandle
    private let state = Mutex(State())

    init(configuration: HTTPClient.Configuration) {
        multi = CurlMultiHandle()
        _ = ccurl_multi_setopt_long(multi.pointer, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = ccurl_multi_setopt_long(multi.pointer, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxConnections)
    }

    /// The number of transfers attached to the multi handle, as of the thread's last iteration.
    var activeTransferCount: Int { state.withLock { $0.activeTransfers } }

    /// How many threads this driver has started over its life (one: all transfers share it).
    var threadsStarted: Int { state.withLock { $0.threadsStarted } }

    /// Reserves an identifier for a transfer about to be started.
    func makeTransferID() -> TransferID {
        state.withLock { state in
            state.nextID += 1
            return TransferID(rawValue: state.nextID)
        }
    }

    /// Queues a transfer. Its delegate hears the outcome, even if the client is shut down.
    func start(_ id: TransferID, spec: TransferSpec, delegate: any TransferDelegate) {
        guard enqueue(.start(id, spec, delegate)) else {
            let error = HTTPClientError(.shutDown, url: spec.url, detail: "the HTTP client is shut down")
            delegate.transferDidComplete(error)
            return
        }
    }

    /// Cancels a transfer; its delegate completes with ``HTTPClientError/Code/cancelled``. Unknown or
    /// finished transfers are ignored.
    func cancel(_ id: TransferID) {
        enqueue(.cancel(id))
    }

    /// Resumes receiving on a transfer whose delegate paused it.
    func unpause(_ id: TransferID) {
        enqueue(.unpause(id))
    }

    /// Stops the thread: transfers in flight complete with ``HTTPClientError/Code/cancelled``,
    /// later ones with ``HTTPClientError/Code/shutDown``. Returns once the thread has exited.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                switch state.phase {
                case .stopped:
                    return true
                case .idle:
                    state.phase = .stopped
                    return true
                case .running, .stopping:
                    state.phase = .stopping
                    state.stopWaiters.append(continuation)
                    return false
                }
            }
            if done { continuation.resume() } else { multi.wakeup() }
        }
    }

    /// Asks the thread to stop without waiting for it (used when a client is released).
    func requestShutdown() {
        let wake = state.withLock { state -> Bool in
            switch state.phase {
            case .idle:
                state.phase = .stopped
                return false
            case .running:
                state.phase = .stopping
                return true
            case .stopping, .stopped:
                return false
            }
        }
        if wake { multi.wakeup() }
    }

    @discardableResult
    private func enqueue(_ command: Command) -> Bool {
        let (accepted, startThread) = state.withLock { state -> (Bool, Bool) in
            switch state.phase {
            case .stopping, .stopped:
                return (false, false)
            case .idle:
                state.phase = .running
                state.commands.append(command)
                state.threadsStarted += 1
                return (true, true)
            case .running:
                state.commands.append(command)
                return (true, false)
            }
        }
        if startThread {
            let thread = Thread { self.run() }
            thread.name = Self.threadName
            thread.start()
        } else if accepted {
            multi.wakeup()
        }
        return accepted
    }

    // MARK: The driver thread

    private func run() {
        // Foundation names the OS thread only when the name is set from the thread itself.
        Thread.current.name = Self.threadName
        var transfers: [TransferID: ActiveTransfer] = [:]
        var byHandle: [UnsafeMutableRawPointer: ActiveTransfer] = [:]

        func detach(_ transfer: ActiveTransfer) {
            transfers[transfer.id] = nil
            byHandle[transfer.easy] = nil
            curl_multi_remove_handle(multi.pointer, transfer.easy)
        }

        while true {
            let (commands, stopping) = state.withLock { state in
                defer { state.commands = [] }
                return (state.commands, state.phase == .stopping)
            }
            for command in commands {
                switch command {
                case .start(let id, let spec, let delegate):
                    switch ActiveTransfer.make(id: id, spec: spec, delegate: delegate) {
                    case .failure(let error):
                        delegate.transferDidComplete(error)
                    case .success(let transfer):
                        let added = curl_multi_add_handle(multi.pointer, transfer.easy)
                        guard added == CURLM_OK else {
                            transfer.close()
                            let detail = String(cString: curl_multi_strerror(added))
                            let error = HTTPClientError(.transferFailed(0), url: spec.url, detail: detail)
                            delegate.transferDidComplete(error)
                            continue
                        }
                        transfers[id] = transfer
                        byHandle[transfer.easy] = transfer
                    }
                case .cancel(let id):
                    guard let transfer = transfers[id] else { continue }
                    detach(transfer)
                    transfer.cancel(reason: "cancelled by the caller")
                    transfer.close()
                case .unpause(let id):
                    guard let transfer = transfers[id] else { continue }
                    _ = ccurl_easy_unpause(transfer.easy)
                }
            }
            if stopping { break }

            var running: Int32 = 0
            _ = curl_multi_perform(multi.pointer, &running)
            var easy: UnsafeMutableRawPointer?
            var result = CURLE_OK
            while ccurl_multi_info_read_done(multi.pointer, &easy, &result) == 1 {
                guard let easy, let transfer = byHandle[easy] else { continue }
                detach(transfer)
                transfer.complete(code: result)
                transfer.close()
            }
            state.withLock { $0.activeTransfers = transfers.count }
            _ = curl_multi_poll(multi.pointer, nil, 0, 1000, nil)
        }

        for transfer in transfers.values {
            detach(transfer)
            transfer.cancel(reason: "the HTTP client was shut down")
            transfer.close()
        }
        let waiters = state.withLock { state in
            state.phase = .stopped
            state.activeTransfers = 0
            defer { state.stopWaiters = [] }
            return state.stopWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
