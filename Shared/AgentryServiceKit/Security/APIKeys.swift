import AgentryContracts
import Crypto
import Foundation

/// API keys: `agk_<8 hex>_<40 letters and digits>`. Only the SHA-256 of a key is stored (keys are
/// long random strings, so a fast hash is enough); the 8-character prefix names it in listings.
public enum APIKeyFormat {
    public static let scheme = "agk_"

    /// A new random key and its prefix.
    public static func generate() -> (key: String, prefix: String) {
        var generator = SystemRandomNumberGenerator()
        let prefix = (0..<8).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let secret = String((0..<40).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        return ("\(scheme)\(prefix)_\(secret)", prefix)
    }

    /// The stored hash of `key`: lowercase hex SHA-256.
    public static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hexString
    }

    /// Whether `text` has the shape of a key.
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        return text.hasPrefix(scheme) && parts.count == 3 && parts[1].count == 8 && parts[1].allSatisfy(\.isHexDigit)
            && parts[2].count == 40 && parts[2].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}

/// The roles of API keys (`api_keys.role`): admin, operator, approver, submitter, viewer.
public enum APIRole: String, Sendable, CaseIterable, Codable {
    case admin, `operator`, approver, submitter, viewer
}

