@testable import AgentryBrowserWorker
import Synchronization

/// A ``PageOpener`` that records its requests and answers with a set result.
final class BrowserRecordingPageOpener: PageOpener, Sendable {
    private let state: Mutex<(requests: [PageRequest], result: Result<PageContent, BrowserError>)>

    init(_ result: Result<PageContent, BrowserError>) {
        state = Mutex(([], result))
    }

    var requests: [PageRequest] { state.withLock { $0.requests } }

    var result: Result<PageContent, BrowserError> {
        get { state.withLock { $0.result } }
        set { state.withLock { $0.result = newValue } }
    }

    func open(_ request: PageRequest) async throws -> PageContent {
        let result = state.withLock { state in
            state.requests.append(request)
            return state.result
        }
        return try result.get()
    }
}
