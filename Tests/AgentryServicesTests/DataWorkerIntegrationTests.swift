@testable import AgentryDataWorker
import AgentryBus
import AgentryContracts
import AgentryRuntime
import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

/// `sql.query` against the real PostgreSQL of the dev stack, in a database of its own.
///
/// These live with the unit tests because the integration-test target cannot import the
/// executable module; they are guarded the same way (`TestStack.isEnabled`).
@Suite(.enabled(if: TestStack.isEnabled, "needs the database started by scripts/test"))
struct DataWorkerIntegrationTests {
    @Test func columnTypesBecomeJSON() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            try await DataWorkerFixture.withTool(["default": database]) { tool in
                let output = try await tool.run(DataWorkerFixture.request("""
                    SELECT 1::int2 AS small, 2::int4 AS regular, 9007199254740993::int8 AS huge, 1.5::float8 AS ratio,
                           'NaN'::float4 AS nan, 12.30::numeric AS price, true AS yes, 'x'::text AS label,
                           'y'::varchar(5) AS short, '{"a": [1, null]}'::jsonb AS doc, '[true]'::json AS raw,
                           '2026-03-02 09:14:07.215+00'::timestamptz AS at, '2026-03-02 09:14:07'::timestamp AS local,
                           '2026-03-02'::date AS day, 'a3bb9b2e-1111-4c4c-8a8a-0123456789ab'::uuid AS id,
                           NULL::text AS nothing, ARRAY[1, 2] AS list, interval '90 minutes' AS span
                    """))
                let row = try #require(output["rows"]?[0])
                #expect(row == [
                    "small": 1, "regular": 2, "huge": "9007199254740993", "ratio": 1.5, "nan": "NaN", "price": 12.3,
                    "yes": true, "label": "x", "short": "y", "doc": ["a": [1, .null]], "raw": [true],
                    "at": "2026-03-02T09:14:07.215Z", "local": "2026-03-02T09:14:07", "day": "2026-03-02",
                    "id": "a3bb9b2e-1111-4c4c-8a8a-0123456789ab", "nothing": .null, "list": "{1,2}", "span": "PT1H30M",
                ])
                #expect(output["columns"]?.arrayValue?.count == 18)
                #expect(output["rowCount"] == 1)
                #expect(output["truncated"] == false)
            }
        }
    }

    @Test func aTableComesBackWithRowsAndText() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            try await DataWorkerFixture.withTool(["default": database]) { tool in
                let output = try await tool.run(DataWorkerFixture.request(
                    "-- the newest first\nSELECT id, customer, amount FROM orders ORDER BY placed_at DESC; "))
                #expect(output["columns"] == ["id", "customer", "amount"])
                #expect(output["rows"] == [
                    ["id": 3, "customer": "Linus", "amount": 9.99],
                    ["id": 2, "customer": "Grace", "amount": .null],
                    ["id": 1, "customer": "Ada", "amount": 120.5],
                ])
                #expect(output["text"] == """
                    id | customer | amount
                    ---+----------+-------
                     3 | Linus    |   9.99
                     2 | Grace    |
                     1 | Ada      | 120.50
                    (3 rows)
                    """)
            }
        }
    }

    @Test func theRowCapTruncatesAndKeepsTheQuerysOrder() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            try await DataWorkerFixture.withTool(["default": database], maxRows: 10) { tool in
                let many = try await tool.run(DataWorkerFixture.request(
                    "SELECT n FROM generate_series(1, 1000000) AS n ORDER BY n DESC"))
                #expect(many["rowCount"] == 10)
                #expect(many["truncated"] == true)
                #expect(many["rows"]?[0] == ["n": 1_000_000])
                #expect(many["rows"]?[9] == ["n": 999_991])
                let footer = "(10 rows; the query returned more, cut at the row limit)"
                #expect(many["text"]?.stringValue?.hasSuffix(footer) == true)
                let exact = try await tool.run(DataWorkerFixture.request("SELECT n FROM generate_series(1, 10) AS n"))
                #expect(exact["rowCount"] == 10)
                #expect(exact["truncated"] == false)
                let duplicated = try await tool.run(DataWorkerFixture.request(
                    "SELECT a.id, b.id FROM orders a JOIN orders b ON b.id = a.id + 1 ORDER BY a.id"))
                #expect(duplicated["columns"] == ["id", "id_2"])
                #expect(duplicated["rows"] == [["id": 1, "id_2": 2], ["id": 2, "id_2": 3]])
            }
        }
    }

    @Test func theStatementTimeoutStopsASlowQuery() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            try await DataWorkerFixture.withTool(["default": database], statementTimeoutMilliseconds: 1_000) { tool in
                let started = ContinuousClock.now
                let failure = try await DataWorkerFixture.failure {
                    try await tool.run(DataWorkerFixture.request("SELECT pg_sleep(120)"))
                }
                #expect(failure.code == "statement_timeout")
                #expect(!failure.retryable)
                #expect(failure.message.contains("1000 ms"))
                // Far below pg_sleep(120): the statement timeout ended it (loose for loaded CI machines).
                #expect(started.duration(to: .now) < .seconds(60))
                // The same (only) connection answers the next query at once.
                let next = try await tool.run(DataWorkerFixture.request("SHOW statement_timeout"))
                #expect(next["rows"] == [["statement_timeout": "1s"]])
            }
        }
    }

    @Test(arguments: [
        "INSERT INTO orders VALUES (4, 'Eve', 1, now(), NULL)",
        "UPDATE orders SET amount = 0",
        "DELETE FROM orders",
        "WITH gone AS (DELETE FROM orders RETURNING id) SELECT * FROM gone",
        "SELECT * INTO stolen FROM orders",
        "CREATE TABLE stolen (id int)",
        "SELECT nextval('invoice_numbers')",
        "SELECT id FROM orders FOR UPDATE",
        "TRUNCATE orders",
    ])
    func writesAreRefusedAsReadOnly(sql: String) async throws {
        try await DataWorkerFixture.withDatabase { owner, database in
            try await DataWorkerFixture.withTool(["default": database]) { tool in
                let failure = try await DataWorkerFixture.failure { try await tool.run(DataWorkerFixture.request(sql)) }
                #expect(failure.code == "read_only", "\(failure)")
                #expect(!failure.retryable)
                #expect(failure.message.contains("25006"))
                let rows = try await owner.query("SELECT count(*)::int, sum(amount)::text FROM orders")
                let (count, sum) = try #require(rows.first).decode((Int, String?).self)
                #expect(count == 3 && sum == "130.49")
                let tables = try await owner.query("SELECT count(*)::int FROM pg_tables WHERE tablename = 'stolen'")
                #expect(try tables.first?.decode(Int.self, at: 0) == 0)
            }
        }
    }

    @Test(arguments: ["SELECT 1; DELETE FROM orders", "COMMIT; DELETE FROM orders", "SELECT 1; SELECT 2"])
    func onlyOneStatementRuns(sql: String) async throws {
        try await DataWorkerFixture.withDatabase { owner, database in
            try await DataWorkerFixture.withTool(["default": database]) { tool in
                let failure = try await DataWorkerFixture.failure { try await tool.run(DataWorkerFixture.request(sql)) }
                #expect(failure.code == "sql_error")
                #expect(failure.message.contains("42601"))
                let count = try await owner.query("SELECT count(*)::int FROM orders").first?.decode(Int.self, at: 0)
                #expect(count == 3)
            }
        }
    }

    @Test func sqlErrorsCarryTheirSQLSTATE() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            try await DataWorkerFixture.withTool(["default": database]) { tool in
                let missing = try await DataWorkerFixture.failure {
                    try await tool.run(DataWorkerFixture.request("SELECT * FROM invoices"))
                }
                #expect(missing.code == "sql_error")
                #expect(!missing.retryable)
                #expect(missing.message.hasPrefix("SQLSTATE 42P01: relation \"invoices\" does not exist"))
                let syntax = try await DataWorkerFixture.failure {
                    try await tool.run(DataWorkerFixture.request("SELEC id FROM orders"))
                }
                #expect(syntax.message.hasPrefix("SQLSTATE 42601: syntax error at or near \"SELEC\""))
                let division = try await DataWorkerFixture.failure {
                    try await tool.run(DataWorkerFixture.request("SELECT id / 0 FROM orders"))
                }
                #expect(division.message.hasPrefix("SQLSTATE 22012"))
            }
        }
    }

    @Test func statementsThatAreNotQueriesStillAnswer() async throws {
        try await DataWorkerFixture.withDatabase { _, database in
            try await DataWorkerFixture.withTool(["default": database]) { tool in
                let plan = try await tool.run(DataWorkerFixture.request("EXPLAIN SELECT * FROM orders WHERE id = 1"))
                #expect(plan["columns"] == ["QUERY PLAN"])
                #expect((plan["rowCount"]?.intValue ?? 0) >= 1)
                let values = try await tool.run(DataWorkerFixture.request("VALUES (1, 'a'), (2, 'b')"))
                #expect(values["rows"] == [["column1": 1, "column2": "a"], ["column1": 2, "column2": "b"]])
            }
        }
    }

    @Test func eachQueryStartsWithACleanSession() async throws {
        try await DataWorkerFixture.withDatabase { owner, database in
            try await DataWorkerFixture.withTool(["default": database], poolSize: 1) { tool in
                let defaultPath = try await tool.run(DataWorkerFixture.request("SHOW search_path"))["rows"]
                _ = try await tool.run(DataWorkerFixture.request("SELECT set_config('search_path', 'nowhere', false)"))
                #expect(try await tool.run(DataWorkerFixture.request("SHOW search_path"))["rows"] == defaultPath)
                // A session-level advisory lock survives ROLLBACK; DISCARD ALL releases it.
                _ = try await tool.run(DataWorkerFixture.request("SELECT pg_advisory_lock(4242)"))
                let free = try await owner.query("SELECT pg_try_advisory_lock(4242)").first?.decode(Bool.self, at: 0)
                #expect(free == true)
                try await owner.execute("SELECT pg_advisory_unlock_all()")
                _ = try await tool.run(DataWorkerFixture.request("PREPARE leftover AS SELECT 1"))
                let stale = try await DataWorkerFixture.failure {
                    try await tool.run(DataWorkerFixture.request("EXECUTE leftover"))
                }
                #expect(stale.message.hasPrefix("SQLSTATE 26000"))
            }
        }
    }

    @Test func anUnknownSourceNamesTheKnownOnes() async throws {
        let database = try DataWorkerFixture.stackConfiguration()
        try await DataWorkerFixture.withTool(["default": database, "reports": database]) { tool in
            let failure = try await DataWorkerFixture.failure {
                try await tool.run(DataWorkerFixture.request("SELECT 1", source: "warehouse"))
            }
            #expect(failure.code == "unknown_source")
            #expect(!failure.retryable)
            #expect(failure.message == "no data source is named \"warehouse\" (known: default, reports)")
            let named = try await tool.run(DataWorkerFixture.request("SELECT 1 AS one", source: "Reports"))
            #expect(named["rows"] == [["one": 1]])
        }
    }

    @Test func anUnreachableSourceIsARetryableFailure() async throws {
        var unreachable = try DataWorkerFixture.stackConfiguration()
        unreachable.host = "127.0.0.1"
        unreachable.port = 1
        unreachable.checkoutTimeout = .seconds(2)
        try await DataWorkerFixture.withTool(["default": unreachable]) { tool in
            let started = ContinuousClock.now
            let failure = try await DataWorkerFixture.failure { try await tool.run(DataWorkerFixture.request("SELECT 1")) }
            #expect(failure.code == "source_unavailable")
            #expect(failure.retryable)
            // Bounded by the two-second checkout wait (loose: a loaded machine holds the test back).
            #expect(started.duration(to: .now) < .seconds(60))
        }
    }
}
