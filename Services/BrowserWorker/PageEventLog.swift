import AgentryContracts

/// What one page's DevTools session has reported so far, reduced to what loading a page needs:
/// the lifecycle milestones each document reached, each document's HTTP status, and whether the
/// page went away.
///
/// Documents are told apart by their `loaderId` (a new one for every navigation), so events of
/// the initial `about:blank` or of frames never count for the document being waited on.
struct PageEventLog: Sendable, Equatable {
    private var milestones: Set<Milestone> = []
    private var statuses: [String: Int] = [:]
    /// Why the page can no longer be used (its renderer crashed, its target was closed), if so.
    private(set) var ended: BrowserError?

    private struct Milestone: Hashable, Sendable {
        var loaderId: String
        var name: String
    }

    init() {}

    /// Takes in one event of the page's session.
    ///
    /// - `Page.lifecycleEvent` (`init`, `DOMContentLoaded`, `load`, `networkIdle`, ...) records the
    ///   milestone for its `loaderId`;
    /// - `Network.responseReceived` of type `Document` records the document's HTTP status;
    /// - `Inspector.targetCrashed` and `Target.detachedFromTarget` end the page.
    mutating func record(_ event: CDPEvent) {
        switch event.method {
        case "Page.lifecycleEvent":
            if let loaderId = event.params["loaderId"]?.stringValue, let name = event.params["name"]?.stringValue {
                milestones.insert(Milestone(loaderId: loaderId, name: name))
            }
        case "Network.responseReceived":
            guard event.params["type"]?.stringValue == "Document",
                  let loaderId = event.params["loaderId"]?.stringValue,
                  let status = event.params["response"]?["status"]?.intValue
            else { return }
            statuses[loaderId] = status
        case "Inspector.targetCrashed":
            end(BrowserError(.pageClosed, "the page's renderer crashed", retryable: true))
        case "Target.detachedFromTarget":
            end(BrowserError(.pageClosed, "the page was closed while loading", retryable: true))
        default:
            break
        }
    }

    /// Ends the page for a reason outside its session (the browser exited).
    mutating func end(_ error: BrowserError) {
        if ended == nil { ended = error }
    }

    /// True once the document of `loaderId` reached the lifecycle milestone `name` (e.g. `load`).
    func hasReached(_ name: String, loaderId: String) -> Bool {
        milestones.contains(Milestone(loaderId: loaderId, name: name))
    }

    /// The HTTP status of the document of `loaderId`, once its response arrived; `nil` for
    /// documents without one (`file:`, `data:`) or not yet answered.
    func status(loaderId: String) -> Int? {
        statuses[loaderId]
    }
}
