import AgentryServiceKit
import Crypto

/// How the gateway takes inbound email (`POST /v1/webhooks/email`); absent without a token.
struct EmailSettings: Sendable, Equatable, CustomStringConvertible {
    /// The token the mail provider presents: `?token=` in the webhook URL, `Authorization: Bearer`,
    /// or `X-Agentry-Token`. `AGENTRY_EMAIL_TOKEN` (a secret: prefer `_FILE`); at least 16 characters.
    var token: String
    /// The tenant of email runs. `AGENTRY_EMAIL_TENANT`; default the default tenant.
    var tenant: String
    /// Who may start runs by email: addresses (`ana@example.com`) and domains (`@example.com`),
    /// lowercased; everyone when empty. `AGENTRY_EMAIL_ALLOWED_SENDERS`, comma-separated.
    var allowedSenders: Set<String>
    /// Agentry's own address (`AGENTRY_SMTP_FROM`, its address part, lowercased): mail from it never
    /// starts a run, so a notification bounced back to the inbox is not a loop.
    var ownAddress: String?
    /// The largest email accepted, in bytes (attachments included); larger ones get 413.
    /// `AGENTRY_EMAIL_MAX_BYTES`; default 10 MiB (10485760); 1024...67108864.
    var maxBytes: Int

    /// The shortest token accepted.
    static let minimumTokenLength = 16

    init(token: String, tenant: String = "default", allowedSenders: Set<String> = [], ownAddress: String? = nil,
         maxBytes: Int = 10_485_760) {
        self.token = token
        self.tenant = tenant
        self.allowedSenders = allowedSenders
        self.ownAddress = ownAddress
        self.maxBytes = maxBytes
    }

    /// Reads the settings; nil when `AGENTRY_EMAIL_TOKEN` is not set.
    static func read(_ reader: ConfigurationReader, defaultTenant: String) throws(ConfigurationError) -> EmailSettings? {
        guard let token = try reader.string("AGENTRY_EMAIL_TOKEN") else { return nil }
        guard token.count >= minimumTokenLength, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ConfigurationError(
                .invalidValue, key: "AGENTRY_EMAIL_TOKEN",
                reason: "must be at least \(minimumTokenLength) characters without spaces (e.g. openssl rand -hex 24)")
        }
        let tenant = try reader.string("AGENTRY_EMAIL_TENANT", default: defaultTenant)
        guard Tenant.isValid(tenant) else { throw ConfigurationError(.invalidValue, key: "AGENTRY_EMAIL_TENANT", reason: Tenant.rule) }
        var allowed: Set<String> = []
        for entry in try reader.string("AGENTRY_EMAIL_ALLOWED_SENDERS", default: "").split(separator: ",") {
            let sender = entry.trimmingCharacters(in: .whitespaces).lowercased()
            guard !sender.isEmpty else { continue }
            let at = sender.firstIndex(of: "@")
            guard let at, sender[sender.index(after: at)...].contains("."), !sender.contains(" "),
                  sender.filter({ $0 == "@" }).count == 1
            else {
                throw ConfigurationError(
                    .invalidValue, key: "AGENTRY_EMAIL_ALLOWED_SENDERS",
                    reason: "\"\(sender)\" is neither an address (ana@example.com) nor a domain (@example.com)")
            }
            allowed.insert(sender)
        }
        return EmailSettings(
            token: token, tenant: tenant, allowedSenders: allowed,
            ownAddress: try reader.string("AGENTRY_SMTP_FROM").flatMap { AddressList.parse($0).first?.address.lowercased() },
            maxBytes: try reader.integer("AGENTRY_EMAIL_MAX_BYTES", default: 10_485_760, in: 1_024...67_108_864))
    }

    /// Whether `presented` is the token, compared over SHA-256 digests with swift-crypto's
    /// constant-time digest equality (so the time depends neither on where the texts differ nor on
    /// their lengths).
    func accepts(token presented: String?) -> Bool {
        guard let presented, !presented.isEmpty else { return false }
        return SHA256.hash(data: Array(token.utf8)) == SHA256.hash(data: Array(presented.utf8))
    }

    /// Whether `address` (lowercased) may start runs.
    func allows(sender address: String) -> Bool {
        guard !allowedSenders.isEmpty else { return true }
        let lowered = address.lowercased()
        guard let at = lowered.lastIndex(of: "@") else { return false }
        return allowedSenders.contains(lowered) || allowedSenders.contains(String(lowered[at...]))
    }

    /// A summary safe to log: never the token.
    var description: String {
        "email(tenant=\(tenant) allowedSenders=\(allowedSenders.count) maxBytes=\(maxBytes))"
    }
}
