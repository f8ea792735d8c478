import AgentryContracts
import AgentryHTTP
import Foundation

/// Asks a service's operations server whether it is ready (`GET /readyz`).
enum ReadinessProbe {
    enum State: Sendable, Equatable {
        case ready
        /// It answered 503; `failing` names the checks that fail (`broker`, `database`, `shutdown`).
        case notReady(failing: [String])
        /// Nothing answered.
        case unreachable
    }

    static func check(host: String = "127.0.0.1", port: Int, http: HTTPClient = .shared) async -> State {
        let request = HTTPRequest(url: "http://\(host):\(port)/readyz",
                                  timeouts: .init(connect: .seconds(1), total: .seconds(3)))
        guard let response = try? await http.execute(request) else { return .unreachable }
        if response.status == 200 { return .ready }
        let body = try? JSONDecoder().decode(JSONValue.self, from: response.body)
        let failing = body?["failing"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return .notReady(failing: failing)
    }

    /// How a state reads in `agentry status`.
    static func describe(_ state: State) -> String {
        switch state {
        case .ready: "ready"
        case .notReady(let failing) where failing.isEmpty: "not ready"
        case .notReady(let failing): "not ready (\(failing.joined(separator: ", ")))"
        case .unreachable: "not answering"
        }
    }
}
