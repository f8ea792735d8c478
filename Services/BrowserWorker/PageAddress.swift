import AgentryRuntime
import Foundation

/// A URL the browser may be asked to open: absolute, `http`, `https` or `file`.
struct PageAddress: Sendable, Equatable {
    /// The schemes `browser.open` accepts.
    static let schemes: Set<String> = ["http", "https", "file"]

    /// The URL as given (surrounding whitespace removed).
    let url: String
    /// Its scheme, lowercased.
    let scheme: String
    /// Its host, lowercased; `nil` for `file` URLs.
    let host: String?

    /// Validates `text`.
    ///
    /// - Throws: a non-retryable `invalid_input` ``ToolFailure`` when `text` is not an absolute
    ///   URL, its scheme is not `http`, `https` or `file`, an `http(s)` URL has no host, or a
    ///   `file` URL names another machine.
    init(validating text: String) throws(ToolFailure) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed), let rawScheme = components.scheme else {
            throw Self.invalid("input.url \(Self.describe(trimmed)) is not an absolute URL")
        }
        let scheme = rawScheme.lowercased()
        guard Self.schemes.contains(scheme) else {
            throw Self.invalid("input.url has the scheme \"\(scheme)\"; only http, https and file URLs can be opened")
        }
        let host = components.host.map { $0.lowercased() }
        if scheme == "file" {
            guard host == nil || host == "" || host == "localhost" else {
                throw Self.invalid("input.url is a file URL on another machine (\(host ?? ""))")
            }
            guard !components.path.isEmpty else { throw Self.invalid("input.url is a file URL without a path") }
            self.host = nil
        } else {
            guard let host, !host.isEmpty else { throw Self.invalid("input.url \(Self.describe(trimmed)) has no host") }
            self.host = host
        }
        self.url = trimmed
        self.scheme = scheme
    }

    private static func invalid(_ message: String) -> ToolFailure {
        ToolFailure(code: "invalid_input", message, retryable: false)
    }

    private static func describe(_ text: String) -> String {
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return "\"\(shown)\""
    }
}
