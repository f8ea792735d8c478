/// Reassembles `text/plain; format=flowed` (RFC 3676) into logical lines.
///
/// A line ending in a space is soft: it continues on the next line of the same quote depth
/// (with `delsp=yes` the trailing space is removed when joining). Space-stuffing (one space
/// added before lines starting with a space, `>` or `From `) is undone, and quote markers are
/// written back as `> ` per level. The signature separator `-- ` is never soft.
enum FlowedText {
    /// `text` (LF line breaks) unflowed.
    static func unflow(_ text: String, deleteSpace: Bool) -> String {
        var output: [String] = []
        var current: String?
        var currentDepth = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            var depth = 0
            while line.first == ">" {
                depth += 1
                line = line.dropFirst()
            }
            if line.first == " " { line = line.dropFirst() }
            let isSoft = line.hasSuffix(" ") && line != "-- "
            var content = String(line)
            if isSoft, deleteSpace { content.removeLast() }

            if current != nil, depth == currentDepth {
                current?.append(content)
            } else {
                if let pending = current { output.append(quoted(pending, depth: currentDepth)) }
                current = content
                currentDepth = depth
            }
            if !isSoft {
                output.append(quoted(current ?? "", depth: currentDepth))
                current = nil
            }
        }
        if let pending = current { output.append(quoted(pending, depth: currentDepth)) }
        return output.joined(separator: "\n")
    }

    /// `line` with `depth` quote markers in front.
    private static func quoted(_ line: String, depth: Int) -> String {
        guard depth > 0 else { return line }
        return String(repeating: ">", count: depth) + (line.isEmpty ? "" : " ") + line
    }
}
