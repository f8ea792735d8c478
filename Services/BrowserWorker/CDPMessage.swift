import AgentryContracts
import Foundation

/// One message Chromium sent on the DevTools pipe: a reply to a command, or an event.
enum CDPMessage: Sendable, Equatable {
    /// The reply to the command with this `id`: its `result`, or its `error`.
    case reply(id: Int, sessionId: String?, outcome: Result<JSONValue, CDPRemoteError>)
    /// An event.
    case event(CDPEvent)

    /// Parses one message (the bytes between two NULs).
    ///
    /// - Throws: ``BrowserError/Code/protocolError`` when the bytes are not a JSON object with an
    ///   integer `id` or a string `method`.
    init(parsing bytes: [UInt8]) throws(BrowserError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw BrowserError(.protocolError, "Chromium sent a DevTools message that is not JSON", retryable: true)
        }
        guard case .object(let members) = value else {
            throw BrowserError(.protocolError, "Chromium sent a DevTools message that is not a JSON object", retryable: true)
        }
        let sessionId = members["sessionId"]?.stringValue
        if let idValue = members["id"] {
            guard let id = idValue.intValue else {
                throw BrowserError(.protocolError, "Chromium sent a reply whose id is not an integer", retryable: true)
            }
            if let error = members["error"] {
                let remote = CDPRemoteError(
                    code: error["code"]?.intValue ?? 0,
                    message: error["message"]?.stringValue ?? "unknown DevTools error")
                self = .reply(id: id, sessionId: sessionId, outcome: .failure(remote))
            } else {
                self = .reply(id: id, sessionId: sessionId, outcome: .success(members["result"] ?? .object([:])))
            }
        } else if let method = members["method"]?.stringValue {
            self = .event(CDPEvent(method: method, params: members["params"] ?? .object([:]), sessionId: sessionId))
        } else {
            throw BrowserError(.protocolError, "Chromium sent a DevTools message with neither id nor method", retryable: true)
        }
    }
}
