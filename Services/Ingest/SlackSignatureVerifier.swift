import AgentryContracts
import Crypto
import Foundation

/// Verifies Slack's request signatures (version `v0`), before anything else is done with a request.
///
/// Slack sends `X-Slack-Request-Timestamp` (Unix seconds) and `X-Slack-Signature`:
/// `"v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body))`. A request is
/// accepted when the signature matches (compared in constant time) and the timestamp is within
/// five minutes of now, either way, which stops replays of captured requests.
///
/// ```swift
/// let verifier = SlackSignatureVerifier(signingSecret: secret)
/// try verifier.verify(signature: request.header("x-slack-signature"),
///                     timestamp: request.header("x-slack-request-timestamp"), body: body, now: Date())
/// ```
struct SlackSignatureVerifier: Sendable {
    /// How far the timestamp may be from now.
    static let tolerance: TimeInterval = 5 * 60
    static let version = "v0"

    private let secret: [UInt8]

    init(signingSecret: String) {
        secret = Array(signingSecret.utf8)
    }

    /// Checks a request's signature.
    ///
    /// - Throws: ``SlackSignatureError`` saying why the request is not from Slack.
    func verify(signature: String?, timestamp: String?, body: [UInt8], now: Date) throws(SlackSignatureError) {
        guard let signature, !signature.isEmpty else { throw .missingSignature }
        guard let timestamp, !timestamp.isEmpty else { throw .missingTimestamp }
        guard timestamp.count <= 12, timestamp.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = Int64(timestamp)
        else { throw .malformedTimestamp }
        let age = now.timeIntervalSince1970 - TimeInterval(seconds)
        if age > Self.tolerance { throw .stale }
        if age < -Self.tolerance { throw .fromTheFuture }
        let prefix = Self.version + "="
        guard signature.hasPrefix(prefix), let mac = Self.bytes(hex: signature.dropFirst(prefix.count)),
              mac.count == SHA256.byteCount
        else { throw .malformedSignature }
        let signed = Array("\(Self.version):\(timestamp):".utf8) + body
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: SymmetricKey(data: secret)) else {
            throw .mismatch
        }
    }

    /// The signature Slack would send for `body` at `timestamp` (for tests and tools that sign).
    func signature(timestamp: String, body: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(Self.version):\(timestamp):".utf8) + body, using: SymmetricKey(data: secret))
        return Self.version + "=" + mac.hexString
    }

    /// Bytes from lowercase or uppercase hex, or nil when it is not hex of an even length.
    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count.isMultiple(of: 2), hex.count <= 256 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard hex[index..<next].allSatisfy({ $0.isASCII && $0.isHexDigit }),
                  let byte = UInt8(hex[index..<next], radix: 16)
            else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
