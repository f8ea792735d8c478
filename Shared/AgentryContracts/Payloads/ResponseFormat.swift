/// The shape a model reply must have.
///
/// JSON: `{"type": "text"}`, `{"type": "jsonObject"}` or
/// `{"type": "jsonSchema", "name": "plan", "schema": {...}}`.
public enum ResponseFormat: Codable, Sendable, Equatable, Hashable {
    /// Free text.
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON valid against `schema` (a JSON Schema); `name` identifies the schema to the provider.
    case jsonSchema(name: String, schema: JSONValue)

    private enum CodingKeys: String, CodingKey {
        case type, name, schema
    }

    private enum Kind: String, Codable {
        case text, jsonObject, jsonSchema
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .text:
            self = .text
        case .jsonObject:
            self = .jsonObject
        case .jsonSchema:
            self = .jsonSchema(
                name: try container.decode(String.self, forKey: .name),
                schema: try container.decode(JSONValue.self, forKey: .schema)
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text:
            try container.encode(Kind.text, forKey: .type)
        case .jsonObject:
            try container.encode(Kind.jsonObject, forKey: .type)
        case .jsonSchema(let name, let schema):
            try container.encode(Kind.jsonSchema, forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encode(schema, forKey: .schema)
        }
    }
}
