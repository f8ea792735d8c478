import AgentryServiceKit

/// The hosts the browser may open, from `AGENTRY_BROWSER_ALLOWED_HOSTS`.
///
/// Entries are separated by commas or spaces. `example.com` allows exactly that host;
/// `*.example.com` allows every subdomain of it (but not `example.com` itself, list both for
/// both). IP addresses are entries like any other (`127.0.0.1`, `[::1]`). Matching ignores case
/// and a trailing dot. An empty list allows every host.
///
/// ```swift
/// let hosts = try HostAllowList(parsing: "example.com, *.example.org")
/// hosts.permits(host: "docs.example.org")  // true
/// ```
struct HostAllowList: Sendable, Equatable {
    /// The environment variable the list is read from.
    static let variable = "AGENTRY_BROWSER_ALLOWED_HOSTS"

    private var exactHosts: Set<String> = []
    private var domainSuffixes: Set<String> = []

    /// The empty list, which allows every host.
    init() {}

    /// Parses a list such as `example.com, *.example.org 10.0.0.7`.
    ///
    /// - Throws: ``ConfigurationError`` naming `AGENTRY_BROWSER_ALLOWED_HOSTS` and the entry when an
    ///   entry is not a host name or `*.` pattern (a URL, a port, a path, a wildcard elsewhere).
    init(parsing text: String) throws(ConfigurationError) {
        let separators: Set<Character> = [",", " ", "\t", "\n", "\r"]
        for entry in text.split(whereSeparator: { separators.contains($0) }) {
            let raw = String(entry)
            if raw.hasPrefix("*.") {
                let domain = Self.normalize(String(raw.dropFirst(2)))
                guard Self.isHostName(domain) else { throw Self.invalid(raw) }
                domainSuffixes.insert("." + domain)
            } else if raw.hasPrefix("["), raw.hasSuffix("]"), raw.count > 2 {
                let address = raw.dropFirst().dropLast().lowercased()
                guard address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { throw Self.invalid(raw) }
                exactHosts.insert(address)
            } else {
                let host = Self.normalize(raw)
                guard Self.isHostName(host) else { throw Self.invalid(raw) }
                exactHosts.insert(host)
            }
        }
    }

    /// True when no host is listed: every host is allowed.
    var allowsAnyHost: Bool { exactHosts.isEmpty && domainSuffixes.isEmpty }

    /// Whether `host` (as in a URL, IPv6 addresses with or without brackets) may be opened.
    func permits(host: String) -> Bool {
        if allowsAnyHost { return true }
        var name = host
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        name = Self.normalize(name)
        guard !name.isEmpty else { return false }
        if exactHosts.contains(name) { return true }
        return domainSuffixes.contains { name.hasSuffix($0) }
    }

    private static func normalize(_ host: String) -> String {
        var name = host.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    private static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("..") else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "0"..."9", "-", ".", "_": return true
            default: return false
            }
        }
    }

    private static func invalid(_ entry: String) -> ConfigurationError {
        ConfigurationError(
            .invalidValue, key: variable,
            reason: "\"\(entry)\" is not a host name; list hosts such as example.com or *.example.com, without scheme, port or path")
    }
}
