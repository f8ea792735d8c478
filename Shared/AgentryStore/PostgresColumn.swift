/// A result column: its name and type.
public struct PostgresColumn: Sendable, Hashable {
    /// The column name (or alias).
    public let name: String
    /// The column's type.
    public let type: PostgresDataType
}
