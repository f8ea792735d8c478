import AgentryContracts
import Foundation

/// The script that reads a loaded page, and the parsing of what it returns.
///
/// It runs in the page with `Runtime.evaluate` (`returnByValue`), so one round trip yields the
/// final URL, the title and the text. Strings are made well-formed (no lone UTF-16 surrogates)
/// so they survive JSON; text longer than the limit is cut.
enum PageScript {
    /// The expression for `Runtime.evaluate`.
    ///
    /// - Parameters:
    ///   - selector: A CSS selector, or `nil` for the whole body. It is embedded as a JSON string
    ///     literal, so any text is safe.
    ///   - maxCharacters: The most characters of text to return.
    static func expression(selector: String?, maxCharacters: Int) -> String {
        let selectorLiteral = selector.map(javaScriptString) ?? "null"
        return """
            (() => {
              const selector = \(selectorLiteral);
              const limit = \(maxCharacters);
              const clean = (value) => (typeof value === "string" ? value : "").toWellFormed();
              let node = document.body ?? document.documentElement;
              if (selector !== null) {
                try {
                  node = document.querySelector(selector);
                } catch (error) {
                  return { outcome: "invalid_selector", message: String(error && error.message) };
                }
                if (node === null) return { outcome: "selector_not_found" };
              }
              let text = node ? clean(typeof node.innerText === "string" ? node.innerText : node.textContent) : "";
              const truncated = text.length > limit;
              if (truncated) text = text.slice(0, limit).toWellFormed();
              return { outcome: "ok", url: location.href, title: clean(document.title), text, truncated };
            })()
            """
    }

    /// Reads the `Runtime.evaluate` result.
    ///
    /// - Throws: ``BrowserError/Code/selectorNotFound`` or ``BrowserError/Code/invalidSelector``
    ///   as the script found; ``BrowserError/Code/protocolError`` if the script threw or the
    ///   result has another shape.
    static func content(from evaluation: JSONValue, selector: String?) throws(BrowserError) -> PageContent {
        if let details = evaluation["exceptionDetails"] {
            let text = details["exception"]?["description"]?.stringValue ?? details["text"]?.stringValue ?? "an exception"
            throw BrowserError(.protocolError, "reading the page failed: \(text)", retryable: true)
        }
        guard let value = evaluation["result"]?["value"], let outcome = value["outcome"]?.stringValue else {
            throw BrowserError(.protocolError, "reading the page returned no result", retryable: true)
        }
        switch outcome {
        case "ok":
            guard let url = value["url"]?.stringValue, let title = value["title"]?.stringValue,
                  let text = value["text"]?.stringValue
            else {
                throw BrowserError(.protocolError, "reading the page returned an incomplete result", retryable: true)
            }
            return PageContent(url: url, title: title, text: text, truncated: value["truncated"]?.boolValue ?? false)
        case "selector_not_found":
            throw BrowserError(
                .selectorNotFound, "no element matches the selector \(quoted(selector ?? ""))", retryable: false)
        case "invalid_selector":
            let reason = value["message"]?.stringValue ?? "it is not valid CSS"
            throw BrowserError(
                .invalidSelector, "the selector \(quoted(selector ?? "")) is not valid CSS: \(reason)", retryable: false)
        default:
            throw BrowserError(.protocolError, "reading the page returned the outcome \(outcome)", retryable: true)
        }
    }

    /// `text` as a JSON string literal, which is also a JavaScript string literal.
    static func javaScriptString(_ text: String) -> String {
        guard let data = try? JSONEncoder().encode(text) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func quoted(_ text: String) -> String {
        javaScriptString(text.count > 200 ? String(text.prefix(200)) + "…" : text)
    }
}
