@testable import AgentryDataWorker
import AgentryContracts
import AgentryStore
import Foundation
import Testing

/// Reading `AGENTRY_DATA_SOURCES` and the per-source URL variables.
@Suite struct DataWorkerSourceParsingTests {
    func names(_ environment: [String: String]) throws -> [String] {
        try DataSourceDefinition.parse(environment: environment).map(\.name)
    }

    func error(_ environment: [String: String]) -> String? {
        do {
            _ = try DataSourceDefinition.parse(environment: environment)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aListOfNamedURLs() throws {
        let sources = try DataSourceDefinition.parse(environment: [
            "AGENTRY_DATA_SOURCES":
                " default=postgres://reader:s3cret@db:5432/app , analytics=postgresql://warehouse/dw?sslmode=require",
        ])
        #expect(sources.map(\.name) == ["default", "analytics"])
        #expect(sources[0].configuration.host == "db")
        #expect(sources[0].configuration.user == "reader")
        #expect(sources[0].configuration.password == "s3cret")
        #expect(sources[0].configuration.database == "app")
        #expect(sources[1].configuration.sslMode == .require)
        #expect(sources[1].origin == "AGENTRY_DATA_SOURCES")
    }

    @Test func bareNamesTakeTheirURLFromTheirOwnVariableOrFile() throws {
        let file = NSTemporaryDirectory() + "/agentry-source-\(UUID().uuidString)"
        try "postgres://reader:from-file@files/db\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let sources = try DataSourceDefinition.parse(environment: [
            "AGENTRY_DATA_SOURCES": "default,Sales-EU",
            "AGENTRY_DATA_SOURCE_DEFAULT_URL": "postgres://one/db1",
            "AGENTRY_DATA_SOURCE_SALES_EU_URL_FILE": file,
        ])
        #expect(sources.map(\.name) == ["default", "sales-eu"])
        #expect(sources[0].configuration.host == "one")
        #expect(sources[1].configuration.password == "from-file")
        #expect(sources[1].origin == "AGENTRY_DATA_SOURCE_SALES_EU_URL")
    }

    @Test func withoutAListTheURLVariablesDeclareTheSources() throws {
        // An empty file counts as unset, so the source it declares has no URL.
        let empty = NSTemporaryDirectory() + "/agentry-empty-\(UUID().uuidString)"
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(error(["AGENTRY_DATA_SOURCE_WAREHOUSE_URL_FILE": empty])?
            .hasPrefix("AGENTRY_DATA_SOURCE_WAREHOUSE_URL: the data source \"warehouse\" has no URL") == true)
        #expect(try names(["AGENTRY_DATA_SOURCE_DEFAULT_URL": "postgres://one/db",
                           "AGENTRY_DATA_SOURCE_REPORTS_URL": "postgres://two/db"]) == ["default", "reports"])
        #expect(try names([:]).isEmpty)
        #expect(try names(["AGENTRY_DATA_SOURCE_DEFAULT_URL": ""]).isEmpty)
    }

    @Test func commasInsideAURLAreKept() throws {
        let sources = try DataSourceDefinition.parse(environment: [
            "AGENTRY_DATA_SOURCES": "default=postgres://u:pa,ss@db/app,other=postgres://h/x,",
        ])
        #expect(sources.map(\.name) == ["default", "other"])
        #expect(sources[0].configuration.password == "pa,ss")
    }

    @Test(arguments: [
        (["AGENTRY_DATA_SOURCES": "default=postgres://a/b,default=postgres://c/d"], "listed twice"),
        (["AGENTRY_DATA_SOURCES": "reports"], "AGENTRY_DATA_SOURCE_REPORTS_URL: the data source \"reports\" has no URL"),
        (["AGENTRY_DATA_SOURCES": "default=mysql://a/b"], "AGENTRY_DATA_SOURCES: expected name=postgres://"),
        (["AGENTRY_DATA_SOURCES": "bad name=postgres://a/b"], "AGENTRY_DATA_SOURCES: expected"),
        (["AGENTRY_DATA_SOURCES": "x=postgres://a/b", "AGENTRY_DATA_SOURCE_X_URL": "postgres://c/d"], "both"),
        (["AGENTRY_DATA_SOURCES": "default=postgres://u:secret@db:notaport/app"], "not a valid PostgreSQL URL"),
    ])
    func mistakesNameTheVariableAndNeverTheURL(environment: [String: String], message: String) {
        let description = error(environment)
        #expect(description?.contains(message) == true, "\(description ?? "no error")")
        #expect(description?.contains("secret") != true)
    }

    @Test func perSourceVariableNames() {
        #expect(DataSourceDefinition.urlVariable(for: "default") == "AGENTRY_DATA_SOURCE_DEFAULT_URL")
        #expect(DataSourceDefinition.urlVariable(for: "sales-eu") == "AGENTRY_DATA_SOURCE_SALES_EU_URL")
    }

    @Test func theWorkerSettingsHaveDefaultsAndRanges() throws {
        let defaults = try DataWorkerConfiguration(environment: [:])
        #expect(defaults.statementTimeoutMilliseconds == 5_000)
        #expect(defaults.maxRows == 1_000)
        #expect(defaults.poolSize == 4)
        let tuned = try DataWorkerConfiguration(environment: [
            "AGENTRY_DATA_STATEMENT_TIMEOUT_MS": "250", "AGENTRY_DATA_MAX_ROWS": "10", "AGENTRY_DATA_POOL_SIZE": "2",
            "AGENTRY_DATA_TEXT_MAX_ROWS": "5", "AGENTRY_DATA_TEXT_MAX_CELL_WIDTH": "12",
        ])
        #expect(tuned.statementTimeoutMilliseconds == 250 && tuned.maxRows == 10 && tuned.poolSize == 2)
        #expect(tuned.textMaxRows == 5 && tuned.textMaxCellWidth == 12)
        #expect(throws: (any Error).self) { try DataWorkerConfiguration(environment: ["AGENTRY_DATA_MAX_ROWS": "0"]) }
    }
}

/// Cells to JSON by column type.
@Suite struct DataWorkerValueTests {
    @Test func numbers() {
        #expect(SQLValue.json("42", type: .int4) == 42)
        #expect(SQLValue.json("-7", type: .int2) == -7)
        #expect(SQLValue.json("9007199254740992", type: .int8) == .number(9_007_199_254_740_992))
        #expect(SQLValue.json("9007199254740993", type: .int8) == "9007199254740993")
        #expect(SQLValue.json("1.5", type: .float8) == 1.5)
        #expect(SQLValue.json("NaN", type: .float8) == "NaN")
        #expect(SQLValue.json("-Infinity", type: .float4) == "-Infinity")
        #expect(SQLValue.json("1234.50", type: .numeric) == 1234.5)
        #expect(SQLValue.json("0.000000000000001", type: .numeric) == 0.000000000000001)
        #expect(SQLValue.json("12345678901234567890.5", type: .numeric) == "12345678901234567890.5")
        #expect(SQLValue.json("NaN", type: .numeric) == "NaN")
    }

    @Test func significantDigits() {
        #expect(SQLValue.significantDigits("-0012.3400") == 4)
        #expect(SQLValue.significantDigits("1000000") == 1)
        #expect(SQLValue.significantDigits("0") == 0)
        #expect(SQLValue.significantDigits("1e5") == nil)
        #expect(SQLValue.significantDigits("") == nil)
    }

    @Test func otherTypes() {
        #expect(SQLValue.json("t", type: .bool) == true)
        #expect(SQLValue.json("f", type: .bool) == false)
        #expect(SQLValue.json(nil, type: .int4) == .null)
        #expect(SQLValue.json("hello", type: .text) == "hello")
        #expect(SQLValue.json("hi", type: .varchar) == "hi")
        #expect(SQLValue.json(#"{"a": [1, "x", null], "b": {"c": true}}"#, type: .jsonb)
                == ["a": [1, "x", .null], "b": ["c": true]])
        #expect(SQLValue.json("3", type: .json) == 3)
        #expect(SQLValue.json("{1,2,3}", type: .int4Array) == "{1,2,3}")
        #expect(SQLValue.json("a3bb9b2e-1111-4c4c-8a8a-0123456789ab", type: .uuid) == "a3bb9b2e-1111-4c4c-8a8a-0123456789ab")
        #expect(SQLValue.json("2026-03-02", type: .date) == "2026-03-02")
    }

    @Test func timestampsBecomeRFC3339() {
        #expect(SQLValue.json("2026-03-02 09:14:07.215+00", type: .timestamptz) == "2026-03-02T09:14:07.215Z")
        #expect(SQLValue.json("2026-03-02 09:14:07+00", type: .timestamptz) == "2026-03-02T09:14:07Z")
        #expect(SQLValue.json("2026-03-02 09:14:07+05:30", type: .timestamptz) == "2026-03-02T09:14:07+05:30")
        #expect(SQLValue.json("2026-03-02 09:14:07-03", type: .timestamptz) == "2026-03-02T09:14:07-03:00")
        #expect(SQLValue.json("2026-03-02 09:14:07.5", type: .timestamp) == "2026-03-02T09:14:07.5")
        #expect(SQLValue.json("infinity", type: .timestamptz) == "infinity")
        #expect(SQLValue.json("0044-03-15 12:00:00+00 BC", type: .timestamptz) == "0044-03-15 12:00:00+00 BC")
        #expect(SQLValue.json("1900-01-01 00:00:00+00:19:32", type: .timestamptz) == "1900-01-01 00:00:00+00:19:32")
    }

    @Test func duplicateColumnNamesAreMadeUnique() {
        #expect(QueryResult.uniqueNames(["id", "name", "id", "id_2", "id"]) == ["id", "name", "id_3", "id_2", "id_4"])
        #expect(QueryResult.uniqueNames(["?column?", "?column?"]) == ["?column?", "?column?_2"])
    }

    @Test func theOutputHasColumnsRowsCountAndText() {
        let result = QueryResult(
            columns: [.init(name: "id", type: .int4), .init(name: "note", type: .text), .init(name: "ok", type: .bool)],
            rows: [["1", "first", "t"], ["2", nil, "f"]], truncated: false)
        let output = result.json(table: TextTable(maxRows: 50, maxCellWidth: 40))
        #expect(output["columns"] == ["id", "note", "ok"])
        #expect(output["rows"] == [["id": 1, "note": "first", "ok": true], ["id": 2, "note": .null, "ok": false]])
        #expect(output["rowCount"] == 2)
        #expect(output["truncated"] == false)
        #expect(output["text"] == """
            id | note  | ok
            ---+-------+------
             1 | first | true
             2 |       | false
            (2 rows)
            """)
    }
}

/// The plain-text table.
@Suite struct DataWorkerTextTableTests {
    let table = TextTable(maxRows: 3, maxCellWidth: 10)

    @Test func columnsAreAsWideAsTheirWidestCellAndNumbersAlignRight() {
        let text = table.render(
            headers: ["name", "amount"], rightAligned: [false, true],
            rows: [["alpha", "12.50"], ["b", "1000.00"]], truncated: false)
        #expect(text == """
            name  |  amount
            ------+--------
            alpha |   12.50
            b     | 1000.00
            (2 rows)
            """)
    }

    @Test func longCellsAreEllipsisedAndLineBreaksShown() {
        let text = table.render(
            headers: ["description"], rightAligned: [false],
            rows: [["a very long description indeed"], ["two\nlines\r\nhere"], ["tab\there"]], truncated: false)
        #expect(text == """
            descripti…
            ----------
            a very lo…
            two↵lines…
            tab here
            (3 rows)
            """)
    }

    @Test func theFooterSaysWhatWasLeftOut() {
        let rows = (1...5).map { ["\($0)"] }
        #expect(table.render(headers: ["n"], rightAligned: [true], rows: rows, truncated: true).hasSuffix("""
            3
            (first 3 of 5 rows shown; the query returned more, cut at the row limit)
            """))
        #expect(table.render(headers: ["n"], rightAligned: [true], rows: [["1"]], truncated: false).hasSuffix("(1 row)"))
        #expect(table.render(headers: ["n"], rightAligned: [true], rows: [], truncated: false) == "n\n-\n(0 rows)")
        #expect(table.render(headers: [], rightAligned: [], rows: [], truncated: false) == "(0 rows)")
    }
}
