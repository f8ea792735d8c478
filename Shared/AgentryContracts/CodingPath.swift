/// How decoding errors name the place of a failure: `payload.plan.steps[0].risk`.
public enum CodingPath {
    /// The keys joined with dots, indexes in brackets; empty for the top level.
    public static func text(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text
    }
}
