extension PostgresConfiguration {
    /// Parses `postgres://user:password@host:port/database?sslmode=require&application_name=x`.
    ///
    /// The scheme may also be `postgresql`. User, password, database and query values are
    /// percent-decoded. IPv6 hosts go in brackets (`[::1]`). Query parameters `sslmode`,
    /// `application_name`, `connect_timeout` (seconds) and `host` (e.g. a Unix-socket directory) set the
    /// matching properties; any other parameter is passed to libpq as is (libpq rejects unknown ones at
    /// connect). Error messages never include the password.
    public init(url: String) throws {
        self.init()
        let rest: Substring
        if url.hasPrefix("postgres://") {
            rest = url.dropFirst("postgres://".count)
        } else if url.hasPrefix("postgresql://") {
            rest = url.dropFirst("postgresql://".count)
        } else {
            throw Self.invalid("the URL must start with postgres:// or postgresql://")
        }
        var remainder = rest
        if let at = remainder.firstIndex(where: { $0 == "@" || $0 == "/" || $0 == "?" }), remainder[at] == "@" {
            let userInfo = remainder[..<at]
            remainder = remainder[remainder.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decode(userInfo[..<colon], "user name")
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], "password")
            } else {
                user = try Self.decode(userInfo, "user name")
            }
            if user?.isEmpty == true { user = nil }
        }
        let authorityEnd = remainder.firstIndex { $0 == "/" || $0 == "?" } ?? remainder.endIndex
        try parseHostAndPort(remainder[..<authorityEnd])
        remainder = remainder[authorityEnd...]
        if remainder.first == "/" {
            let pathEnd = remainder.firstIndex(of: "?") ?? remainder.endIndex
            let path = remainder[remainder.index(after: remainder.startIndex)..<pathEnd]
            if !path.isEmpty { database = try Self.decode(path, "database name") }
            remainder = remainder[pathEnd...]
        }
        if remainder.first == "?" {
            try parseQuery(remainder.dropFirst())
        }
    }

    private mutating func parseHostAndPort(_ authority: Substring) throws {
        var hostPart = authority
        var portPart: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw Self.invalid("unterminated [ in the host") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw Self.invalid("unexpected text after the IPv6 host") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.contains(",") else { throw Self.invalid("multiple hosts are not supported") }
        let decodedHost = try Self.decode(hostPart, "host")
        host = decodedHost.isEmpty ? nil : decodedHost
        if let portPart {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw Self.invalid("the port must be a number from 1 to 65535")
            }
            port = value
        }
    }

    private mutating func parseQuery(_ query: Substring) throws {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.decode(parts[0], "query parameter name")
            let value = parts.count > 1 ? try Self.decode(parts[1], "value of \(key)") : ""
            switch key {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let modes = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw Self.invalid("sslmode must be one of \(modes)")
                }
                sslMode = mode
            case "application_name":
                applicationName = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw Self.invalid("connect_timeout must be a positive number of seconds")
                }
                connectTimeout = .seconds(seconds)
            case "host":
                host = value.isEmpty ? nil : value
            case "port":
                guard let number = Int(value), (1...65535).contains(number) else {
                    throw Self.invalid("the port must be a number from 1 to 65535")
                }
                port = number
            case "user":
                user = value
            case "password":
                password = value
            case "dbname":
                database = value
            case "":
                throw Self.invalid("empty query parameter name")
            default:
                extraParameters[key] = value
            }
        }
    }

    /// Percent-decodes `text` (UTF-8); `what` names the part in the error message.
    static func decode(_ text: Substring, _ what: String) throws -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("invalid percent-encoding in the \(what)")
            }
            bytes.append(high << 4 | low)
        }
        guard !bytes.contains(0) else { throw invalid("the \(what) contains a NUL byte") }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw invalid("the \(what) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func invalid(_ reason: String) -> PostgresError {
        PostgresError(.invalidConfiguration, "invalid database URL: \(reason)")
    }
}
