/// The `Idempotency-Key` request header sent with every HTTP delivery, so that an endpoint that
/// honours it drops a repeated send.
enum IdempotencyHeader {
    static let name = "Idempotency-Key"

    /// The key as a header value: printable ASCII only, at most 255 characters.
    static func value(_ key: String) -> String {
        String(String.UnicodeScalarView(key.unicodeScalars.filter { $0.value >= 0x21 && $0.value <= 0x7E }).prefix(255))
    }
}
