/// Quoted-printable decoding (RFC 2045 section 6.7), tolerant of what mail actually contains.
///
/// `=` at the end of a line (trailing blanks allowed) is a soft line break; `=XX` is a byte, hex
/// digits in either case; an `=` not followed by two hex digits is kept literally. Blanks at the
/// end of an encoded line are transport padding and are removed. Hard line breaks (CRLF or LF)
/// come out as CRLF, the canonical form.
enum QuotedPrintable {
    /// The bytes encoded in `text`.
    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        // Where the run of literal blanks at the end of the output begins, if it ends in one.
        var blankRunStart: Int?
        var index = text.startIndex
        let end = text.endIndex
        while index < end {
            let byte = text[index]
            switch byte {
            case 0x3D:
                var after = index + 1
                while after < end, EmailBytes.isBlank(text[after]) { after += 1 }
                if after == end {
                    index = end
                } else if text[after] == EmailBytes.lf {
                    index = after + 1
                } else if text[after] == EmailBytes.cr, after + 1 < end, text[after + 1] == EmailBytes.lf {
                    index = after + 2
                } else if index + 2 < end, let high = EmailBytes.hexValue(text[index + 1]),
                    let low = EmailBytes.hexValue(text[index + 2])
                {
                    output.append(high << 4 | low)
                    blankRunStart = nil
                    index += 3
                } else {
                    output.append(byte)
                    blankRunStart = nil
                    index += 1
                }
                if index > end { index = end }
                continue
            case EmailBytes.lf, EmailBytes.cr:
                if byte == EmailBytes.cr, !(index + 1 < end && text[index + 1] == EmailBytes.lf) {
                    // A lone CR is kept as data.
                    output.append(byte)
                    blankRunStart = nil
                    index += 1
                    continue
                }
                if let start = blankRunStart { output.removeSubrange(start...) }
                blankRunStart = nil
                output.append(EmailBytes.cr)
                output.append(EmailBytes.lf)
                index += byte == EmailBytes.cr ? 2 : 1
                continue
            case EmailBytes.space, EmailBytes.tab:
                if blankRunStart == nil { blankRunStart = output.count }
                output.append(byte)
            default:
                output.append(byte)
                blankRunStart = nil
            }
            index += 1
        }
        if let start = blankRunStart { output.removeSubrange(start...) }
        return output
    }
}
