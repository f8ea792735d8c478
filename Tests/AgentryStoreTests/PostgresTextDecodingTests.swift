import Foundation
import Testing
@testable import AgentryStore

@Suite struct PostgresTextDecodingTests {
    @Test func integers() throws {
        #expect(try Int(postgresText: "-42", type: .int8) == -42)
        #expect(try Int64(postgresText: "9223372036854775807", type: .int8) == .max)
        #expect(try Int32(postgresText: "2147483647", type: .int4) == .max)
        #expect(throws: PostgresCodingFailure.self) { try Int32(postgresText: "2147483648", type: .int8) }
        #expect(throws: PostgresCodingFailure.self) { try Int(postgresText: "1.5", type: .numeric) }
        #expect(throws: PostgresCodingFailure.self) { try Int(postgresText: "", type: .int8) }
    }

    @Test func doublesIncludingSpecialValues() throws {
        #expect(try Double(postgresText: "1.25", type: .float8) == 1.25)
        #expect(try Double(postgresText: "1e-05", type: .float8) == 0.00001)
        #expect(try Double(postgresText: "12.500000", type: .numeric) == 12.5)
        #expect(try Double(postgresText: "Infinity", type: .float8) == .infinity)
        #expect(try Double(postgresText: "-Infinity", type: .float8) == -.infinity)
        #expect(try Double(postgresText: "NaN", type: .float8).isNaN)
        #expect(try Double.infinity.postgresText() == "Infinity")
        #expect(try Double.nan.postgresText() == "NaN")
        #expect(throws: PostgresCodingFailure.self) { try Double(postgresText: "abc", type: .float8) }
    }

    @Test func decimals() throws {
        #expect(try Decimal(postgresText: "0.000001", type: .numeric) == Decimal(string: "0.000001"))
        #expect(try Decimal(postgresText: "-12345678901234.123456", type: .numeric)
                == Decimal(string: "-12345678901234.123456"))
        #expect(throws: PostgresCodingFailure.self) { try Decimal(postgresText: "12abc", type: .numeric) }
    }

    @Test func booleans() throws {
        #expect(try Bool(postgresText: "t", type: .bool))
        #expect(try !Bool(postgresText: "f", type: .bool))
        #expect(throws: PostgresCodingFailure.self) { try Bool(postgresText: "yes", type: .bool) }
    }

    @Test func uuids() throws {
        let text = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        #expect(try UUID(postgresText: text, type: .uuid) == UUID(uuidString: text))
        #expect(throws: PostgresCodingFailure.self) { try UUID(postgresText: "not-a-uuid", type: .uuid) }
    }

    @Test func optionalsDecodeNull() throws {
        #expect(try String?.postgresNull() == nil)
        #expect(try Int?(postgresText: "5", type: .int8) == 5)
        #expect(throws: PostgresCodingFailure.self) { try String.postgresNull() }
    }

    @Test func byteaHexAndEscapeFormats() throws {
        #expect(try Data(postgresText: "\\xdeadBEEF", type: .bytea) == Data([0xde, 0xad, 0xbe, 0xef]))
        #expect(try Data(postgresText: "\\x", type: .bytea) == Data())
        #expect(try [UInt8](postgresText: "\\x00ff", type: .bytea) == [0, 255])
        #expect(try Data(postgresText: #"ab\\c\000\377"#, type: .bytea) == Data([97, 98, 92, 99, 0, 255]))
        #expect(throws: PostgresCodingFailure.self) { try Data(postgresText: "\\xabc", type: .bytea) }
        #expect(throws: PostgresCodingFailure.self) { try Data(postgresText: "\\xzz", type: .bytea) }
        #expect(throws: PostgresCodingFailure.self) { try Data(postgresText: #"\9"#, type: .bytea) }
        let all = Data(0...255)
        let hex = try #require(try all.postgresText())
        #expect(try Data(postgresText: hex, type: .bytea) == all)
    }

    @Test func arraysOfEachElementType() throws {
        #expect(try [String](postgresText: #"{a,b,"c d",""}"#, type: .textArray) == ["a", "b", "c d", ""])
        #expect(try [String?](postgresText: "{a,NULL,null}", type: .textArray) == ["a", nil, nil])
        #expect(try [Int](postgresText: "{1,-2,3}", type: .int8Array) == [1, -2, 3])
        #expect(try [Int32](postgresText: "{}", type: .int4Array) == [])
        let id = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        #expect(try [UUID](postgresText: "{\(id)}", type: .uuidArray) == [UUID(uuidString: id)!])
        #expect(throws: PostgresCodingFailure.self) { try [String](postgresText: "{a,NULL}", type: .textArray) }
        #expect(throws: PostgresCodingFailure.self) { try [Int](postgresText: "{1,x}", type: .int8Array) }
    }

    @Test func jsonDecodesIntoDecodable() throws {
        struct Payload: Decodable, Sendable, Equatable {
            let name: String
            let when: Date
        }
        let decoded = try PostgresJSON<Payload>(
            postgresText: #"{"name": "x", "when": "2026-11-21T00:51:31.5Z"}"#, type: .jsonb)
        #expect(decoded.value == Payload(name: "x", when: Date(timeIntervalSince1970: 1_795_222_291.5)))
        #expect(throws: (any Error).self) { try PostgresJSON<Payload>(postgresText: "{", type: .jsonb) }
    }
}
