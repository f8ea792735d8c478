import AgentryStore
import AgentryTestSupport
import Foundation
import Testing

extension StoreIntegrationTests {
    /// Every supported type goes to the server as a parameter and comes back decoded.
    @Suite struct Types {
        struct Plan: Codable, Sendable, Equatable {
            let steps: [String]
            let limit: Int
            let due: Date
        }

        enum Status: String, Decodable {
            case pending, running
        }

        struct Record: Decodable {
            let id: UUID
            let status: Status
            let plan: Plan
            let tags: [String]
            let note: String?
            let createdAt: Date
        }

        @Test func scalarsRoundTripThroughTheServer() async throws {
            let text = "it's \"quoted\", back\\slash, ünïcödé ✓, $1, '; DROP TABLE runs; --"
            let id = UUID()
            let date = Date(timeIntervalSince1970: 1_795_222_291.123456)
            let bytes = Data([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff])
            let rows = try await StoreFixture.withClient { client in
                try await client.query("""
                    SELECT \(text) AS text, \(Int.max) AS big, \(Int32.min) AS small, \(Int16(-7)) AS tiny,
                           \(3.25) AS double, \(true) AS yes, \(false) AS no, \(id) AS id, \(date) AS at,
                           \(bytes) AS bytes, \([UInt8](bytes)) AS raw, \(Decimal(string: "1234.567891")!) AS money,
                           \(nil as String?) AS nothing, \(Int?.some(5)) AS some
                    """)
            }
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, column: "text") == text)
            #expect(try row.decode(Int.self, column: "big") == .max)
            #expect(try row.decode(Int32.self, column: "small") == .min)
            #expect(try row.decode(Int16.self, column: "tiny") == -7)
            #expect(try row.decode(Double.self, column: "double") == 3.25)
            #expect(try row.decode(Bool.self, column: "yes"))
            #expect(try !row.decode(Bool.self, column: "no"))
            #expect(try row.decode(UUID.self, column: "id") == id)
            #expect(abs(try row.decode(Date.self, column: "at").timeIntervalSince(date)) < 0.000_001)
            #expect(try row.decode(Data.self, column: "bytes") == bytes)
            #expect(try row.decode([UInt8].self, column: "raw") == [UInt8](bytes))
            #expect(try row.decode(Decimal.self, column: "money") == Decimal(string: "1234.567891"))
            #expect(try row.decode(String?.self, column: "nothing") == nil)
            #expect(try row.decode(Int?.self, column: "some") == 5)
            #expect(rows.columns.map(\.type) == [.text, .int8, .int4, .int2, .float8, .bool, .bool, .uuid,
                                                 .timestamptz, .bytea, .bytea, .numeric, .text, .int8])
        }

        @Test func serverReadsParametersAsIntended() async throws {
            let date = Date(timeIntervalSince1970: 1_795_222_291.123456)
            let withNull: [String?] = ["x", nil]
            let row = try #require(try await StoreFixture.withClient { client in
                try await client.query("""
                    SELECT \(date) = '2026-11-21 00:51:31.123456+00'::timestamptz,
                           \(date)::text,
                           \(Data([0xde, 0xad])) = '\\xdead'::bytea,
                           \(["a", "b c", "NULL", ""]) = ARRAY['a', 'b c', 'NULL', '']::text[],
                           \(withNull) IS NOT DISTINCT FROM ARRAY['x', NULL]::text[],
                           \(PostgresJSON(["k": [1, 2]]))->'k'->>1,
                           \(Int.max) = 9223372036854775807
                    """)
            }.first)
            #expect(try row.decode(Bool.self, at: 0))
            #expect(try row.decode(String.self, at: 1) == "2026-11-21 00:51:31.123456+00")
            #expect(try row.decode(Bool.self, at: 2))
            #expect(try row.decode(Bool.self, at: 3))
            #expect(try row.decode(Bool.self, at: 4))
            #expect(try row.decode(String.self, at: 5) == "2")
            #expect(try row.decode(Bool.self, at: 6))
        }

        @Test func arraysJSONAndNullsRoundTrip() async throws {
            let strings = ["plain", "with space", "", "NULL", "quote\"", "back\\slash", "{brace}", "comma,", "ü"]
            let ints = [Int.min, -1, 0, 1, Int.max]
            let ids = [UUID(), UUID()]
            let withNulls: [String?] = ["a", nil, "NULL", nil]
            let plan = Plan(steps: ["fetch", "summarise"], limit: 3, due: Date(timeIntervalSince1970: 1_795_222_291.5))
            let raw = PostgresRawJSON(#"{"b": [1, 2], "a": null}"#)
            let row = try #require(try await StoreFixture.withClient { client in
                try await client.query("""
                    SELECT \(strings) AS strings, \(ints) AS ints, \(ids) AS ids, \(withNulls) AS with_nulls,
                           \([String]()) AS empty, \(PostgresJSON(plan)) AS plan, \(raw) AS raw,
                           ARRAY[1, NULL, 3]::int4[] AS server_ints, '{"x y",NULL,"\\\\"}'::text[] AS server_strings
                    """)
            }.first)
            #expect(try row.decode([String].self, column: "strings") == strings)
            #expect(try row.decode([Int].self, column: "ints") == ints)
            #expect(try row.decode([UUID].self, column: "ids") == ids)
            #expect(try row.decode([String?].self, column: "with_nulls") == withNulls)
            #expect(try row.decode([String].self, column: "empty") == [])
            #expect(try row.decode(PostgresJSON<Plan>.self, column: "plan").value == plan)
            #expect(try row.decodeJSON(Plan.self, column: "plan") == plan)
            #expect(try row.decode(PostgresRawJSON.self, column: "raw").text == #"{"a": null, "b": [1, 2]}"#)
            #expect(try row.decode([Int32?].self, column: "server_ints") == [1, nil, 3])
            #expect(try row.decode([String?].self, column: "server_strings") == ["x y", nil, "\\"])
            #expect(throws: PostgresError.self) { try row.decode([Int32].self, column: "server_ints") }
        }

        @Test func rowsDecodeAsTuplesAndRecords() async throws {
            let id = UUID()
            let plan = Plan(steps: ["a"], limit: 1, due: Date(timeIntervalSince1970: 0))
            let rows = try await StoreFixture.withClient { client in
                try await client.query("""
                    SELECT \(id) AS id, 'running' AS status, \(PostgresJSON(plan)) AS plan, \(["x", "y"]) AS tags,
                           NULL::text AS note, '2026-11-21 00:51:31+00'::timestamptz AS created_at
                    UNION ALL
                    SELECT gen_random_uuid(), 'pending', '{"steps":[],"limit":0,"due":"2026-01-01T00:00:00Z"}'::jsonb,
                           '{}', 'n', now()
                    """)
            }
            #expect(rows.count == 2)
            let (firstID, status) = try rows[0].decode((UUID, String).self)
            #expect(firstID == id)
            #expect(status == "running")
            let records = try rows.map { try $0.decodeRecord(Record.self, naming: .snakeCase) }
            #expect(records[0].id == id)
            #expect(records[0].status == .running)
            #expect(records[0].plan == plan)
            #expect(records[0].tags == ["x", "y"])
            #expect(records[0].note == nil)
            #expect(records[0].createdAt == Date(timeIntervalSince1970: 1_795_222_291))
            #expect(records[1].status == .pending)
            #expect(records[1].note == "n")
        }

        @Test func sessionsUseUTCAndISODates() async throws {
            let row = try #require(try await StoreFixture.withClient { client in
                try await client.query("""
                    SELECT current_setting('TimeZone'), current_setting('DateStyle'),
                           current_setting('application_name'), '2026-11-21 00:51:31.5+02'::timestamptz::text
                    """)
            }.first)
            let (zone, style, name, text) = try row.decode((String, String, String, String).self)
            #expect(zone == "UTC")
            #expect(style.hasPrefix("ISO"))
            #expect(name == "agentry-store-tests")
            #expect(text == "2026-11-20 22:51:31.5+00")
        }
    }
}
