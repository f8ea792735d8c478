import Foundation

/// Reads settings from environment variables, where any variable may instead be given as a file.
///
/// For a key `AGENTRY_DATABASE_URL`, the value comes from `AGENTRY_DATABASE_URL`, or from the file
/// named by `AGENTRY_DATABASE_URL_FILE` (a mounted secret), with surrounding whitespace trimmed.
/// Setting both is an error. An empty value counts as unset.
///
/// Services use it for their own settings too:
/// ```swift
/// let reader = ConfigurationReader(environment: environment)
/// let signingSecret = try reader.string("AGENTRY_SLACK_SIGNING_SECRET")
/// let maxBody = try reader.integer("AGENTRY_MAX_BODY_BYTES", default: 1_048_576, in: 1...16_777_216)
/// ```
public struct ConfigurationReader: Sendable {
    /// The variables read from.
    public let environment: [String: String]

    /// Creates a reader over `environment` (the process environment by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The value of `key` (or of the file named by `<key>_FILE`), or `nil` when neither is set.
    public func string(_ key: String) throws(ConfigurationError) -> String? {
        let direct = environment[key].flatMap { $0.isEmpty ? nil : $0 }
        let fileKey = key + "_FILE"
        guard let path = environment[fileKey], !path.isEmpty else { return direct }
        guard direct == nil else {
            throw ConfigurationError(.conflictingSources, key: key, reason: "set either \(key) or \(fileKey), not both")
        }
        let contents: String
        do {
            contents = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(.unreadableFile, key: fileKey, reason: "cannot read \(path)")
        }
        let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The value of `key`, or `defaultValue` when unset.
    public func string(_ key: String, default defaultValue: String) throws(ConfigurationError) -> String {
        try string(key) ?? defaultValue
    }

    /// The integer value of `key`, or `defaultValue` when unset.
    ///
    /// - Throws: ``ConfigurationError`` when the value is not an integer or falls outside `range`.
    public func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = try string(key) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError(.invalidValue, key: key, reason: "\"\(text)\" is not a whole number")
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                .invalidValue, key: key, reason: "\(value) is outside \(range.lowerBound)...\(range.upperBound)"
            )
        }
        return value
    }

    /// The value of `key` as one of `Choice`'s cases (matched case-insensitively), or `defaultValue` when unset.
    ///
    /// - Throws: ``ConfigurationError`` naming the accepted values when the value is not one of them.
    public func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String,
        default defaultValue: Choice
    ) throws(ConfigurationError) -> Choice where Choice.RawValue == String {
        guard let text = try string(key) else { return defaultValue }
        if let match = Choice.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) {
            return match
        }
        let accepted = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        throw ConfigurationError(.invalidValue, key: key, reason: "\"\(text)\" is not one of \(accepted)")
    }

    /// The value of `key` as a URL whose scheme is one of `schemes`, or `defaultValue` when unset.
    ///
    /// - Throws: ``ConfigurationError`` (never quoting the value, which may hold a password) when
    ///   the value is not such a URL.
    public func url(_ key: String, default defaultValue: String, schemes: Set<String>) throws(ConfigurationError) -> String {
        let value = try string(key, default: defaultValue)
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
              schemes.contains(scheme)
        else {
            let accepted = schemes.sorted().map { "\($0)://" }.joined(separator: " or ")
            throw ConfigurationError(.invalidValue, key: key, reason: "must be a URL starting with \(accepted)")
        }
        return value
    }
}
