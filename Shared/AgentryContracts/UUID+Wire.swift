import Foundation

extension UUID {
    /// The UUID as envelopes write it: lowercase, as RFC 9562 recommends and PostgreSQL prints.
    /// Reading accepts either case.
    public var wireString: String { uuidString.lowercased() }
}
