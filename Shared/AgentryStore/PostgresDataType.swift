/// A PostgreSQL type, identified by its OID (`pg_type.oid`).
///
/// Parameters are sent in text format with an explicit type; results arrive with their column type.
public struct PostgresDataType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The type's OID.
    public let rawValue: UInt32

    /// Creates a type from its OID.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Creates a type from its OID.
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let bool = PostgresDataType(16)
    public static let bytea = PostgresDataType(17)
    public static let name = PostgresDataType(19)
    public static let int8 = PostgresDataType(20)
    public static let int2 = PostgresDataType(21)
    public static let int4 = PostgresDataType(23)
    public static let text = PostgresDataType(25)
    public static let oid = PostgresDataType(26)
    public static let json = PostgresDataType(114)
    public static let float4 = PostgresDataType(700)
    public static let float8 = PostgresDataType(701)
    /// Lets the server infer the type from context.
    public static let unknown = PostgresDataType(705)
    public static let boolArray = PostgresDataType(1000)
    public static let byteaArray = PostgresDataType(1001)
    public static let int2Array = PostgresDataType(1005)
    public static let int4Array = PostgresDataType(1007)
    public static let textArray = PostgresDataType(1009)
    public static let varcharArray = PostgresDataType(1015)
    public static let int8Array = PostgresDataType(1016)
    public static let float8Array = PostgresDataType(1022)
    public static let varchar = PostgresDataType(1043)
    public static let date = PostgresDataType(1082)
    public static let time = PostgresDataType(1083)
    public static let timestamp = PostgresDataType(1114)
    public static let timestampArray = PostgresDataType(1115)
    public static let timestamptz = PostgresDataType(1184)
    public static let timestamptzArray = PostgresDataType(1185)
    public static let numeric = PostgresDataType(1700)
    public static let numericArray = PostgresDataType(1231)
    public static let uuid = PostgresDataType(2950)
    public static let uuidArray = PostgresDataType(2951)
    public static let jsonb = PostgresDataType(3802)
    public static let jsonbArray = PostgresDataType(3807)

    private static let names: [UInt32: String] = [
        16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text", 26: "oid",
        114: "json", 700: "float4", 701: "float8", 705: "unknown", 1000: "bool[]", 1001: "bytea[]",
        1005: "int2[]", 1007: "int4[]", 1009: "text[]", 1015: "varchar[]", 1016: "int8[]", 1022: "float8[]",
        1043: "varchar", 1082: "date", 1083: "time", 1114: "timestamp", 1115: "timestamp[]",
        1184: "timestamptz", 1185: "timestamptz[]", 1700: "numeric", 1231: "numeric[]", 2950: "uuid",
        2951: "uuid[]", 3802: "jsonb", 3807: "jsonb[]",
    ]

    /// The type's name for the built-in types this module knows, else `oid <n>`.
    public var description: String { Self.names[rawValue] ?? "oid \(rawValue)" }
}
