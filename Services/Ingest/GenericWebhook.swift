import AgentryContracts
import AgentryServiceKit
import Foundation

/// One configured generic webhook (`POST /v1/webhooks/generic/{name}`): its secret, where its
/// signature comes, and how its JSON body becomes a run request.
///
/// `AGENTRY_WEBHOOKS` (or `_FILE`) holds them as JSON, by name:
/// ```json
/// {"deploys": {"secretEnv": "DEPLOY_HOOK_SECRET", "signatureHeader": "X-Hub-Signature-256",
///              "request": "Check the deploy of {{/service}} to {{/environment}}",
///              "externalEventId": "/id", "requestedBy": "/actor", "tenant": "acme"}}
/// ```
struct GenericWebhook: Sendable, Equatable {
    /// The name in the URL.
    var name: String
    /// The HMAC-SHA256 key; read from the variable `secretEnv` names (or its `_FILE`).
    var secret: String
    /// The header carrying `sha256=<hex HMAC of the raw body>`; `X-Agentry-Signature` by default.
    var signatureHeader: String
    /// The request text: `{{/json/pointer}}` placeholders are filled from the body.
    var request: String
    /// A JSON pointer to the event's id, or `header:<name>` for a header; makes retries one run.
    var externalEventId: String?
    /// A JSON pointer to who asked.
    var requestedBy: String?
    /// The tenant of its runs.
    var tenant: String

    /// The environment variable holding the webhooks.
    static let environmentKey = "AGENTRY_WEBHOOKS"

    /// Reads `AGENTRY_WEBHOOKS`; empty when unset.
    static func read(_ reader: ConfigurationReader, defaultTenant: String) throws(ConfigurationError) -> [String: GenericWebhook] {
        guard let text = try reader.string(environmentKey) else { return [:] }
        struct Item: Decodable {
            var secretEnv: String
            var signatureHeader: String?
            var request: String
            var externalEventId: String?
            var requestedBy: String?
            var tenant: String?
        }
        let items: [String: Item]
        do {
            items = try JSONDecoder().decode([String: Item].self, from: Data(text.utf8))
        } catch {
            throw ConfigurationError(.invalidValue, key: environmentKey, reason:
                "expected {\"<name>\": {\"secretEnv\", \"request\", ...}} as JSON: \(error)")
        }
        var hooks: [String: GenericWebhook] = [:]
        for (name, item) in items {
            func invalid(_ reason: String) -> ConfigurationError {
                ConfigurationError(.invalidValue, key: environmentKey, reason: "webhook \"\(name)\": \(reason)")
            }
            guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
            else { throw invalid("a name is 1 to 64 letters, digits, - or _") }
            guard let secret = try reader.string(item.secretEnv), !secret.isEmpty else {
                throw invalid("its secret variable \(item.secretEnv) (or \(item.secretEnv)_FILE) is not set")
            }
            guard !item.request.trimmingCharacters(in: .whitespaces).isEmpty else { throw invalid("request is empty") }
            let tenant = item.tenant ?? defaultTenant
            guard Tenant.isValid(tenant) else { throw invalid("tenant: \(Tenant.rule)") }
            for pointer in [item.externalEventId, item.requestedBy].compactMap({ $0 }) where !pointer.hasPrefix("/") && !pointer.hasPrefix("header:") {
                throw invalid("\"\(pointer)\" is neither a JSON pointer (/a/b) nor header:<name>")
            }
            hooks[name] = GenericWebhook(
                name: name, secret: secret, signatureHeader: item.signatureHeader ?? "X-Agentry-Signature",
                request: item.request, externalEventId: item.externalEventId, requestedBy: item.requestedBy, tenant: tenant)
        }
        return hooks
    }

    /// The run request for `body`, or why the body does not fit the mapping.
    func runRequest(body: JSONValue, header: (String) -> String?) throws(APIError) -> RunRequested {
        var text = ""
        var rest = Substring(request)
        while let open = rest.range(of: "{{") {
            text += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { text += rest[open.lowerBound...]; rest = ""; break }
            let pointer = String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            guard let value = Self.value(at: pointer, in: body) else {
                throw .invalidRequest("the body has no \(pointer), which webhook \"\(name)\" needs for its request")
            }
            text += Self.text(value)
            rest = rest[close.upperBound...]
        }
        text += rest
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .invalidRequest("webhook \"\(name)\" made an empty request from this body") }
        guard text.count <= SlackEventMapper.maximumRequestLength else {
            throw .invalidRequest("the request is longer than \(SlackEventMapper.maximumRequestLength) characters")
        }
        func field(_ source: String?) throws(APIError) -> String? {
            guard let source else { return nil }
            if source.hasPrefix("header:") { return header(String(source.dropFirst("header:".count))) }
            guard let value = Self.value(at: source, in: body) else {
                throw .invalidRequest("the body has no \(source), which webhook \"\(name)\" needs")
            }
            let text = Self.text(value)
            return text.isEmpty ? nil : String(text.prefix(512))
        }
        return RunRequested(
            request: text, source: .webhook, sourceReference: SourceReference(webhookName: name),
            externalEventId: try field(externalEventId), requestedBy: try field(requestedBy))
    }

    /// The value at a JSON pointer (RFC 6901), or nil.
    static func value(at pointer: String, in document: JSONValue) -> JSONValue? {
        guard pointer.hasPrefix("/") else { return pointer.isEmpty ? document : Optional<JSONValue>.none }
        var current = document
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[key] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(key), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A value as text: strings as they are, other values as JSON.
    static func text(_ value: JSONValue) -> String {
        if case .string(let string) = value { return string }
        if case .null = value { return "" }
        return (try? APIJSON.encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
