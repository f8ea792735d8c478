import AgentryContracts
import AgentryStore
import Foundation
import Logging

/// Reads runs and steps from PostgreSQL (`runs`, `steps`).
struct PostgresNotifierRunStore: NotifierRunStore {
    let store: PostgresClient
    let logger: Logger

    func run(_ id: UUID) async throws -> NotifierRun? {
        let rows = try await store.query("""
            SELECT id, tenant, source, request, status, source_reference::text AS source_reference
            FROM runs WHERE id = \(id)
            """)
        guard let row = rows.first else { return nil }
        var reference: SourceReference?
        if let text = try row.decode(String?.self, column: "source_reference") {
            do {
                reference = try JSONDecoder().decode(SourceReference?.self, from: Data(text.utf8))
            } catch {
                // An unreadable reference must not block the notification: answer in the capture.
                logger.warning("run's source reference is unreadable; notifying the capture only", metadata: [
                    "run.id": "\(id.uuidString.lowercased())", "error.message": "\(error)",
                ])
            }
        }
        return NotifierRun(
            id: try row.decode(UUID.self, column: "id"),
            tenant: try row.decode(String.self, column: "tenant"),
            source: try row.decode(String.self, column: "source"),
            sourceReference: reference,
            request: try row.decode(String.self, column: "request"),
            status: try row.decode(String.self, column: "status"))
    }

    func step(runId: UUID, stepId: String) async throws -> NotifierStep? {
        let rows = try await store.query("""
            SELECT step_id, specialist, tool, description, input::text AS input, error
            FROM steps WHERE run_id = \(runId) AND step_id = \(stepId)
            """)
        guard let row = rows.first else { return nil }
        let input = try row.decode(String?.self, column: "input").flatMap {
            try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        }
        return NotifierStep(
            id: try row.decode(String.self, column: "step_id"),
            specialist: try row.decode(String.self, column: "specialist"),
            tool: try row.decode(String.self, column: "tool"),
            description: try row.decode(String?.self, column: "description"),
            input: input,
            error: try row.decode(String?.self, column: "error"))
    }
}
