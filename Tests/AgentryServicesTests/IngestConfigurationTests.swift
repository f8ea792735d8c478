import AgentryServiceKit
import Foundation
import Testing

@testable import AgentryIngest

@Suite struct IngestConfigurationTests {
    @Test func defaultsBindTheAPIToLoopback() throws {
        let configuration = try IngestConfiguration(environment: [:])
        #expect(configuration.apiHost == "127.0.0.1")
        #expect(configuration.apiPort == 8080)
        #expect(configuration.defaultTenant == "default")
        #expect(configuration.maxBodyBytes == 1_048_576)
        #expect(configuration.slackSigningSecret == nil)
        #expect(configuration.slackTeamTenants.isEmpty)
        #expect(configuration.publishTimeout == .seconds(10))
    }

    @Test func jiraSettingsAreReadAndTheSecretNeverShown() throws {
        #expect(try IngestConfiguration(environment: [:]).jira == nil)
        let configuration = try IngestConfiguration(environment: [
            "AGENTRY_JIRA_WEBHOOK_SECRET": "jira-hook-s3cret", "AGENTRY_JIRA_PROJECTS": " ops, sup ",
            "AGENTRY_JIRA_TRIGGER_MENTION": "@agentry", "AGENTRY_JIRA_BOT_ACCOUNT_ID": "bot-1", "AGENTRY_DEFAULT_TENANT": "acme",
        ])
        #expect(configuration.jira == JiraSettings(
            secret: "jira-hook-s3cret", triggerLabel: "agentry", triggerMention: "@agentry", projects: ["OPS", "SUP"],
            botAccountId: "bot-1", tenant: "acme"))
        #expect(!"\(configuration)".contains("jira-hook-s3cret"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("jira-hook-s3cret"))
        let noLabel = try IngestConfiguration(environment: ["AGENTRY_JIRA_WEBHOOK_SECRET": "x", "AGENTRY_JIRA_TRIGGER_LABEL": "none"])
        #expect(noLabel.jira?.triggerLabel == nil)
        #expect(noLabel.jira?.tenant == "default")
        #expect(throws: ConfigurationError.self) {
            try IngestConfiguration(environment: ["AGENTRY_JIRA_WEBHOOK_SECRET": "x", "AGENTRY_JIRA_TENANT": "no spaces"])
        }
    }

    @Test func everyVariableIsRead() throws {
        let configuration = try IngestConfiguration(environment: [
            "AGENTRY_API_HOST": "0.0.0.0", "AGENTRY_API_PORT": "0", "AGENTRY_DEFAULT_TENANT": "acme",
            "AGENTRY_MAX_BODY_BYTES": "4096", "AGENTRY_SLACK_SIGNING_SECRET": "s3cr3t-value",
            "AGENTRY_SLACK_TEAM_TENANTS": " T123=acme , T456=beta-eu ", "AGENTRY_PUBLISH_TIMEOUT_SECONDS": "3",
        ])
        #expect(configuration.apiHost == "0.0.0.0")
        #expect(configuration.apiPort == 0)
        #expect(configuration.defaultTenant == "acme")
        #expect(configuration.maxBodyBytes == 4096)
        #expect(configuration.slackSigningSecret == "s3cr3t-value")
        #expect(configuration.slackTeamTenants == ["T123": "acme", "T456": "beta-eu"])
        #expect(configuration.publishTimeout == .seconds(3))
        #expect(!"\(configuration)".contains("s3cr3t"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
    }

    @Test(arguments: [
        ("AGENTRY_SLACK_TEAM_TENANTS", "T123"),
        ("AGENTRY_SLACK_TEAM_TENANTS", "T123=acme,T123=beta"),
        ("AGENTRY_SLACK_TEAM_TENANTS", "T123=has space"),
        ("AGENTRY_DEFAULT_TENANT", "-leading-dash"),
        ("AGENTRY_MAX_BODY_BYTES", "10"),
        ("AGENTRY_API_PORT", "80000"),
        ("AGENTRY_PUBLISH_TIMEOUT_SECONDS", "0"),
    ])
    func invalidValuesNameTheirVariable(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try IngestConfiguration(environment: [key: value]) }
        #expect(error?.key == key)
    }

    @Test(arguments: [("acme", true), ("a", true), ("Acme-EU_2.prod", true), ("", false), (".x", false),
                      ("a|b", false), ("é", false), (String(repeating: "a", count: 65), false)])
    func tenantNames(name: String, valid: Bool) {
        #expect(Tenant.isValid(name) == valid)
    }
}

@Suite struct IngestRunIdentityTests {
    @Test func externalEventsGetNameBasedIds() {
        // SHA-256("acme|slack|Ev0123ABC") = d67573c65e6a407c0ca53dfed34ac643…, version and variant bits set.
        let id = RunIdentity.runId(tenant: "acme", source: .slack, externalEventId: "Ev0123ABC")
        #expect(id.uuidString.lowercased() == "d67573c6-5e6a-507c-8ca5-3dfed34ac643")
        #expect(RunIdentity.runId(tenant: "acme", source: .slack, externalEventId: "Ev0123ABC") == id)
    }

    @Test func everyPartOfTheNameMatters() {
        let base = RunIdentity.runId(tenant: "acme", source: .slack, externalEventId: "Ev1")
        #expect(RunIdentity.runId(tenant: "beta", source: .slack, externalEventId: "Ev1") != base)
        #expect(RunIdentity.runId(tenant: "acme", source: .jira, externalEventId: "Ev1") != base)
        #expect(RunIdentity.runId(tenant: "acme", source: .slack, externalEventId: "Ev2") != base)
    }

    @Test func idsHaveTheVersion5Layout() {
        for index in 0..<200 {
            let text = RunIdentity.runId(tenant: "t", source: .api, externalEventId: "event-\(index)").uuidString
            let characters = Array(text)
            #expect(characters[14] == "5")
            #expect("89AB".contains(characters[19]))
        }
    }

    @Test func requestsWithoutAnEventIdGetRandomIds() {
        let ids = Set((0..<100).map { _ in RunIdentity.runId(tenant: "t", source: .api, externalEventId: nil) })
        #expect(ids.count == 100)
    }

    @Test func traceContextIsContinuedOrStarted() {
        let given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(TraceContext.traceparent(continuing: given) == given)
        for invalid in [nil, "", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-xyz-00f067aa0ba902b7-01"] {
            let started = TraceContext.traceparent(continuing: invalid)
            #expect(TraceContext.isValid(started))
            #expect(started != given)
        }
    }
}
