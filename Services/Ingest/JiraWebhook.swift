import AgentryContracts
import Crypto
import Foundation

/// The parts of a Jira webhook body (`jira:issue_created`, `jira:issue_updated`,
/// `comment_created`) the gateway reads. Texts may be wiki markup strings (REST v2 shape) or
/// Atlassian Document Format objects; both are read as plain text.
struct JiraWebhookPayload: Decodable, Sendable {
    struct Account: Decodable, Sendable { var accountId: String? }
    struct Project: Decodable, Sendable { var key: String? }
    struct Fields: Decodable, Sendable {
        var summary: String?
        var description: JSONValue?
        var labels: [String]?
        var project: Project?
    }
    struct Issue: Decodable, Sendable {
        var id: String?
        var key: String
        var `self`: String?
        var fields: Fields?
    }
    struct Comment: Decodable, Sendable {
        var id: String?
        var body: JSONValue?
        var author: Account?
    }
    struct ChangeItem: Decodable, Sendable {
        var field: String?
        var fromString: String?
        var toString: String?
    }
    struct Changelog: Decodable, Sendable { var items: [ChangeItem]? }

    var webhookEvent: String
    var timestamp: Int64?
    var user: Account?
    var issue: Issue?
    var comment: Comment?
    var changelog: Changelog?
}

/// Verifies a body signature `sha256=<hex HMAC-SHA256 of the raw body>` (Jira's `X-Hub-Signature`, generic webhooks)
/// under the webhook's secret, compared in constant time.
struct HMACSignatureVerifier: Sendable {
    private let secret: [UInt8]

    init(secret: String) { self.secret = Array(secret.utf8) }

    /// Why the signature is not Jira's (a metric reason), or nil when it is.
    func problem(signature: String?, body: [UInt8]) -> String? {
        guard let signature, !signature.isEmpty else { return "signature_missing" }
        guard signature.lowercased().hasPrefix("sha256="),
              let mac = SlackSignatureVerifier.bytes(hex: signature.dropFirst("sha256=".count)), mac.count == SHA256.byteCount
        else { return "signature_malformed" }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: secret))
            ? nil : "signature_mismatch"
    }

    /// Checks `request`'s signature in `header`, before anything else is read.
    ///
    /// - Throws: 401 `invalid_signature` with the metric reason (`signature_missing`, ...).
    func verify(_ request: APIRequest, header: String, signer: String) throws(APIError) {
        if let problem = problem(signature: request.header(header), body: request.body) {
            throw APIError(
                .unauthorized, code: "invalid_signature",
                "the request is not signed with \(signer) (\(header): sha256=<HMAC of the body>)", reason: problem)
        }
    }

    /// The header value Jira would send for `body` (for tests and tools).
    func signature(body: [UInt8]) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret)).hexString
    }
}

/// Decides which Jira events start runs.
///
/// - `jira:issue_created`: when the issue has the trigger label or its description mentions the bot.
/// - `jira:issue_updated`: when this update added the trigger label.
/// - `comment_created`: when the comment mentions the bot, or the issue has the trigger label;
///   never for the bot's own comments.
/// Issues outside the configured projects, and every other event, are ignored. The request is the
/// comment (for comments) or the summary and description, with the mention removed; the run is
/// linked to the issue (`jiraIssueKey`, `jiraBaseURL`, `url`) so the notifier comments there.
struct JiraEventMapper: Sendable {
    let settings: JiraSettings

    enum Outcome: Sendable, Equatable {
        case run(tenant: String, request: RunRequested)
        case ignored(reason: String)
    }

    /// - Parameter deliveryId: Jira's `X-Atlassian-Webhook-Identifier` (the same on retries).
    func outcome(for payload: JiraWebhookPayload, deliveryId: String?) throws(APIError) -> Outcome {
        let supported: Set<String> = ["jira:issue_created", "jira:issue_updated", "comment_created"]
        guard supported.contains(payload.webhookEvent) else { return .ignored(reason: "unsupported_event") }
        guard let issue = payload.issue, !issue.key.isEmpty else {
            throw .invalidRequest("a \(payload.webhookEvent) webhook needs the issue and its key")
        }
        let project = issue.fields?.project?.key?.uppercased() ?? String(issue.key.split(separator: "-").first ?? "")
        if !settings.projects.isEmpty, !settings.projects.contains(project) { return .ignored(reason: "other_project") }
        let labels = issue.fields?.labels ?? []
        let labelled = settings.triggerLabel.map(labels.contains) ?? false
        let summary = issue.fields?.summary ?? ""
        let description = issue.fields?.description.map(Self.text) ?? ""
        var text: String
        var requestedBy = payload.user?.accountId
        switch payload.webhookEvent {
        case "comment_created":
            guard let comment = payload.comment else { throw .invalidRequest("comment_created needs the comment") }
            if let bot = settings.botAccountId, comment.author?.accountId == bot { return .ignored(reason: "bot_comment") }
            text = comment.body.map(Self.text) ?? ""
            guard mentions(text) || labelled else { return .ignored(reason: "not_addressed") }
            requestedBy = comment.author?.accountId ?? requestedBy
        case "jira:issue_created":
            guard labelled || mentions(description) else { return .ignored(reason: "not_addressed") }
            text = description.isEmpty ? summary : summary + "\n\n" + description
        default:
            let added = (payload.changelog?.items ?? []).contains { item in
                guard item.field == "labels", let label = settings.triggerLabel else { return false }
                let before = Set((item.fromString ?? "").split(separator: " ").map(String.init))
                let after = Set((item.toString ?? "").split(separator: " ").map(String.init))
                return after.contains(label) && !before.contains(label)
            }
            guard added else { return .ignored(reason: "not_addressed") }
            text = description.isEmpty ? summary : summary + "\n\n" + description
        }
        if let mention = settings.triggerMention { text = text.replacingOccurrences(of: mention, with: "") }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .ignored(reason: "empty_text") }
        guard text.count <= SlackEventMapper.maximumRequestLength else { return .ignored(reason: "request_too_long") }
        let base = issue.`self`.flatMap(URL.init(string:)).flatMap { url -> String? in
            guard let scheme = url.scheme, let host = url.host else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        let eventId = deliveryId.flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(payload.webhookEvent):\(issue.id ?? issue.key):\(payload.comment?.id ?? String(payload.timestamp ?? 0))"
        return .run(tenant: settings.tenant, request: RunRequested(
            request: text, source: .jira,
            sourceReference: SourceReference(jiraIssueKey: issue.key, jiraBaseURL: base, url: base.map { "\($0)/browse/\(issue.key)" }),
            externalEventId: eventId, requestedBy: requestedBy))
    }

    private func mentions(_ text: String) -> Bool {
        guard let mention = settings.triggerMention, !mention.isEmpty else { return false }
        return text.contains(mention)
    }

    /// Plain text of a wiki-markup string or an Atlassian Document Format node.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text):
            return text
        case .object(let node):
            var parts: [String] = []
            if case .string(let text)? = node["text"] { parts.append(text) }
            if case .object(let attrs)? = node["attrs"], node["type"] == .string("mention"), case .string(let name)? = attrs["text"] {
                parts.append(name)
            }
            if case .array(let children)? = node["content"] {
                let joined = children.map(text).joined()
                let block: Set<String> = ["paragraph", "heading", "listItem", "codeBlock", "blockquote"]
                if case .string(let type)? = node["type"], block.contains(type) { parts.append(joined + "\n") } else { parts.append(joined) }
            }
            return parts.joined()
        case .array(let items):
            return items.map(text).joined()
        default:
            return ""
        }
    }
}
