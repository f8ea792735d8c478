/// A plain-text table with a header row, columns padded to their widest cell.
///
/// ```swift
/// var table = CLITable(["SERVICE", "PID"])
/// table.append(["ingest", "4242"])
/// print(table.render())
/// ```
struct CLITable: Sendable {
    private let header: [String]
    private var rows: [[String]] = []
    /// The widest a cell may be; longer cells end in `…`.
    var maximumCellWidth = 60

    init(_ header: [String]) {
        self.header = header
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table, one line per row, with two spaces between columns and no trailing spaces.
    func render(indent: String = "") -> String {
        let all = ([header] + rows).map { row in
            (0..<header.count).map { index in
                Self.truncate(index < row.count ? Self.oneLine(row[index]) : "", to: maximumCellWidth)
            }
        }
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            var line = indent
            for (column, cell) in row.enumerated() {
                line += cell
                if column < row.count - 1 { line += String(repeating: " ", count: widths[column] - cell.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// `text` on one line: line breaks and tabs become spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }

    /// `text` cut to `width` characters, the last being `…` when it was cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard text.count > width, width > 0 else { return text }
        return String(text.prefix(width - 1)) + "…"
    }
}
