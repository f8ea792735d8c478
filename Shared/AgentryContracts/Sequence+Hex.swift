extension Sequence<UInt8> {
    /// The bytes as lowercase hexadecimal, two digits each: how digests, signatures, tokens and
    /// trace ids are written everywhere in Agentry.
    ///
    /// ```swift
    /// [0x0f, 0xa0].hexString  // "0fa0"
    /// ```
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
