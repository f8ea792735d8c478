/// Renders rows as a fixed-width plain-text table for people (a Slack code block, an email):
///
/// ```
/// id | name  | amount
/// ---+-------+-------
///  1 | alpha |  12.50
///  2 | beta  |
/// (2 rows)
/// ```
///
/// Cells longer than ``maxCellWidth`` characters end in `…`; line breaks in a cell show as `↵` and
/// other control characters as spaces; at most ``maxRows`` rows are shown. Number columns align right.
/// Widths count characters, so very wide scripts (CJK) and emoji may not line up perfectly.
struct TextTable: Sendable {
    /// The most rows shown; the footer says how many there were.
    var maxRows: Int
    /// The widest a cell may be, in characters (at least 2).
    var maxCellWidth: Int

    /// The table of `rows` under `headers`; `truncated` says the query had more rows than were returned.
    func render(headers: [String], rightAligned: [Bool], rows: [[String]], truncated: Bool) -> String {
        let shown = rows.prefix(maxRows).map { $0.map(clean) }
        let header = headers.map(clean)
        var lines: [String] = []
        if !header.isEmpty {
            var widths = header.map(\.count)
            for row in shown {
                for (column, cell) in row.enumerated() where column < widths.count {
                    widths[column] = max(widths[column], cell.count)
                }
            }
            func line(_ cells: [String]) -> String {
                var parts: [String] = []
                for (column, width) in widths.enumerated() {
                    let cell = column < cells.count ? cells[column] : ""
                    let padding = String(repeating: " ", count: max(0, width - cell.count))
                    let right = column < rightAligned.count && rightAligned[column]
                    parts.append(right ? padding + cell : cell + padding)
                }
                return Self.trimmingTrailingSpaces(parts.joined(separator: " | "))
            }
            lines.append(line(header))
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
            lines.append(contentsOf: shown.map(line))
        }
        lines.append(footer(total: rows.count, shown: shown.count, truncated: truncated))
        return lines.joined(separator: "\n")
    }

    private func footer(total: Int, shown: Int, truncated: Bool) -> String {
        var text = shown < total ? "first \(shown) of \(total) rows shown" : total == 1 ? "1 row" : "\(total) rows"
        if truncated { text += "; the query returned more, cut at the row limit" }
        return "(\(text))"
    }

    /// One line, at most ``maxCellWidth`` characters.
    private func clean(_ cell: String) -> String {
        var text = ""
        text.unicodeScalars.reserveCapacity(cell.unicodeScalars.count)
        var previousWasReturn = false
        for scalar in cell.unicodeScalars {
            switch scalar {
            case "\r":
                text.unicodeScalars.append("↵")
                previousWasReturn = true
                continue
            case "\n":
                if !previousWasReturn { text.unicodeScalars.append("↵") }
            case _ where scalar.properties.generalCategory == .control:
                text.unicodeScalars.append(" ")
            default:
                text.unicodeScalars.append(scalar)
            }
            previousWasReturn = false
        }
        let width = max(2, maxCellWidth)
        return text.count > width ? String(text.prefix(width - 1)) + "…" : text
    }

    private static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = Substring(line)
        while line.last == " " { line = line.dropLast() }
        return String(line)
    }
}
