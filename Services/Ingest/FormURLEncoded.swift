import Foundation

/// An `application/x-www-form-urlencoded` body (Slack's slash commands and interactivity posts).
enum FormURLEncoded {
    /// The fields of `body`; the first value of a repeated name wins.
    ///
    /// - Throws: ``APIError`` 400 when the body is not UTF-8 or a field is not validly percent-encoded.
    static func fields(_ body: [UInt8]) throws(APIError) -> [String: String] {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw .invalidRequest("the form body is not UTF-8")
        }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0])
            let value = parts.count > 1 ? try decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// `+` as a space, then percent-decoding.
    private static func decode(_ text: Substring) throws(APIError) -> String {
        guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            throw .invalidRequest("the form body has a field that is not validly percent-encoded")
        }
        return decoded
    }

    /// Checks that the body is declared as a form.
    static func require(_ request: APIRequest) throws(APIError) {
        guard request.mediaType == "application/x-www-form-urlencoded" else {
            throw .unsupportedMediaType(
                request.header("content-type"), expected: "a form sent with Content-Type: application/x-www-form-urlencoded")
        }
    }
}
