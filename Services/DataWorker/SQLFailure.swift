import AgentryRuntime
import AgentryStore

/// Maps a store error from a `sql.query` step to the failure the director sees.
///
/// | cause | code | retryable |
/// |---|---|---|
/// | a write in the read-only transaction (SQLSTATE 25006) | `read_only` | no |
/// | the statement timeout (57014) | `statement_timeout` | no |
/// | no connection, lost connection, server shutting down or out of resources (class 08, 53, 57P0x) | `source_unavailable` | yes |
/// | a serialization failure or deadlock (40001, 40P01) | `sql_error` | yes |
/// | any other server error (syntax, unknown table, permission, ...) | `sql_error` | no |
///
/// Messages carry the SQLSTATE and the server's message and hint, never the error's detail (which
/// may quote row values).
enum SQLFailure {
    static func toolFailure(for error: PostgresError, source: String, statementTimeoutMilliseconds: Int) -> ToolFailure {
        switch error.code {
        case .connectionFailed, .connectionLost, .timeout, .poolClosed:
            return ToolFailure(
                code: "source_unavailable", "the data source \"\(source)\" is unavailable: \(error.message)",
                retryable: true)
        case .server:
            let state = error.sqlState ?? ""
            let text = serverText(error)
            switch state {
            case "25006":
                return ToolFailure(
                    code: "read_only", "the data source \"\(source)\" is read-only: \(text)", retryable: false)
            case "57014":
                return ToolFailure(
                    code: "statement_timeout",
                    "the query ran longer than the statement timeout of \(statementTimeoutMilliseconds) ms: \(text)",
                    retryable: false)
            case "40001", "40P01":
                return ToolFailure(code: "sql_error", text, retryable: true)
            case _ where state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P"):
                return ToolFailure(
                    code: "source_unavailable", "the data source \"\(source)\" is unavailable: \(text)", retryable: true)
            default:
                return ToolFailure(code: "sql_error", text, retryable: false)
            }
        case .unsupported:
            return ToolFailure(code: "sql_error", "unsupported statement: \(error.message)", retryable: false)
        case .encoding, .decoding, .connectionReleased, .invalidConfiguration, .migration:
            return ToolFailure(code: "sql_error", error.message, retryable: false)
        }
    }

    /// `SQLSTATE 42P01: relation "x" does not exist (hint: ...)`.
    private static func serverText(_ error: PostgresError) -> String {
        var text = "SQLSTATE \(error.sqlState ?? "?????"): \(error.message)"
        if let hint = error.hint, !hint.isEmpty { text += " (hint: \(hint))" }
        return text
    }
}
