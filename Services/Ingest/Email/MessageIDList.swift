/// Message identifiers (RFC 5322 section 3.6.4) from Message-ID, In-Reply-To and References.
///
/// Each id comes out as `<left@right>` with whitespace removed. Ids may be separated by
/// whitespace, commas or nothing; comments and quoted phrases between them (`<a@b> (Ana's
/// message)`) are skipped; entries without an `@`, empty ones and repeats are dropped. A value
/// with no angle brackets at all is read as bare ids separated by whitespace or commas.
enum MessageIDList {
    /// The ids in `value`, in order, without repeats.
    static func parse(_ value: String) -> [String] {
        let bytes = Array(value.utf8)
        var ids: [String] = []
        var seen: Set<String> = []

        /// Adds `content` (the text between the brackets) when it looks like an id.
        func add(_ content: ArraySlice<UInt8>) {
            let cleaned = content.filter { !EmailBytes.isWhitespace($0) }
            guard cleaned.contains(0x40), !cleaned.contains(0x3C), !cleaned.contains(0x3E),
                cleaned.first != 0x40, cleaned.last != 0x40
            else { return }
            let id = "<" + String(decoding: cleaned, as: UTF8.self) + ">"
            if seen.insert(id).inserted { ids.append(id) }
        }

        guard bytes.contains(0x3C) else {
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x2C
                || EmailBytes.isWhitespace(bytes[index])
            {
                if start < index { add(bytes[start..<index]) }
                start = index + 1
            }
            return ids
        }

        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x28:
                index = EmailBytes.endOfComment(bytes, from: index)
            case 0x22:
                index = EmailBytes.quotedString(bytes, from: index).end
            case 0x3C:
                var close = index + 1
                while close < bytes.count, bytes[close] != 0x3E, bytes[close] != 0x3C { close += 1 }
                if close < bytes.count, bytes[close] == 0x3E {
                    add(bytes[(index + 1)..<close])
                    index = close + 1
                } else {
                    // Unclosed, or a new "<" first: restart from there.
                    index = close
                }
            default:
                index += 1
            }
        }
        return ids
    }
}
