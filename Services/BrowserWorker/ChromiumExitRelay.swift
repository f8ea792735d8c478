import Synchronization

/// Passes the process's exit (seen on the reaper thread) to the connection created after it.
final class ChromiumExitRelay: Sendable {
    private struct State {
        var description: String?
        var handler: (@Sendable (String) -> Void)?
    }

    private let state = Mutex(State())

    init() {}

    /// Reports the exit: calls the handler now if one is connected, else when it connects.
    func fire(_ description: String) {
        let handler = state.withLock { state -> (@Sendable (String) -> Void)? in
            state.description = description
            return state.handler
        }
        handler?(description)
    }

    /// Sets the handler; calls it at once if the exit was already reported.
    func connect(_ handler: @escaping @Sendable (String) -> Void) {
        let description = state.withLock { state -> String? in
            state.handler = handler
            return state.description
        }
        if let description { handler(description) }
    }
}
