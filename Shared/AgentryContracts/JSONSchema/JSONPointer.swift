import Foundation

/// JSON Pointers (RFC 6901): building the instance paths of violations and resolving `$ref`s.
enum JSONPointer {
    /// `path` extended by one reference token, escaping `~` as `~0` and `/` as `~1`.
    static func appending(_ token: String, to path: String) -> String {
        path + "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// `path` extended by an array index.
    static func appending(_ index: Int, to path: String) -> String {
        path + "/\(index)"
    }

    /// The subschema a `$ref` such as `#`, `#/$defs/step` or `#/definitions/step` points to inside `root`,
    /// or `nil` when the reference is not a pointer into this document or points at nothing.
    ///
    /// The fragment is percent-decoded before the pointer's `~1` and `~0` escapes are undone.
    static func resolve(reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#"), let fragment = String(reference.dropFirst()).removingPercentEncoding else {
            return nil
        }
        if fragment.isEmpty { return root }
        guard fragment.hasPrefix("/") else { return nil }
        var current = root
        for rawToken in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = rawToken.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object(let members):
                guard let member = members[token] else { return nil }
                current = member
            case .array(let elements):
                guard token.allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(token),
                    elements.indices.contains(index)
                else {
                    return nil
                }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
