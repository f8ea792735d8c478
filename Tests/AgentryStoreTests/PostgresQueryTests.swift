import Foundation
import Testing
@testable import AgentryStore

@Suite struct PostgresQueryTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let tenant = "acme"
        let limit = 10
        let id = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
        let query: PostgresQuery = "SELECT * FROM runs WHERE tenant = \(tenant) AND id = \(id) LIMIT \(limit)"
        #expect(query.sql == "SELECT * FROM runs WHERE tenant = $1 AND id = $2 LIMIT $3")
        #expect(query.binds.values == ["acme", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "10"])
        #expect(query.binds.types == [.text, .uuid, .int8])
        #expect(query.binds.types.map(\.rawValue) == [25, 2950, 20])
    }

    @Test func injectionAttemptsStayParameters() {
        let hostile = "x'; DROP TABLE runs; --"
        let alsoHostile = "$1 OR 1=1"
        let query: PostgresQuery = "SELECT 1 FROM runs WHERE tenant = \(hostile) AND source = \(alsoHostile)"
        #expect(query.sql == "SELECT 1 FROM runs WHERE tenant = $1 AND source = $2")
        #expect(!query.sql.contains("DROP"))
        #expect(query.binds.values == [hostile, alsoHostile])
    }

    @Test func everyScalarTypeHasItsOID() {
        let date = Date(timeIntervalSince1970: 1_795_222_291.123456)
        let query: PostgresQuery = """
            SELECT \(Int32(7)), \(Int64(8)), \(1.5), \(true), \(false), \(date), \(Data([0xde, 0xad])), \
            \([UInt8]([1, 2])), \(Decimal(string: "12.50")!), \(Int16(3))
            """
        #expect(query.binds.types == [.int4, .int8, .float8, .bool, .bool, .timestamptz, .bytea, .bytea, .numeric,
                                      .int2])
        #expect(query.binds.values == ["7", "8", "1.5", "t", "f", "2026-11-21T00:51:31.123456Z", "\\xdead", "\\x0102",
                                       "12.5", "3"])
    }

    @Test func optionalNilBindsNullWithTheWrappedType() {
        let missing: String? = nil
        let present: Int? = 4
        let query: PostgresQuery = "UPDATE runs SET error = \(missing), version = \(present)"
        #expect(query.sql == "UPDATE runs SET error = $1, version = $2")
        #expect(query.binds.values == [nil, "4"])
        #expect(query.binds.types == [.text, .int8])
    }

    @Test func arraysBindAsArrayLiteralsWithArrayTypes() {
        let tags = ["a", "b c", "", "NULL", "q\"uote", "back\\slash"]
        let ids = [UUID(uuidString: "00000000-0000-0000-0000-000000000001")!]
        let optionals: [String?] = ["x", nil]
        let query: PostgresQuery = "SELECT \(tags), \([1, -2, 3]), \(ids), \(optionals), \([Int32(5)])"
        #expect(query.binds.types == [.textArray, .int8Array, .uuidArray, .textArray, .int4Array])
        #expect(query.binds.values == [
            #"{a,"b c","","NULL","q\"uote","back\\slash"}"#, "{1,-2,3}", "{00000000-0000-0000-0000-000000000001}",
            "{x,NULL}", "{5}",
        ])
    }

    @Test func jsonBindsAsJSONB() throws {
        struct Plan: Codable, Sendable, Equatable {
            let steps: [String]
            let at: Date
        }
        let plan = Plan(steps: ["fetch"], at: Date(timeIntervalSince1970: 0))
        let query: PostgresQuery = "UPDATE runs SET plan = \(PostgresJSON(plan)), context = \(PostgresRawJSON("{}"))"
        #expect(query.binds.types == [.jsonb, .jsonb])
        let encoded = try #require(query.binds.values[0])
        #expect(encoded.contains("\"1970-01-01T00:00:00.000000Z\""))
        let decoded = try PostgresJSON<Plan>(postgresText: encoded, type: .jsonb)
        #expect(decoded.value == plan)
        #expect(query.binds.values[1] == "{}")
    }

    @Test func unescapedAndIdentifierInterpolationsAreExplicitText() {
        let column = "created_at"
        let odd = "we\"ird"
        let query: PostgresQuery = "SELECT \(identifier: odd) FROM runs ORDER BY \(unescaped: column) DESC LIMIT \(5)"
        #expect(query.sql == #"SELECT "we""ird" FROM runs ORDER BY created_at DESC LIMIT $1"#)
        #expect(query.binds.count == 1)
    }

    @Test func descriptionNeverShowsValues() {
        let secret = "s3cr3t"
        let query: PostgresQuery = "SELECT \(secret)"
        #expect(!query.description.contains(secret))
        #expect(query.description == "SELECT $1 [text]")
    }

    @Test func encodingFailureIsRecordedForExecution() {
        struct Bad: Encodable, Sendable { let value: Double }
        let query: PostgresQuery = "SELECT \(1), \(PostgresJSON(Bad(value: .nan)))"
        #expect(query.binds.encodingFailure?.parameter == 2)
        #expect(query.sql == "SELECT $1, $2")
    }

    @Test func literalWithoutInterpolationHasNoBinds() {
        let query: PostgresQuery = "SELECT 1"
        #expect(query.sql == "SELECT 1")
        #expect(query.binds.count == 0)
    }
}
