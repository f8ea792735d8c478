/// Lays out strings as NUL-terminated C strings in one buffer for libpq's `const char * const *`
/// arguments; nil entries stay NULL pointers (SQL NULL for parameter values).
enum PostgresCStrings {
    /// Calls `body` with pointers to the strings (plus a trailing NULL when `nullTerminated`).
    /// Throws if a string contains a NUL byte, which a C string cannot carry.
    static func with<R>(
        _ strings: [String?], nullTerminated: Bool = false,
        _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R
    ) throws -> R {
        var total = 0
        for string in strings { total += (string?.utf8.count ?? 0) + 1 }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        defer { buffer.deallocate() }
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(strings.count + 1)
        var offset = 0
        for (position, string) in strings.enumerated() {
            guard var string else {
                pointers.append(nil)
                continue
            }
            let start = buffer + offset
            let hasNUL = string.withUTF8 { bytes -> Bool in
                guard !bytes.contains(0) else { return true }
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(start).copyMemory(from: base, byteCount: bytes.count)
                }
                start[bytes.count] = 0
                offset += bytes.count + 1
                return false
            }
            if hasNUL { throw PostgresCodingFailure("value \(position + 1) contains a NUL byte") }
            pointers.append(UnsafePointer(start))
        }
        if nullTerminated { pointers.append(nil) }
        if pointers.isEmpty { pointers.append(nil) }
        return try pointers.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
