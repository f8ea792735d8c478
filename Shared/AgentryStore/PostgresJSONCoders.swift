import Foundation

/// The JSON encoder and decoder for `json`/`jsonb` values: dates are ISO-8601 strings in UTC with
/// microseconds (and any ISO-8601 form PostgreSQL writes is accepted on input).
enum PostgresJSONCoders {
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(PostgresTimestampFormat.format(date))
        }
        return encoder
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = PostgresTimestampFormat.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 date")
            }
            return date
        }
        return decoder
    }
}
