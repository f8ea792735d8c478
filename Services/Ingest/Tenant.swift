/// Tenant names: what the ingest gateway accepts as a tenant.
enum Tenant {
    /// The rule, for error messages.
    static let rule = "a tenant is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"

    /// True when `name` follows ``rule``.
    static func isValid(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), let first = name.unicodeScalars.first,
              ("0"..."9").contains(first) || ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "_" || scalar == "-"
        }
    }
}
