/// A mailbox: an address with an optional display name.
///
/// ```swift
/// let from = MailAddress("agentry@example.com", name: "Agentry")
/// let to: MailAddress = "oncall@example.com"
/// ```
public struct MailAddress: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The address, such as `oncall@example.com`.
    public var address: String
    /// The display name, such as `Jürgen Müller`; encoded as needed when rendered.
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The part after the `@`.
    public var domain: Substring {
        address.lastIndex(of: "@").map { address[address.index(after: $0)...] } ?? ""
    }

    /// Whether the address is usable in an SMTP envelope and a header: one `@` with text on both
    /// sides, and no whitespace, control characters, angle brackets, commas or semicolons.
    public var isValid: Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        let forbidden = "<>,;\"\\()[]".unicodeScalars
        return !address.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F || forbidden.contains($0)
        }
    }

    /// The header form: `addr`, `Name <addr>`, `"Name, Inc." <addr>` or `=?UTF-8?B?...?= <addr>`.
    public var description: String {
        guard let name, !name.isEmpty else { return address }
        return "\(MIMEEncoding.displayName(name)) <\(address)>"
    }
}
