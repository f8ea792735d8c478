import AgentryContracts
import Foundation
import Testing

@Suite struct EnvelopeCodecTests {
    let codec = EnvelopeCodec()

    /// A fixture as a mutable JSON object, to derive variants from.
    private func fixtureObject(_ name: String) throws -> [String: JSONValue] {
        try #require(Fixture.parse(Fixture.data(name)).objectValue)
    }

    private func data(_ object: [String: JSONValue]) throws -> Data {
        try JSONEncoder().encode(JSONValue.object(object))
    }

    private struct DecodedUnexpectedly: Error {}

    private func decodingError(_ data: Data) throws -> EnvelopeDecodingError {
        do throws(EnvelopeDecodingError) {
            let envelope = try codec.decode(data)
            Issue.record("decoded \(envelope.type) where an error was expected")
        } catch {
            return error
        }
        throw DecodedUnexpectedly()
    }

    @Test func unknownTypeIsATypedError() throws {
        var object = try fixtureObject("step.completed")
        object["type"] = "step.exploded"
        let error = try decodingError(data(object))
        #expect(error.code == .unknownType("step.exploded"))
        #expect(error.code.label == "unknown_type")
        #expect(error.envelopeId == "51627384-95a6-4b7c-8de4-f5061728394a")
    }

    @Test func unknownTypeWinsOverAPayloadItCannotRead() throws {
        let json = #"{"id":"x","type":"audit.sealed","version":7,"payload":{"anything":[1,2]}}"#
        let error = try decodingError(Data(json.utf8))
        #expect(error.code == .unknownType("audit.sealed"))
    }

    @Test(arguments: [0, 2, 99, -1])
    func unsupportedVersionIsATypedError(version: Int) throws {
        var object = try fixtureObject("run.requested")
        object["version"] = .number(Double(version))
        let error = try decodingError(data(object))
        #expect(error.code == .unsupportedVersion(.runRequested, version))
        #expect(error.code.label == "unsupported_version")
        #expect(error.description.contains("run.requested"))
    }

    @Test func unknownFieldsAreIgnoredAtEveryLevel() throws {
        var object = try fixtureObject("run.planned")
        object["priority"] = "urgent"
        object["x-extra"] = ["nested": [1, 2, 3]]
        var payload = try #require(object["payload"]?.objectValue)
        payload["planner"] = "v2"
        var plan = try #require(payload["plan"]?.objectValue)
        plan["estimatedMinutes"] = 4
        var steps = try #require(plan["steps"]?.arrayValue)
        var first = try #require(steps[0].objectValue)
        first["retryPolicy"] = ["backoff": "exponential"]
        steps[0] = .object(first)
        plan["steps"] = .array(steps)
        payload["plan"] = .object(plan)
        object["payload"] = .object(payload)

        let decoded = try codec.decode(data(object))
        #expect(decoded == GoldenEnvelopes.runPlanned)
    }

    @Test func missingHeaderFieldIsMalformedAndNamesTheField() throws {
        var object = try fixtureObject("step.failed")
        object["tenant"] = nil
        let error = try decodingError(data(object))
        guard case .malformed(let detail) = error.code else {
            Issue.record("expected malformed, got \(error.code)")
            return
        }
        #expect(detail.contains("tenant"))
        #expect(error.envelopeId == "62738495-a6b7-4c8d-9ef5-061728394a5b")
    }

    @Test func missingPayloadFieldIsMalformedWithItsPath() throws {
        var object = try fixtureObject("run.planned")
        var payload = try #require(object["payload"]?.objectValue)
        var plan = try #require(payload["plan"]?.objectValue)
        var steps = try #require(plan["steps"]?.arrayValue)
        var second = try #require(steps[1].objectValue)
        second["specialist"] = nil
        steps[1] = .object(second)
        plan["steps"] = .array(steps)
        payload["plan"] = .object(plan)
        object["payload"] = .object(payload)

        let error = try decodingError(data(object))
        guard case .malformed(let detail) = error.code else {
            Issue.record("expected malformed, got \(error.code)")
            return
        }
        #expect(detail.contains("specialist"))
        #expect(detail.contains("payload.plan.steps[1]"))
    }

    @Test func wrongEnumValueIsMalformed() throws {
        var object = try fixtureObject("work.item")
        var payload = try #require(object["payload"]?.objectValue)
        payload["specialist"] = "astrology"
        object["payload"] = .object(payload)
        let error = try decodingError(data(object))
        #expect(error.code.label == "malformed")
    }

    @Test(arguments: ["", "not json", "[]", "{\"type\": 3}", "{\"type\": \"run.failed\"}", "{\"id\": 1"])
    func garbageIsMalformed(text: String) throws {
        let error = try decodingError(Data(text.utf8))
        #expect(error.code.label == "malformed", "\(error)")
    }

    @Test func badTimestampIsMalformed() throws {
        var object = try fixtureObject("run.control")
        object["occurredAt"] = "yesterday"
        let error = try decodingError(data(object))
        guard case .malformed(let detail) = error.code else {
            Issue.record("expected malformed, got \(error.code)")
            return
        }
        #expect(detail.contains("occurredAt"))
    }

    @Test(arguments: [
        ("2026-03-30T09:30:00Z", 1_774_863_000.0),
        ("2026-03-30T09:30:00.5Z", 1_774_863_000.5),
        ("2026-03-30T11:30:00.250+02:00", 1_774_863_000.25),
        ("2026-03-30T04:00:00.123456-05:30", 1_774_863_000.123456),
        ("2026-03-30 09:30:00z", 1_774_863_000.0),
    ])
    func occurredAtAcceptsRFC3339WithOrWithoutFraction(text: String, seconds: Double) throws {
        var object = try fixtureObject("run.control")
        object["occurredAt"] = .string(text)
        let decoded = try codec.decode(data(object))
        #expect(abs(decoded.occurredAt.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test func missingAttemptMeansFirstAttempt() throws {
        var object = try fixtureObject("work.item")
        object["attempt"] = nil
        #expect(try codec.decode(data(object)).attempt == 1)
    }

    @Test func upperCaseUUIDsAreAcceptedAndWrittenLowerCase() throws {
        var object = try fixtureObject("approval.decided")
        object["id"] = "8495A6B7-C8D9-4EAF-B107-28394A5B6C7D"
        var payload = try #require(object["payload"]?.objectValue)
        payload["approvalId"] = "C8D9EAFB-0C1D-4E2F-A3B4-5C6D7E8F9A0B"
        object["payload"] = .object(payload)
        let decoded = try codec.decode(data(object))
        #expect(decoded == GoldenEnvelopes.approvalDecided)
        let text = try #require(String(data: codec.encode(decoded), encoding: .utf8))
        #expect(text.contains("\"8495a6b7-c8d9-4eaf-b107-28394a5b6c7d\""))
        #expect(text.contains("\"c8d9eafb-0c1d-4e2f-a3b4-5c6d7e8f9a0b\""))
        #expect(!text.contains("8495A6B7"))
    }

    @Test func encodingIsCompactStableAndSorted() throws {
        let first = try codec.encode(GoldenEnvelopes.runPlanned)
        let second = try codec.encode(GoldenEnvelopes.runPlanned)
        #expect(first == second)
        let text = try #require(String(data: first, encoding: .utf8))
        #expect(!text.contains("\n"))
        #expect(text.hasPrefix(#"{"attempt":1,"causationId":"#))
        #expect(text.contains(#""occurredAt":"2026-03-02T09:14:12.031Z""#))
        #expect(text.contains(#""type":"run.planned","version":1}"#))
    }

    @Test func nilOptionalsAreLeftOut() throws {
        let envelope = Envelope(
            tenant: "acme",
            payload: .runFailed(RunFailed(reason: "no plan"))
        )
        let object = try #require(Fixture.parse(codec.encode(envelope)).objectValue)
        #expect(Set(object.keys) == ["id", "type", "version", "occurredAt", "tenant", "attempt", "payload"])
        #expect(object["payload"] == ["reason": "no plan"])
    }

    @Test func modelRequestDefaultsWhenOptionalFieldsAreAbsent() throws {
        let json = """
            {"id":"1d2e3f40-5162-4738-89a0-b1c2d3e4f506","type":"model.request","version":1,
             "occurredAt":"2026-03-02T09:14:07Z","tenant":"acme",
             "payload":{"alias":"summarizer","messages":[{"role":"user","content":"hi"}]}}
            """
        let decoded = try codec.decode(Data(json.utf8))
        let request = try #require(decoded.payload.as(ModelRequest.self))
        #expect(request.cache == true)
        #expect(request.responseFormat == .text)
        #expect(request.maxTokens == nil)
        #expect(request.messages == [.user("hi")])
    }

    @Test(arguments: [ResponseFormat.text, .jsonObject, .jsonSchema(name: "plan", schema: ["type": "object"])])
    func responseFormatUsesATypeDiscriminator(format: ResponseFormat) throws {
        let encoded = try Fixture.parse(JSONEncoder().encode(format))
        switch format {
        case .text: #expect(encoded == ["type": "text"])
        case .jsonObject: #expect(encoded == ["type": "jsonObject"])
        case .jsonSchema: #expect(encoded == ["type": "jsonSchema", "name": "plan", "schema": ["type": "object"]])
        }
        #expect(try JSONDecoder().decode(ResponseFormat.self, from: JSONEncoder().encode(format)) == format)
    }

    @Test func nonFiniteNumbersCannotBeEncoded() {
        let envelope = Envelope(
            tenant: "acme",
            payload: .stepCompleted(StepCompleted(output: .number(.nan), durationMs: 1, idempotencyKey: "k"))
        )
        #expect(throws: EncodingError.self) { try codec.encode(envelope) }
    }
}
