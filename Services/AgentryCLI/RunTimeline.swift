import AgentryContracts
import Foundation

/// A run as `GET /v1/runs/{id}` describes it: status, steps, approvals and deliveries.
///
/// Read leniently from JSON: only `id` (or `runId`) and `status` are required; every other field
/// may be missing, and unknown fields are ignored.
struct RunTimeline: Sendable, Equatable {
    var id: String
    var status: String
    var tenant: String?
    var source: String?
    var request: String?
    var error: String?
    var createdAt: Date?
    var startedAt: Date?
    var finishedAt: Date?
    var costUSD: Double?
    var steps: [TimelineStep]
    var approvals: [TimelineApproval]
    var deliveries: [TimelineDelivery]

    /// The statuses a run ends in.
    static let finalStatuses: Set<String> = ["completed", "failed", "cancelled", "rejected"]

    /// True once the run has ended.
    var isFinished: Bool { Self.finalStatuses.contains(status) }

    /// Approvals still waiting for a decision.
    var pendingApprovals: [TimelineApproval] { approvals.filter { $0.status == "pending" } }

    init(
        id: String, status: String, tenant: String? = nil, source: String? = nil, request: String? = nil,
        error: String? = nil, createdAt: Date? = nil, startedAt: Date? = nil, finishedAt: Date? = nil,
        costUSD: Double? = nil, steps: [TimelineStep] = [], approvals: [TimelineApproval] = [],
        deliveries: [TimelineDelivery] = []
    ) {
        self.id = id
        self.status = status
        self.tenant = tenant
        self.source = source
        self.request = request
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.costUSD = costUSD
        self.steps = steps
        self.approvals = approvals
        self.deliveries = deliveries
    }

    /// Reads a run from the API's JSON.
    init(json: JSONValue) throws {
        guard let id = json.text("id", "runId"), let status = json.text("status") else {
            throw CLIError("the API's answer is not a run (no id or status)")
        }
        self.init(
            id: id, status: status, tenant: json.text("tenant"), source: json.text("source"),
            request: json.text("request"), error: json.text("error"), createdAt: json.date("createdAt"),
            startedAt: json.date("startedAt"), finishedAt: json.date("finishedAt"),
            costUSD: json["costUSD"]?.doubleValue,
            steps: (json["steps"]?.arrayValue ?? []).compactMap(TimelineStep.init(json:)),
            approvals: (json["approvals"]?.arrayValue ?? []).compactMap(TimelineApproval.init(json:)),
            deliveries: (json["deliveries"]?.arrayValue ?? []).compactMap(TimelineDelivery.init(json:)))
    }
}

/// One step of a run.
struct TimelineStep: Sendable, Equatable {
    var id: String
    var specialist: String?
    var tool: String?
    var description: String?
    var status: String
    var risk: String?
    var attempts: Int?
    var output: JSONValue?
    var error: String?
    var startedAt: Date?
    var finishedAt: Date?

    init(
        id: String, specialist: String? = nil, tool: String? = nil, description: String? = nil, status: String,
        risk: String? = nil, attempts: Int? = nil, output: JSONValue? = nil, error: String? = nil,
        startedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.specialist = specialist
        self.tool = tool
        self.description = description
        self.status = status
        self.risk = risk
        self.attempts = attempts
        self.output = output
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    init?(json: JSONValue) {
        guard let id = json.text("id", "stepId") else { return nil }
        let output = json["output"]
        self.init(
            id: id, specialist: json.text("specialist"), tool: json.text("tool"), description: json.text("description"),
            status: json.text("status") ?? "unknown", risk: json.text("risk"), attempts: json["attempts"]?.intValue,
            output: output == .null ? nil : output, error: json.text("error"), startedAt: json.date("startedAt"),
            finishedAt: json.date("finishedAt"))
    }
}

/// One approval of a run.
struct TimelineApproval: Sendable, Equatable {
    var id: String
    var stepId: String?
    var kind: String?
    var status: String
    var decidedBy: String?
    var comment: String?

    init(id: String, stepId: String? = nil, kind: String? = nil, status: String, decidedBy: String? = nil,
         comment: String? = nil) {
        self.id = id
        self.stepId = stepId
        self.kind = kind
        self.status = status
        self.decidedBy = decidedBy
        self.comment = comment
    }

    init?(json: JSONValue) {
        guard let id = json.text("id", "approvalId") else { return nil }
        self.init(
            id: id, stepId: json.text("stepId"), kind: json.text("kind"), status: json.text("status") ?? "unknown",
            decidedBy: json.text("decidedBy"), comment: json.text("comment"))
    }
}

/// One message a run sent (or captured locally).
struct TimelineDelivery: Sendable, Equatable {
    var channel: String
    var target: String?
    var status: String?
    var kind: String?
    var stepId: String?

    init(channel: String, target: String? = nil, status: String? = nil, kind: String? = nil, stepId: String? = nil) {
        self.channel = channel
        self.target = target
        self.status = status
        self.kind = kind
        self.stepId = stepId
    }

    init?(json: JSONValue) {
        guard let channel = json.text("channel") else { return nil }
        self.init(channel: channel, target: json.text("target"), status: json.text("status"), kind: json.text("kind"),
                  stepId: json.text("stepId"))
    }
}

/// A run in `GET /v1/runs`.
struct RunListing: Sendable, Equatable {
    var id: String
    var status: String
    var tenant: String?
    var source: String?
    var request: String?
    var createdAt: Date?
    var finishedAt: Date?

    init(id: String, status: String, tenant: String? = nil, source: String? = nil, request: String? = nil,
         createdAt: Date? = nil, finishedAt: Date? = nil) {
        self.id = id
        self.status = status
        self.tenant = tenant
        self.source = source
        self.request = request
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }

    init?(json: JSONValue) {
        guard let id = json.text("id", "runId"), let status = json.text("status") else { return nil }
        self.init(id: id, status: status, tenant: json.text("tenant"), source: json.text("source"),
                  request: json.text("request"), createdAt: json.date("createdAt"), finishedAt: json.date("finishedAt"))
    }
}

extension JSONValue {
    /// The first of `keys` that holds a non-empty string.
    fileprivate func text(_ keys: String...) -> String? {
        for key in keys {
            if let value = self[key]?.stringValue, !value.isEmpty { return value }
        }
        return nil
    }

    /// The RFC 3339 date at `key`, if any.
    fileprivate func date(_ key: String) -> Date? {
        self[key]?.stringValue.flatMap(RFC3339.date(from:))
    }
}
