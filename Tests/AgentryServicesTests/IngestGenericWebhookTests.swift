import AgentryContracts
import AgentryServiceKit
import Foundation
import Testing

@testable import AgentryIngest

/// `POST /v1/webhooks/generic/{name}`: per-name HMAC secrets and the JSON-to-run mapping.
@Suite struct IngestGenericWebhookTests {
    static let configurationJSON = """
        {"deploys": {"secretEnv": "DEPLOY_SECRET", "signatureHeader": "X-Hub-Signature-256",
                     "request": "Check the deploy of {{/service}} to {{ /target/env }} (build {{/build}})",
                     "externalEventId": "header:X-Delivery", "requestedBy": "/actor/login", "tenant": "acme"},
         "alerts": {"secretEnv": "ALERT_SECRET", "request": "Investigate: {{/title}}", "externalEventId": "/id"}}
        """
    static let environment = [
        "AGENTRY_WEBHOOKS": configurationJSON, "DEPLOY_SECRET": "deploy-s3cret", "ALERT_SECRET": "alert-s3cret",
    ]

    static func harness() throws -> IngestHarness {
        var configuration = try IngestConfiguration(environment: environment)
        configuration.publishTimeout = .seconds(30)
        return IngestHarness(configuration: configuration)
    }

    static func signed(_ body: String, secret: String, header: String, extra: [String: String] = [:]) -> APIRequest {
        var headers = ["Content-Type": "application/json", header: HMACSignatureVerifier(secret: secret).signature(body: Array(body.utf8))]
        headers.merge(extra) { $1 }
        return APIRequest(headers: headers, body: Array(body.utf8))
    }

    @Test func aSignedBodyIsMappedToARun() async throws {
        let harness = try Self.harness()
        let body = #"{"service":"checkout","target":{"env":"prod"},"build":1042,"actor":{"login":"ana"}}"#
        let answer = await harness.api.receiveGenericWebhook(name: "deploys", Self.signed(
            body, secret: "deploy-s3cret", header: "X-Hub-Signature-256", extra: ["X-Delivery": "d-77"]))
        #expect(answer.status == .accepted)
        let envelope = try #require(harness.facts.first)
        #expect(envelope.tenant == "acme")
        #expect(envelope.payload == .runRequested(RunRequested(
            request: "Check the deploy of checkout to prod (build 1042)", source: .webhook,
            sourceReference: SourceReference(webhookName: "deploys"), externalEventId: "d-77", requestedBy: "ana")))
        let alert = await harness.api.receiveGenericWebhook(name: "alerts", Self.signed(
            #"{"id":"al-1","title":"Disk 90% on db-2"}"#, secret: "alert-s3cret", header: "X-Agentry-Signature"))
        #expect(alert.status == .accepted)
        #expect(harness.facts.last?.tenant == "default")
        #expect(harness.facts.last?.payload.as(RunRequested.self)?.externalEventId == "al-1")
    }

    @Test func wrongSecretsUnknownNamesAndMissingFieldsChangeNothing() async throws {
        let harness = try Self.harness()
        let body = #"{"id":"al-1","title":"Disk 90% on db-2"}"#
        // The other webhook's secret does not sign this one.
        let crossed = await harness.api.receiveGenericWebhook(
            name: "alerts", Self.signed(body, secret: "deploy-s3cret", header: "X-Agentry-Signature"))
        #expect(crossed.status == .unauthorized)
        let unsigned = await harness.api.receiveGenericWebhook(
            name: "alerts", APIRequest(headers: ["Content-Type": "application/json"], body: Array(body.utf8)))
        #expect(unsigned.status == .unauthorized)
        #expect(await harness.api.receiveGenericWebhook(
            name: "nope", Self.signed(body, secret: "alert-s3cret", header: "X-Agentry-Signature")).status == .notFound)
        let missing = await harness.api.receiveGenericWebhook(
            name: "alerts", Self.signed(#"{"id":"al-2"}"#, secret: "alert-s3cret", header: "X-Agentry-Signature"))
        #expect(missing.status == .badRequest)
        #expect(try missing.decode(APIErrorBody.self).error.message.contains("/title"))
        let malformed = await harness.api.receiveGenericWebhook(
            name: "alerts", Self.signed("{oops", secret: "alert-s3cret", header: "X-Agentry-Signature"))
        #expect(malformed.status == .badRequest)
        #expect(harness.facts.isEmpty)
    }

    @Test func pointersFollowRFC6901() {
        let document: JSONValue = ["a/b": ["~k": [10, 20]], "": "root-key"]
        #expect(GenericWebhook.value(at: "/a~1b/~0k/1", in: document) == 20)
        #expect(GenericWebhook.value(at: "/a~1b/~0k/2", in: document) == nil)
        #expect(GenericWebhook.value(at: "/", in: document) == "root-key")
        #expect(GenericWebhook.value(at: "", in: document) == document)
        #expect(GenericWebhook.value(at: "nope", in: document) == nil)
    }

    @Test func badWebhookConfigurationIsRefusedWithTheName() {
        let cases: [([String: String], String)] = [
            (["AGENTRY_WEBHOOKS": "[1]"], "JSON"),
            (["AGENTRY_WEBHOOKS": #"{"x": {"secretEnv": "MISSING", "request": "r"}}"#], "MISSING"),
            (["AGENTRY_WEBHOOKS": #"{"bad name": {"secretEnv": "S", "request": "r"}}"#, "S": "s"], "name"),
            (["AGENTRY_WEBHOOKS": #"{"x": {"secretEnv": "S", "request": "r", "externalEventId": "id"}}"#, "S": "s"], "pointer"),
            (["AGENTRY_WEBHOOKS": #"{"x": {"secretEnv": "S", "request": " "}}"#, "S": "s"], "empty"),
        ]
        for (environment, expected) in cases {
            #expect {
                try IngestConfiguration(environment: environment)
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }
}
