import Foundation
import Hummingbird

/// `GET /v1/runs/{id}/events`: the run's audit trail as server-sent events, live.
///
/// Each audit entry is one event: `id` its sequence number, `event` its action (`run.planned`,
/// `step.completed`, ...), `data` the entry as JSON (as `GET /v1/runs/{id}/audit` shows it). The
/// stream starts after the `Last-Event-ID` header (or the `after` query parameter), so a client
/// that reconnects misses nothing and sees nothing twice. New entries are picked up every
/// `pollInterval`; a comment line keeps idle connections open. Once the run has ended and its
/// final `run.completed` / `run.failed` entry was sent (or the run ended more than `endGrace` ago
/// without one), an `end` event with the run's status closes the stream.
struct RunEventStream: Sendable {
    let api: IngestAPI
    var pollInterval: Duration = .milliseconds(250)
    var heartbeat: Duration = .seconds(15)
    var endGrace: Duration = .seconds(10)

    /// The response for run `id` (404 for an unknown run, 400 for a bad id or `Last-Event-ID`).
    func response(id text: String, lastEventId: String?, principal: APIPrincipal = .unrestricted) async -> Response {
        let start: (UUID, Int)
        do {
            start = try await open(id: text, lastEventId: lastEventId, principal: principal)
        } catch {
            api.metrics.rejected(error)
            return APIResponse.error(error).response
        }
        let (runId, after) = start
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await stream(runId: runId, after: after, into: &writer)
            try await writer.finish(nil)
        })
    }

    private func open(id text: String, lastEventId: String?, principal: APIPrincipal) async throws(APIError) -> (UUID, Int) {
        let id = try IngestAPI.id(text, of: "run")
        var after = 0
        if let lastEventId, !lastEventId.isEmpty {
            guard let value = Int(lastEventId.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw .invalidRequest("Last-Event-ID must be the sequence number of an event of this stream")
            }
            after = value
        }
        guard let run = try await api.read({ try await api.store.run(id: id) }), principal.covers(run.tenant) else {
            throw .notFound("there is no run \(id.wireString)")
        }
        return (id, after)
    }

    private func stream(runId: UUID, after start: Int, into writer: inout any ResponseBodyWriter) async throws {
        let encoder = APIJSON.encoder
        var after = start
        var sawEnd = false
        var endedAt: ContinuousClock.Instant?
        var lastWrite = ContinuousClock.now
        try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
        while !Task.isCancelled {
            let entries = try await api.store.audit(runId: runId, after: after, limit: 500)
            for entry in entries {
                let data = String(decoding: try encoder.encode(entry), as: UTF8.self)
                try await writer.write(ByteBuffer(string: "id: \(entry.sequence)\nevent: \(entry.action)\ndata: \(data)\n\n"))
                after = entry.sequence
                if entry.action == "run.completed" || entry.action == "run.failed" { sawEnd = true }
                lastWrite = .now
            }
            if entries.count == 500 { continue }
            if let status = try await api.store.runStatus(id: runId), IngestAPI.finishedStatuses.contains(status) {
                let now = ContinuousClock.now
                endedAt = endedAt ?? now
                if sawEnd || (endedAt.map { $0.duration(to: now) >= endGrace } ?? false) {
                    try await writer.write(ByteBuffer(string: "event: end\ndata: {\"status\":\"\(status)\"}\n\n"))
                    return
                }
            }
            if lastWrite.duration(to: .now) >= heartbeat {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastWrite = .now
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
