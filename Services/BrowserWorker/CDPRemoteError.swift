/// The `error` member of a DevTools reply: Chromium refused or failed a command.
struct CDPRemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON-RPC style code, e.g. `-32000` (server error) or `-32601` (method not found).
    var code: Int
    /// Chromium's explanation.
    var message: String

    var description: String { "\(message) (\(code))" }
}
