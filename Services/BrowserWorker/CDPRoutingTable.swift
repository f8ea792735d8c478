import AgentryContracts

/// Who is waiting for what on one DevTools connection: which command id belongs to which waiter,
/// and which session's events go to which sink.
///
/// A pure state machine (no I/O, no locks): ``CDPConnection`` keeps it under a mutex, applies
/// each message Chromium sends and acts on the returned ``Route``. Generic over the waiter and
/// sink types so tests can drive it with plain values.
struct CDPRoutingTable<Waiter, Sink> {
    /// The outcome of parking a waiter on a reserved id.
    enum Attachment {
        /// The waiter now waits for the reply.
        case attached
        /// Its task was cancelled before it could wait: resume it with `CancellationError`.
        case cancelled
        /// The connection is closed: resume it with this error.
        case closed(BrowserError)
    }

    /// What to do with a message from Chromium.
    enum Route {
        /// Resume this waiter with the reply.
        case reply(Waiter, Result<JSONValue, CDPRemoteError>)
        /// Hand the event to this session's sink.
        case event(Sink, CDPEvent)
        /// Nobody waits for it (a browser-level event, a reply to a command sent without
        /// waiting, or a reply that arrived after its waiter gave up).
        case unclaimed
    }

    private var lastID = 0
    private var reserved: Set<Int> = []
    private var waiters: [Int: Waiter] = [:]
    private var cancelledBeforeAttach: Set<Int> = []
    private var sinks: [String: Sink] = [:]
    /// Why the connection closed; `nil` while it is open.
    private(set) var closedBy: BrowserError?

    init() {}

    /// Number of commands waiting for a reply.
    var waitingCount: Int { waiters.count }
    /// Number of sessions whose events are routed.
    var sinkCount: Int { sinks.count }

    /// A fresh id for a command whose reply someone will wait for with ``attach(_:to:)``.
    /// Ids start at 1 and are never reused on one connection.
    mutating func reserveID() -> Int {
        lastID += 1
        reserved.insert(lastID)
        return lastID
    }

    /// A fresh id for a command sent without waiting: its reply is ``Route/unclaimed``.
    mutating func unwaitedID() -> Int {
        lastID += 1
        return lastID
    }

    /// Parks `waiter` until the reply to `id` (from ``reserveID()``) arrives.
    mutating func attach(_ waiter: Waiter, to id: Int) -> Attachment {
        reserved.remove(id)
        if cancelledBeforeAttach.remove(id) != nil { return .cancelled }
        if let closedBy { return .closed(closedBy) }
        waiters[id] = waiter
        return .attached
    }

    /// The waiter's task was cancelled: returns the waiter to resume with `CancellationError`, or
    /// `nil` when it is not waiting. A cancellation that comes between ``reserveID()`` and
    /// ``attach(_:to:)`` is remembered, so the attachment reports ``Attachment/cancelled``.
    mutating func cancel(_ id: Int) -> Waiter? {
        if let waiter = waiters.removeValue(forKey: id) { return waiter }
        if reserved.remove(id) != nil { cancelledBeforeAttach.insert(id) }
        return nil
    }

    /// Removes a waiter whose command could not be written; returns it to be resumed.
    mutating func abandon(_ id: Int) -> Waiter? {
        waiters.removeValue(forKey: id)
    }

    /// Routes events of `sessionId` to `sink` from now on. Returns false when the connection is closed.
    mutating func addSink(_ sink: Sink, for sessionId: String) -> Bool {
        guard closedBy == nil else { return false }
        sinks[sessionId] = sink
        return true
    }

    /// Stops routing events of `sessionId`; returns its sink.
    mutating func removeSink(for sessionId: String) -> Sink? {
        sinks.removeValue(forKey: sessionId)
    }

    /// Decides where a message from Chromium goes.
    ///
    /// Replies are matched by id. Events carrying a `sessionId` go to that session's sink;
    /// `Target.detachedFromTarget` (a browser-level event naming the session in its parameters)
    /// goes to the detached session's sink too, so a page learns its target is gone.
    mutating func route(_ message: CDPMessage) -> Route {
        switch message {
        case .reply(let id, _, let outcome):
            guard let waiter = waiters.removeValue(forKey: id) else { return .unclaimed }
            return .reply(waiter, outcome)
        case .event(let event):
            let session = event.sessionId
                ?? (event.method == "Target.detachedFromTarget" ? event.params["sessionId"]?.stringValue : nil)
            guard let session, let sink = sinks[session] else { return .unclaimed }
            return .event(sink, event)
        }
    }

    /// Closes the table: every waiter and sink is returned to be failed with `error`, and later
    /// attachments fail with it too. Closing twice keeps the first error and returns nothing.
    mutating func close(_ error: BrowserError) -> (waiters: [Waiter], sinks: [Sink]) {
        guard closedBy == nil else { return ([], []) }
        closedBy = error
        let pending = waiters.sorted { $0.key < $1.key }.map(\.value)
        let open = Array(sinks.values)
        waiters.removeAll()
        sinks.removeAll()
        return (pending, open)
    }
}
