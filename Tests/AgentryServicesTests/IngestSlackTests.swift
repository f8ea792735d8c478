import AgentryContracts
import Foundation
import Testing

@testable import AgentryIngest

/// Slack's v0 signatures, the text clean-up and the mapping of events to run requests.
@Suite struct IngestSlackSignatureTests {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    /// Slack's documented example request ("Verifying requests from Slack").
    static let documentedBody = Array((
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c").utf8)
    static let documentedSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static let documentedTime = Date(timeIntervalSince1970: 1_531_420_618)

    let verifier = SlackSignatureVerifier(signingSecret: secret)

    @Test func slacksDocumentedExampleVerifies() throws {
        try verifier.verify(
            signature: Self.documentedSignature, timestamp: "1531420618", body: Self.documentedBody,
            now: Self.documentedTime.addingTimeInterval(30))
        #expect(verifier.signature(timestamp: "1531420618", body: Self.documentedBody) == Self.documentedSignature)
        // Hex digits in upper case are the same signature.
        try verifier.verify(
            signature: "v0=" + Self.documentedSignature.dropFirst(3).uppercased(), timestamp: "1531420618",
            body: Self.documentedBody, now: Self.documentedTime)
    }

    @Test func changedBodyOrSecretDoesNotVerify() {
        var body = Self.documentedBody
        body[body.count - 1] ^= 1
        #expect(throws: SlackSignatureError.mismatch) {
            try verifier.verify(signature: Self.documentedSignature, timestamp: "1531420618", body: body, now: Self.documentedTime)
        }
        #expect(throws: SlackSignatureError.mismatch) {
            try SlackSignatureVerifier(signingSecret: "another-secret").verify(
                signature: Self.documentedSignature, timestamp: "1531420618", body: Self.documentedBody,
                now: Self.documentedTime)
        }
        // The timestamp is signed too.
        #expect(throws: SlackSignatureError.mismatch) {
            try verifier.verify(
                signature: Self.documentedSignature, timestamp: "1531420619", body: Self.documentedBody,
                now: Self.documentedTime)
        }
    }

    @Test(arguments: [(-301.0, SlackSignatureError.fromTheFuture), (301.0, .stale), (86_400.0, .stale), (-86_400.0, .fromTheFuture)])
    func timestampsOutsideFiveMinutesAreRefused(offset: TimeInterval, error: SlackSignatureError) {
        #expect(throws: error) {
            try verifier.verify(
                signature: Self.documentedSignature, timestamp: "1531420618", body: Self.documentedBody,
                now: Self.documentedTime.addingTimeInterval(offset))
        }
    }

    @Test(arguments: [-300.0, 0, 300.0])
    func timestampsWithinFiveMinutesAreAccepted(offset: TimeInterval) throws {
        try verifier.verify(
            signature: Self.documentedSignature, timestamp: "1531420618", body: Self.documentedBody,
            now: Self.documentedTime.addingTimeInterval(offset))
    }

    @Test(arguments: [
        (nil as String?, "1531420618" as String?, SlackSignatureError.missingSignature),
        ("", "1531420618", .missingSignature),
        (documentedSignature, nil, .missingTimestamp),
        (documentedSignature, "yesterday", .malformedTimestamp),
        (documentedSignature, "-1531420618", .malformedTimestamp),
        (documentedSignature, "1531420618.5", .malformedTimestamp),
        (documentedSignature, "99999999999999999999", .malformedTimestamp),
        ("a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", "1531420618", .malformedSignature),
        ("v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", "1531420618", .malformedSignature),
        ("v0=a2114d57", "1531420618", .malformedSignature),
        ("v0=zz114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", "1531420618", .malformedSignature),
        ("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50", "1531420618", .malformedSignature),
        ("v0=+2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", "1531420618", .malformedSignature),
    ])
    func malformedHeadersAreRefused(signature: String?, timestamp: String?, error: SlackSignatureError) {
        #expect(throws: error) {
            try verifier.verify(signature: signature, timestamp: timestamp, body: Self.documentedBody, now: Self.documentedTime)
        }
    }
}

@Suite struct IngestSlackEventTests {
    let mapper = SlackEventMapper(defaultTenant: "default", teamTenants: ["T111": "acme"])

    func outcome(_ json: String) throws -> SlackEventOutcome {
        try mapper.outcome(for: JSONDecoder().decode(SlackEventPayload.self, from: Data(json.utf8)))
    }

    @Test func mentionBecomesARunRequestInTheMessagesThread() throws {
        let outcome = try outcome(IngestHarness.slackEvent())
        let expected = RunRequested(
            request: "summarise the open incidents and post them to #ops", source: .slack,
            sourceReference: SourceReference(
                slackTeam: "T111", slackChannel: "C0OPS", slackThreadTs: "1718000000.000100", slackUser: "U0PERSON"),
            externalEventId: "Ev0123ABC", requestedBy: "U0PERSON")
        #expect(outcome == .run(tenant: "acme", request: expected))
    }

    @Test func replyInAThreadStaysInThatThread() throws {
        let outcome = try outcome(IngestHarness.slackEvent(team: "T999", extra: #","thread_ts":"1717000000.000001""#))
        guard case .run(let tenant, let request) = outcome else {
            Issue.record("expected a run, got \(outcome)")
            return
        }
        #expect(tenant == "default")
        #expect(request.sourceReference?.slackThreadTs == "1717000000.000001")
    }

    @Test func directMessageBecomesARun() throws {
        let outcome = try outcome(IngestHarness.slackEvent(
            type: "message", text: "open https://example.com", extra: #","channel_type":"im""#))
        guard case .run(_, let request) = outcome else {
            Issue.record("expected a run, got \(outcome)")
            return
        }
        #expect(request.request == "open https://example.com")
    }

    @Test(arguments: [
        (#","bot_id":"B01""#, "app_mention", "bot_message"),
        (#","subtype":"bot_message""#, "message", "bot_message"),
        (#","subtype":"message_changed""#, "message", "message_subtype"),
        (#","subtype":"channel_join""#, "message", "message_subtype"),
        (#","channel_type":"channel""#, "message", "covered_by_app_mention"),
        ("", "reaction_added", "unsupported_event"),
    ])
    func nonRequestsAreIgnored(extra: String, type: String, reason: String) throws {
        #expect(try outcome(IngestHarness.slackEvent(type: type, extra: extra)) == .ignored(reason: reason))
    }

    @Test func emptyAndOverlongRequestsAreIgnored() throws {
        #expect(try outcome(IngestHarness.slackEvent(text: "<@U0BOT>   ")) == .ignored(reason: "empty_text"))
        let long = String(repeating: "x", count: 10_001)
        #expect(try outcome(IngestHarness.slackEvent(text: "<@U0BOT> \(long)")) == .ignored(reason: "request_too_long"))
    }

    @Test func otherPayloadTypesAreIgnoredAndChallengesAnswered() throws {
        #expect(try outcome(#"{"type":"app_rate_limited","team_id":"T1"}"#) == .ignored(reason: "unsupported_payload"))
        #expect(try outcome(#"{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}"#)
            == .challenge("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
    }

    @Test func eventsWithoutTheirIdentityAreBadRequests() {
        let error = #expect(throws: APIError.self) {
            try outcome(#"{"type":"event_callback","team_id":"T1","event":{"type":"app_mention","text":"hi","channel":"C1","ts":"1.2"}}"#)
        }
        #expect(error?.status == .badRequest)
        #expect(throws: APIError.self) { try outcome(#"{"type":"url_verification"}"#) }
    }

    @Test(arguments: [
        ("<@U0BOT> check the price on <https://shop.example.com/item|the shop>", "check the price on https://shop.example.com/item"),
        ("<@U0BOT|agentry> post it to <#C0123|ops>", "post it to #ops"),
        ("<@U0BOT> post it to <#C0123>", "post it to <#C0123>"),
        ("<@U0BOT> email it to <mailto:ana@example.com|ana@example.com>", "email it to ana@example.com"),
        ("<@U0BOT> tell <!here> that x &lt; y &amp;&amp; y &gt; z", "tell @here that x < y && y > z"),
        ("<@U0BOT> ask <@U0OTHER> about it", "ask <@U0OTHER> about it"),
        ("  no mention here ", "no mention here"),
        ("<@U0BOT> run this script:\n```\necho hi\n```", "run this script:\n```\necho hi\n```"),
    ])
    func slackMarkupBecomesPlainText(text: String, expected: String) {
        #expect(SlackText.request(from: text) == expected)
    }
}
