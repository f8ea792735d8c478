import AgentryContracts

extension OfflinePlanner {
    /// First words of the statements the data worker can run (it runs them read-only).
    static let readStatements: Set<String> = ["select", "with", "values", "table", "show", "explain"]
    /// First words of statements that change data or schema, refused with a clear error.
    static let writeStatements: Set<String> = [
        "insert", "update", "delete", "merge", "drop", "alter", "create", "truncate", "grant", "revoke", "copy", "call",
        "do", "set", "reset", "vacuum", "analyze", "reindex", "cluster", "comment", "lock", "refresh", "begin", "commit",
        "rollback",
    ]
    private static let queryLeadWords: Set<String> = ["run", "execute", "this", "the", "following", "a", "my"]

    /// `query: SELECT …`, `sql: …`, `query on <source>: …`, `run this query: …`, or a request that is
    /// itself a `SELECT` or `WITH` statement: one read-only `sql.query` step. Everything after the
    /// `:` is the SQL.
    func queryProducer(_ text: RequestText) throws(PlannerError) -> Producer? {
        let tokens = text.tokens
        guard let first = tokens.first else { return nil }
        // A bare statement: `SELECT … FROM …` (or a two-word `SELECT 1`), `WITH x AS (…) …`.
        let isSelect = first.lower == "select" && (tokens.count == 2 || text.contains(anyOf: ["from"]))
        let isWith = first.lower == "with" && tokens.count > 3
            && (tokens[2].lower == "as" || tokens[1].lower == "recursive" || tokens[2].raw.lowercased().hasPrefix("as("))
        if isSelect || isWith { return try Self.queryProducer(sql: text.text, source: nil) }
        var index = 0
        while index < tokens.count, Self.queryLeadWords.contains(tokens[index].lower) { index += 1 }
        guard index < tokens.count, tokens[index].lower == "query" || tokens[index].lower == "sql" else { return nil }
        var source: String?
        var sqlStart = index
        if index + 2 < tokens.count, tokens[index + 1].lower == "on" || tokens[index + 1].lower == "against" {
            let name = tokens[index + 2].core
            if !name.isEmpty, name.count <= 64,
               name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            {
                source = String(name)
                sqlStart = index + 2
            }
        }
        var sql = text.text[tokens[sqlStart].range.upperBound...]
        if tokens[sqlStart].raw.last != ":" {
            sql = sql.drop { $0.isWhitespace }
            guard sql.first == ":" else {
                // `query select …` without a colon still counts when a statement follows.
                let statement = RequestText(String(sql)).tokens.first?.lower ?? ""
                guard Self.readStatements.contains(statement) || Self.writeStatements.contains(statement) else {
                    return nil
                }
                return try Self.queryProducer(sql: String(sql), source: source)
            }
            sql = sql.dropFirst()
        }
        var statement = sql.trimmingWhitespace()
        if let fence = Fence.first(in: statement), fence.outside.isEmpty { statement = fence.content }
        let keyword = RequestText(statement).tokens.first?.lower ?? ""
        guard Self.readStatements.contains(keyword) || Self.writeStatements.contains(keyword) else { return nil }
        return try Self.queryProducer(sql: statement, source: source)
    }

    /// The `sql.query` step for `sql` on `source` (the data worker's default when `nil`).
    static func queryProducer(sql: String, source: String?) throws(PlannerError) -> Producer {
        let statement = sql.trimmingWhitespace()
        guard let keyword = RequestText(statement).tokens.first?.lower else {
            throw PlannerError(.notUnderstood, "the query is empty")
        }
        if writeStatements.contains(keyword) || !readStatements.contains(keyword) {
            throw PlannerError(
                .unsupported,
                "the data worker runs read-only queries (SELECT, WITH, VALUES, TABLE, SHOW, EXPLAIN); "
                    + "a statement starting with \(keyword.uppercased()) cannot run")
        }
        var input: [String: JSONValue] = ["sql": .string(statement)]
        if let source { input["source"] = .string(source) }
        let step = PlanStep(
            id: "query", specialist: .data, tool: "sql.query", input: .object(input), risk: .low,
            limits: StepLimits(timeoutSeconds: 60, maxAttempts: 3),
            description: "Run a read-only query on the \(source.map { "\"\($0)\"" } ?? "default") data source")
        return Producer(step: step, title: "Query result", result: Producer.reference("query", "text"), layout: .block)
    }
}
