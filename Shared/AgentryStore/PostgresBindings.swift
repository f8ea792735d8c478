/// The bind parameters of a ``PostgresQuery``: each value's text form (nil for NULL) and its type.
public struct PostgresBindings: Sendable, Hashable {
    /// The parameters' text forms in order (`$1` first); nil is SQL NULL.
    public private(set) var values: [String?] = []
    /// The parameters' types in order, sent with the statement.
    public private(set) var types: [PostgresDataType] = []
    /// The first value that could not be encoded; running the query throws it.
    var encodingFailure: EncodingFailure?

    struct EncodingFailure: Sendable, Hashable {
        let parameter: Int
        let reason: String
    }

    /// Creates empty bindings.
    public init() {}

    /// The number of parameters.
    public var count: Int { values.count }

    /// Appends a value; an encoding failure is recorded and thrown when the query runs.
    public mutating func append(_ value: some PostgresEncodable) {
        let type = Swift.type(of: value).postgresType
        do {
            values.append(try value.postgresText())
        } catch {
            values.append(nil)
            if encodingFailure == nil {
                encodingFailure = EncodingFailure(parameter: values.count, reason: "\(error)")
            }
        }
        types.append(type)
    }

    /// Appends SQL NULL of the given type (`.unknown` lets the server infer it).
    public mutating func appendNull(type: PostgresDataType = .unknown) {
        values.append(nil)
        types.append(type)
    }
}
