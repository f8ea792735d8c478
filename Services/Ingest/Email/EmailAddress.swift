/// One mailbox of an address header: a display name and an address.
struct EmailAddress: Sendable, Equatable, Hashable {
    /// The display name, RFC 2047-decoded and whitespace-collapsed; nil when there is none.
    var name: String?
    /// `local@domain` with the domain lowercased and the local part kept as written.
    var address: String

    /// A mailbox with `address` taken as given (see ``init(name:normalizing:)`` to normalise one).
    init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// A mailbox for `address` with its domain lowercased, or nil when `address` is not
    /// `local@domain` with both parts non-empty and no whitespace.
    init?(name: String?, normalizing address: String) {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
        else { return nil }
        self.name = name
        self.address = local + "@" + domain.lowercased()
    }

    /// The part before the last `@`.
    var localPart: Substring { address.lastIndex(of: "@").map { address[..<$0] } ?? Substring(address) }
}
