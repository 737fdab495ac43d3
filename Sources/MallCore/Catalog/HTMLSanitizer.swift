/// Cleans the rich-text product descriptions merchants write down to a small, safe subset of
/// HTML before they are stored or shown to shoppers.
///
/// The output is rebuilt from tokens rather than patched in place: only allowlisted tags and
/// attributes are ever written, every text run and attribute value is escaped again, and every
/// allowed tag that is opened is closed. A browser therefore reads back only the tags and
/// attributes we chose to write, so markup that confuses our tokenizer can at worst make us
/// drop content, never let a script through.
///
/// - Allowed tags: p, br, hr, strong, b, em, i, u, s, sub, sup, ul, ol, li, h2, h3, h4,
///   blockquote, span, div, img, a, table, thead, tbody, tr, th, td, figure, figcaption.
/// - Allowed attributes: `a[href, title]` (`href` must be http:, https:, mailto: or a path
///   starting with "/"; every link gets `rel="nofollow noopener"`), `img[src, alt, width, height]`
///   (`src` must be http:, https: or a path starting with "/"; sizes are digits), and
///   `td/th[colspan, rowspan]` (digits). Event handlers, `style`, `class` and everything else go.
/// - Other tags are dropped but their text kept, except script, style, iframe, object, embed,
///   noscript, template, svg and math (and the raw-text elements xmp, noembed, noframes,
///   plaintext, textarea and title), which are dropped with everything inside them.
/// - An image without an acceptable source is dropped, since it could only show a broken icon.
/// - Table parts outside a table are dropped, as a browser would drop them.
/// - Nesting is limited to `maximumDepth` elements; deeper tags are dropped, their text kept.
/// - Sanitising is idempotent: `sanitize(sanitize(x)) == sanitize(x)`.
public enum HTMLSanitizer {
    /// No real description nests this deep; the cap keeps the work linear for hostile input
    /// such as a hundred thousand nested `<div>`s.
    public static let maximumDepth = 100

    private static let voidElements: Set<String> = ["br", "hr", "img"]

    private static let allowedElements: Set<String> = [
        "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li",
        "h2", "h3", "h4", "blockquote", "span", "div", "img", "a", "table", "thead", "tbody",
        "tr", "th", "td", "figure", "figcaption",
    ]

    /// Containers whose content is active or invisible (scripts, plug-ins, foreign markup), so
    /// keeping their text would surface code or junk in the description.
    private static let droppedWithContent: Set<String> = HTMLTokenizer.rawTextElements.union([
        "object", "template", "svg", "math", "applet", "plaintext",
    ])

    /// Allowed elements that close an open paragraph, as the HTML parser does; emitting
    /// `<p><div>` as nested would be parsed differently from what we meant.
    private static let closesParagraph: Set<String> = [
        "p", "div", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "table", "hr", "figure", "figcaption",
    ]
    private static let headings: Set<String> = ["h2", "h3", "h4"]
    private static let tableParts: Set<String> = ["thead", "tbody", "tr", "th", "td"]
    /// What the HTML parser looks past when a new `li` searches for the previous one to close:
    /// inline formatting plus `div` and `p`; any other block means the new item is nested.
    private static let listItemSearchPassesThrough: Set<String> = [
        "strong", "b", "em", "i", "u", "s", "sub", "sup", "span", "a", "div", "p",
    ]

    /// Returns `html` reduced to the allowlist, escaped and well-formed.
    public static func sanitize(_ html: String) -> String {
        var builder = Builder()
        for token in HTMLTokenizer.tokenize(html) {
            builder.consume(token)
        }
        return builder.finish()
    }

    /// Walks the tokens keeping the stack of open allowed elements, which is what lets us close
    /// everything we open and drop end tags that close nothing.
    private struct Builder {
        var output = ""
        var open: [String] = []
        /// Open containers whose whole content is being discarded, innermost last.
        var dropping: [String] = []
        /// Set when dropped containers nest past the depth limit: rather than track them, we
        /// discard the rest of the input, which is the safe way to be wrong.
        var discardingRest = false

        mutating func consume(_ token: HTMLToken) {
            guard !discardingRest else { return }
            switch token {
            case .text(let text):
                if dropping.isEmpty {
                    output += HTMLSanitizer.escape(text)
                }
            case .startTag(let name, let attributes, let selfClosing):
                if droppedWithContent.contains(name) {
                    // Only foreign elements honour `/>`; `<object/>` still has content in HTML.
                    let isEmpty = selfClosing && (name == "svg" || name == "math")
                    if !isEmpty { dropping.append(name) }
                    if dropping.count > maximumDepth { discardingRest = true }
                    return
                }
                guard dropping.isEmpty, allowedElements.contains(name),
                      open.count < maximumDepth || voidElements.contains(name)
                else { return }
                start(name, attributes: attributes)
            case .endTag(let name):
                if !dropping.isEmpty {
                    if let index = dropping.lastIndex(of: name) {
                        dropping.removeSubrange(index...)
                    }
                    return
                }
                if name == "br" {
                    // Browsers read the common typo `</br>` as a line break, and so do we.
                    output += "<br>"
                } else if let index = open.lastIndex(of: name) {
                    close(downTo: index)
                }
            }
        }

        mutating func finish() -> String {
            if !open.isEmpty { close(downTo: 0) }
            return output
        }

        private mutating func start(_ name: String, attributes: [HTMLAttribute]) {
            if tableParts.contains(name) && !open.contains("table") { return }
            guard let cleanAttributes = HTMLSanitizer.attributes(for: name, from: attributes) else { return }
            closeImpliedElements(before: name)
            output += "<\(name)"
            for (attribute, value) in cleanAttributes {
                output += " \(attribute)=\"\(HTMLSanitizer.escape(value))\""
            }
            output += ">"
            if !voidElements.contains(name) { open.append(name) }
        }

        /// The HTML parser ends some elements implicitly when certain others start (a new `li`
        /// ends the previous one, a `div` ends an open `p`). Closing them ourselves keeps the
        /// tree a browser builds identical to the one we wrote.
        private mutating func closeImpliedElements(before name: String) {
            switch name {
            case "li":
                closeNearest(["li"], steppingOver: listItemSearchPassesThrough)
            case "td", "th":
                closeNearest(["td", "th"], stoppingAt: ["table"])
            case "tr":
                closeNearest(["tr"], stoppingAt: ["table", "thead", "tbody"])
            case "thead", "tbody":
                closeNearest(["thead", "tbody"], stoppingAt: ["table"])
            case "a":
                // Links cannot nest; a new one ends the open one.
                closeNearest(["a"], stoppingAt: ["table", "td", "th"])
            default:
                break
            }
            if closesParagraph.contains(name) {
                closeNearest(["p"], stoppingAt: ["table", "td", "th"])
            }
            if headings.contains(name), let current = open.last, headings.contains(current) {
                close(downTo: open.count - 1)
            }
        }

        private mutating func closeNearest(_ targets: Set<String>, stoppingAt boundaries: Set<String>) {
            for index in open.indices.reversed() {
                if targets.contains(open[index]) {
                    close(downTo: index)
                    return
                }
                if boundaries.contains(open[index]) { return }
            }
        }

        private mutating func closeNearest(_ targets: Set<String>, steppingOver passable: Set<String>) {
            for index in open.indices.reversed() {
                if targets.contains(open[index]) {
                    close(downTo: index)
                    return
                }
                if !passable.contains(open[index]) { return }
            }
        }

        private mutating func close(downTo index: Int) {
            while open.count > index {
                output += "</\(open.removeLast())>"
            }
        }
    }

    /// The allowed attributes of one element in a fixed order, or nil when the element is
    /// pointless without a rejected attribute (an image with no usable source).
    private static func attributes(for element: String, from attributes: [HTMLAttribute]) -> [(String, String)]? {
        func value(_ name: String) -> String? {
            attributes.first { $0.name == name }?.value
        }
        var result: [(String, String)] = []
        switch element {
        case "a":
            if let href = value("href").flatMap({ safeURL($0, allowedSchemes: ["http", "https", "mailto"]) }) {
                result.append(("href", href))
            }
            if let title = value("title") {
                result.append(("title", title))
            }
            // Merchant links must not pass on page rank or a window.opener handle.
            result.append(("rel", "nofollow noopener"))
        case "img":
            guard let src = value("src").flatMap({ safeURL($0, allowedSchemes: ["http", "https"]) }) else { return nil }
            result.append(("src", src))
            if let alt = value("alt") {
                result.append(("alt", alt))
            }
            for dimension in ["width", "height"] {
                if let number = value(dimension).flatMap({ digits($0, maxLength: 5) }) {
                    result.append((dimension, number))
                }
            }
        case "td", "th":
            for span in ["colspan", "rowspan"] {
                if let number = value(span).flatMap({ digits($0, maxLength: 4) }) {
                    result.append((span, number))
                }
            }
        default:
            break
        }
        return result
    }

    /// Judges a URL the way a browser's URL parser reads it: leading and trailing control
    /// characters and spaces are stripped and tabs and newlines anywhere are deleted
    /// (https://url.spec.whatwg.org/#concept-basic-url-parser), which is why `java\tscript:`
    /// is still `javascript:`. Only allowlisted schemes and root-relative paths pass, so every
    /// disguise of `javascript:`, `vbscript:` or `data:` fails without being named.
    private static func safeURL(_ raw: String, allowedSchemes: Set<String>) -> String? {
        var scalars = raw.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }[...]
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        guard let first = scalars.first else { return nil }
        // Control characters have no business in a link and only serve to confuse parsers.
        guard !scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return nil }
        let url = String(String.UnicodeScalarView(scalars))
        if first == "/" { return url }
        guard let colon = scalars.firstIndex(of: ":") else { return nil }
        let scheme = String(String.UnicodeScalarView(scalars[..<colon])).lowercased()
        return allowedSchemes.contains(scheme) ? url : nil
    }

    private static func digits(_ raw: String, maxLength: Int) -> String? {
        let trimmed = raw.trimmingWhitespace()
        guard (1...maxLength).contains(trimmed.unicodeScalars.count),
              trimmed.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) })
        else { return nil }
        return trimmed
    }

    /// Escapes text and attribute values alike, and drops control characters that have no
    /// meaning in a description (keeping tab and line breaks). Pages rendered in Swift use it
    /// for every value they print.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: break
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
