import AgentryContracts
import AgentryHTTP
import Foundation
import Testing

@testable import AgentryIngest

/// `GET /v1/runs/{id}/events` over HTTP: live audit entries as server-sent events, resumable with
/// `Last-Event-ID`, ending with the run.
@Suite struct IngestEventStreamTests {
    static func entry(_ sequence: Int, _ action: String) -> AuditEntryView {
        AuditEntryView(
            sequence: sequence, envelopeId: UUID().wireString, occurredAt: IngestHarness.now, actor: "director",
            action: action, payload: ["sequence": .number(Double(sequence))], hash: "h\(sequence)", previousHash: nil)
    }

    @Test func theStreamFollowsARunToItsEndAndResumesAfterTheLastEventSeen() async throws {
        let harness = IngestHarness(configuration: IngestHTTPTests.configuration())
        var run = IngestAPITests.run()
        run.status = "running"
        harness.store.add(run)
        let runId = try #require(UUID(uuidString: run.id))
        harness.store.add(audit: [Self.entry(1, "run.requested"), Self.entry(2, "run.planned")], of: runId)
        try await IngestHTTPTests.withServer(harness) { base in
            let client = HTTPClient()
            defer { Task { await client.shutdown() } }
            let response = try await client.stream(HTTPRequest(url: "\(base)/v1/runs/\(run.id)/events"))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/event-stream")
            var events = response.body.serverSentEvents().makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first.id == "1" && first.event == "run.requested")
            #expect(try JSONDecoder().decode(AuditEntryView.self, from: Data(first.data.utf8), dates: true).sequence == 1)
            #expect(try await events.next()?.event == "run.planned")
            // Live: what the audit writer adds next arrives, then the end.
            harness.store.add(audit: [Self.entry(3, "step.completed"), Self.entry(4, "run.completed")], of: runId)
            harness.store.setStatus("completed", of: runId)
            #expect(try await events.next()?.id == "3")
            #expect(try await events.next()?.event == "run.completed")
            let end = try #require(try await events.next())
            #expect(end.event == "end")
            #expect(end.data == #"{"status":"completed"}"#)
            #expect(try await events.next() == nil)

            // Reconnecting after event 2 gives 3, 4 and the end: nothing missed, nothing twice.
            var resume = HTTPRequest(url: "\(base)/v1/runs/\(run.id)/events")
            resume.headers.add(name: "Last-Event-ID", value: "2")
            var resumed: [String] = []
            for try await event in try await client.stream(resume).body.serverSentEvents() {
                resumed.append(event.id.map { "\($0):\(event.event)" } ?? event.event)
            }
            #expect(resumed == ["3:step.completed", "4:run.completed", "4:end"])

            // Unknown runs and bad ids are JSON errors.
            let missing = try await client.execute(HTTPRequest(url: "\(base)/v1/runs/\(UUID().wireString)/events"))
            #expect(missing.status == 404)
            var bad = HTTPRequest(url: "\(base)/v1/runs/\(run.id)/events")
            bad.headers.add(name: "Last-Event-ID", value: "yesterday")
            #expect(try await client.execute(bad).status == 400)
        }
    }
}

extension JSONDecoder {
    /// Decodes with RFC 3339 dates, as the API writes them.
    func decode<T: Decodable>(_ type: T.Type, from data: Data, dates: Bool) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not RFC 3339"))
            }
            return date
        }
        return try decoder.decode(type, from: data)
    }
}
