import AgentryContracts

/// The body of `POST /v1/runs`:
/// `{"request": "...", "tenant"?: "...", "source"?: "api", "sourceReference"?: {...},
///   "externalEventId"?: "...", "requestedBy"?: "..."}`.
struct RunSubmission: Decodable, Sendable {
    /// The longest request accepted, in characters.
    static let maximumRequestLength = 10_000
    /// Sources the API accepts; Slack events come only through the signed webhook.
    static let sources: [RunSource] = [.api, .cli, .jira, .email, .webhook]

    var request: String
    var tenant: String?
    var source: String?
    var sourceReference: SourceReference?
    var externalEventId: String?
    var requestedBy: String?

    /// The tenant and the `run.requested` payload, after checking every field.
    ///
    /// - Throws: ``APIError`` 400 `invalid_request` naming the field at fault.
    func validated(defaultTenant: String) throws(APIError) -> (tenant: String, request: RunRequested) {
        let text = request.trimmingWhitespace()
        guard !text.isEmpty else { throw .invalidRequest("request must not be empty") }
        guard text.count <= Self.maximumRequestLength else {
            throw .invalidRequest("request has \(text.count) characters; the limit is \(Self.maximumRequestLength)")
        }
        let tenant = self.tenant ?? defaultTenant
        guard Tenant.isValid(tenant) else { throw .invalidRequest("tenant: \(Tenant.rule)") }
        let source = try Self.source(self.source)
        if let externalEventId {
            guard !externalEventId.isEmpty, externalEventId.count <= 512 else {
                throw .invalidRequest("externalEventId must be 1 to 512 characters")
            }
        }
        if let requestedBy, requestedBy.isEmpty || requestedBy.count > 256 {
            throw .invalidRequest("requestedBy must be 1 to 256 characters")
        }
        return (tenant, RunRequested(
            request: text, source: source, sourceReference: sourceReference, externalEventId: externalEventId,
            requestedBy: requestedBy))
    }

    private static func source(_ name: String?) throws(APIError) -> RunSource {
        guard let name else { return .api }
        if let source = sources.first(where: { $0.rawValue == name }) { return source }
        if name == RunSource.slack.rawValue {
            throw .invalidRequest("source \"slack\" is accepted only through POST /v1/webhooks/slack, which verifies Slack's signature")
        }
        throw .invalidRequest("source must be one of \(sources.map(\.rawValue).joined(separator: ", "))")
    }
}
