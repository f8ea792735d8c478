/// Identifies one transfer on a ``CurlMultiDriver``.
struct TransferID: Sendable, Hashable {
    let rawValue: UInt64
}
