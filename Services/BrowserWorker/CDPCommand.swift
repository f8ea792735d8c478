import AgentryContracts
import Foundation

/// A DevTools command as written to the pipe: `{"id":…,"method":…,"params":…,"sessionId":…}`
/// followed by a NUL byte.
struct CDPCommand: Encodable, Sendable, Equatable {
    /// Matches the reply to this command.
    var id: Int
    /// The command, e.g. `Page.navigate`.
    var method: String
    /// Its parameters (an object).
    var params: JSONValue
    /// The target session it is for; `nil` for browser-level commands (`Target.*`, `Browser.*`).
    var sessionId: String?

    /// The bytes to write: the JSON text and its terminating NUL.
    func frame() throws(BrowserError) -> [UInt8] {
        do {
            var bytes = [UInt8](try JSONEncoder().encode(self))
            bytes.append(0)
            return bytes
        } catch {
            throw BrowserError(.protocolError, "cannot encode the DevTools command \(method)", retryable: false)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, method, params, sessionId
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(method, forKey: .method)
        try container.encode(params, forKey: .params)
        try container.encodeIfPresent(sessionId, forKey: .sessionId)
    }
}
