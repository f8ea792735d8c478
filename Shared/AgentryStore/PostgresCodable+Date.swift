import Foundation

extension Date: PostgresEncodable, PostgresDecodable {
    /// Dates bind as `timestamptz`, written in UTC with microsecond precision.
    public static var postgresType: PostgresDataType { .timestamptz }

    public func postgresText() throws -> String? { PostgresTimestampFormat.format(self) }

    /// Decodes `timestamptz`, `timestamp` (read as UTC) and `date` (midnight UTC) columns.
    public init(postgresText text: String, type: PostgresDataType) throws {
        guard let date = PostgresTimestampFormat.parse(text) else {
            throw PostgresCodingFailure("not a timestamp")
        }
        self = date
    }
}
