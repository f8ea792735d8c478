/// Where and how to deliver mail with ``HTTPClient/sendMail(_:via:)``.
///
/// ```swift
/// let smtp = SMTPConfiguration(url: "smtp://mail.example.com:587", startTLS: .required,
///                              username: "agentry", password: secret)
/// ```
public struct SMTPConfiguration: Sendable, CustomStringConvertible {
    /// Whether a plain `smtp://` connection is upgraded with STARTTLS.
    public enum StartTLS: Sendable, Hashable {
        /// Never upgrade (local relays and tests only).
        case disabled
        /// Upgrade when the server offers it, otherwise continue in clear.
        case ifAvailable
        /// Upgrade or fail with ``HTTPClientError/Code/tlsFailed``.
        case required
    }

    /// `smtp://host:port` (587 or 25) or `smtps://host:port` (465, TLS from the first byte).
    public var url: String
    /// STARTTLS for `smtp://` URLs; `.required` by default. Ignored for `smtps://`.
    public var startTLS: StartTLS
    /// The login name, if the server requires authentication.
    public var username: String?
    /// The password; never printed.
    public var password: String?
    /// Whether the server certificate and host name are verified; `true` by default.
    public var verifyTLS: Bool
    /// A PEM file of trusted certificate authorities replacing the system bundle, if set.
    public var caFile: String?
    /// Connect and total timeouts; 10 s and 60 s by default.
    public var timeouts: HTTPRequest.Timeouts

    public init(
        url: String,
        startTLS: StartTLS = .required,
        username: String? = nil,
        password: String? = nil,
        verifyTLS: Bool = true,
        caFile: String? = nil,
        timeouts: HTTPRequest.Timeouts = .init(connect: .seconds(10), total: .seconds(60))
    ) {
        self.url = url
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.timeouts = timeouts
    }

    public var description: String {
        "SMTPConfiguration(url: \(URLRedaction.redact(url)), startTLS: \(startTLS), "
            + "username: \(username ?? "none"), password: \(password == nil ? "none" : "<redacted>"))"
    }
}
