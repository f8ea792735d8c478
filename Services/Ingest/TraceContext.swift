import AgentryContracts
/// W3C trace context for the envelopes the gateway publishes: the caller's `traceparent` when it is
/// well-formed, else a new trace.
enum TraceContext {
    /// `traceparent` if it is a valid version-00 header (`00-<32 hex>-<16 hex>-<2 hex>`, ids not all
    /// zero), else a new sampled trace.
    static func traceparent(continuing header: String?) -> String {
        if let header, isValid(header) { return header.lowercased() }
        return "00-\(randomHex(bytes: 16))-\(randomHex(bytes: 8))-01"
    }

    static func isValid(_ header: String) -> Bool {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isHexDigit } })
        else { return false }
        return parts[1].contains { $0 != "0" } && parts[2].contains { $0 != "0" }
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let text = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
            if text.contains(where: { $0 != "0" }) { return text }
        }
    }
}
