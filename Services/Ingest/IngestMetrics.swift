import AgentryContracts
import Metrics

/// The gateway's counters:
///
/// - `agentry_ingest_requests_rejected_total{reason}`: refused requests, by reason
///   (`malformed_json`, `signature_stale`, `body_too_large`, `broker_unavailable`, ...);
/// - `agentry_ingest_runs_requested_total{source}`: `run.requested` envelopes confirmed;
/// - `agentry_ingest_slack_events_ignored_total{reason}`: verified Slack events that are not requests;
/// - `agentry_ingest_jira_events_ignored_total{reason}`: verified Jira events that start no run;
/// - `agentry_ingest_emails_ignored_total{reason}`: authenticated emails that start no run
///   (`automatic`, `own_message`, `sender_not_allowed`, `empty`);
/// - `agentry_ingest_approvals_decided_total{decision}`: decisions accepted through the API.
struct IngestMetrics: Sendable {
    private let factory: any MetricsFactory

    /// Records into `factory`; the process's bootstrapped factory by default.
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    func rejected(_ error: APIError) {
        Counter(label: "agentry_ingest_requests_rejected_total", dimensions: [("reason", error.reason)], factory: factory)
            .increment()
    }

    func runRequested(source: RunSource) {
        Counter(label: "agentry_ingest_runs_requested_total", dimensions: [("source", source.rawValue)], factory: factory)
            .increment()
    }

    func slackEventIgnored(reason: String) {
        Counter(label: "agentry_ingest_slack_events_ignored_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    func jiraEventIgnored(reason: String) {
        Counter(label: "agentry_ingest_jira_events_ignored_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    func emailIgnored(reason: String) {
        Counter(label: "agentry_ingest_emails_ignored_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    func approvalDecided(_ decision: ApprovalDecided.Decision) {
        Counter(
            label: "agentry_ingest_approvals_decided_total", dimensions: [("decision", decision.rawValue)],
            factory: factory
        ).increment()
    }
}
