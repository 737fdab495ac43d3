/// One piece of merchant HTML as a browser would read it. Comments, doctypes and processing
/// instructions never become tokens because nothing downstream wants them.
enum HTMLToken: Equatable, Sendable {
    /// Text with character references already decoded, so it can be escaped again uniformly.
    case text(String)
    case startTag(name: String, attributes: [HTMLAttribute], selfClosing: Bool)
    case endTag(name: String)
}

struct HTMLAttribute: Equatable, Sendable {
    /// Lower-cased, as HTML attribute names are case-insensitive.
    var name: String
    /// Character references decoded: `&#106;avascript:` arrives here as `javascript:`.
    var value: String
}

/// A forgiving tokenizer that follows the HTML Living Standard's tokenization states closely
/// enough to agree with browsers on where tags start and end
/// (https://html.spec.whatwg.org/multipage/parsing.html#tokenization).
///
/// It never fails: malformed markup is read the way a browser reads it, and anything the
/// standard would discard (a tag cut off by the end of input, a bogus comment) is discarded.
struct HTMLTokenizer {
    /// Elements whose content the browser does not parse as markup; we skip straight to their end
    /// tag, so `<script>"</b>"</script>` cannot leak a tag into the output.
    static let rawTextElements: Set<String> = [
        "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
    ]

    private let input: [Unicode.Scalar]
    private var position = 0

    private init(_ html: String) {
        input = Array(html.unicodeScalars)
    }

    static func tokenize(_ html: String) -> [HTMLToken] {
        var tokenizer = HTMLTokenizer(html)
        return tokenizer.run()
    }

    private mutating func run() -> [HTMLToken] {
        var tokens: [HTMLToken] = []
        var pendingText: [Unicode.Scalar] = []

        func flushText() {
            guard !pendingText.isEmpty else { return }
            tokens.append(.text(HTMLEntities.decode(pendingText[...], inAttribute: false)))
            pendingText.removeAll(keepingCapacity: true)
        }

        while position < input.count {
            let scalar = input[position]
            guard scalar == "<" else {
                pendingText.append(scalar)
                position += 1
                continue
            }
            let next = peek(1)
            if let next, next.isASCIILetter {
                position += 1
                // A tag cut off by the end of input is dropped whole, as browsers do.
                guard let (name, attributes, selfClosing) = readTag() else { break }
                flushText()
                tokens.append(.startTag(name: name, attributes: attributes, selfClosing: selfClosing))
                if name == "plaintext" {
                    // Everything after <plaintext> is text to a browser, and we drop it anyway.
                    position = input.count
                } else if Self.rawTextElements.contains(name) {
                    skipRawText(until: name)
                }
            } else if next == "/" {
                let afterSlash = peek(2)
                if let afterSlash, afterSlash.isASCIILetter {
                    position += 2
                    guard let (name, _, _) = readTag() else { break }
                    flushText()
                    tokens.append(.endTag(name: name))
                } else if afterSlash == ">" {
                    // `</>` is ignored entirely.
                    position += 3
                } else if afterSlash == nil {
                    pendingText.append(contentsOf: ["<", "/"])
                    position += 2
                } else {
                    // `</ 3>` and friends are bogus comments.
                    position += 2
                    skipBogusComment()
                }
            } else if next == "!" {
                position += 2
                if peek(0) == "-" && peek(1) == "-" {
                    position += 2
                    skipComment()
                } else {
                    // Doctypes and `<![CDATA[` in HTML content both end at the first '>'.
                    skipBogusComment()
                }
            } else if next == "?" {
                position += 2
                skipBogusComment()
            } else {
                // A lone '<' ("1 < 2") is just text.
                pendingText.append(scalar)
                position += 1
            }
        }
        flushText()
        return tokens
    }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        let index = position + offset
        return index < input.count ? input[index] : nil
    }

    /// Reads a tag name and its attributes with `position` on the name's first letter, and leaves
    /// `position` after the closing '>'. Returns nil when the input ends inside the tag.
    private mutating func readTag() -> (String, [HTMLAttribute], Bool)? {
        var name: [Unicode.Scalar] = []
        while let scalar = peek(0), !scalar.isHTMLWhitespace, scalar != "/", scalar != ">" {
            name.append(scalar.asciiLowercased)
            position += 1
        }
        var attributes: [HTMLAttribute] = []
        var seen: Set<String> = []
        while true {
            while let scalar = peek(0), scalar.isHTMLWhitespace { position += 1 }
            guard let scalar = peek(0) else { return nil }
            if scalar == ">" {
                position += 1
                return (String(scalars: name), attributes, false)
            }
            if scalar == "/" {
                position += 1
                if peek(0) == ">" {
                    position += 1
                    return (String(scalars: name), attributes, true)
                }
                continue
            }
            guard let attribute = readAttribute() else { return nil }
            // The first of two same-named attributes wins; later ones are ignored by browsers.
            if seen.insert(attribute.name).inserted {
                attributes.append(attribute)
            }
        }
    }

    private mutating func readAttribute() -> HTMLAttribute? {
        var name: [Unicode.Scalar] = []
        // A leading '=' belongs to the name (`<a =x>`), per the standard.
        if peek(0) == "=" {
            name.append("=")
            position += 1
        }
        while let scalar = peek(0), !scalar.isHTMLWhitespace, scalar != "/", scalar != ">", scalar != "=" {
            name.append(scalar.asciiLowercased)
            position += 1
        }
        while let scalar = peek(0), scalar.isHTMLWhitespace { position += 1 }
        guard peek(0) == "=" else {
            return HTMLAttribute(name: String(scalars: name), value: "")
        }
        position += 1
        while let scalar = peek(0), scalar.isHTMLWhitespace { position += 1 }
        guard let first = peek(0) else { return nil }
        var value: [Unicode.Scalar] = []
        if first == "\"" || first == "'" {
            position += 1
            while let scalar = peek(0), scalar != first {
                value.append(scalar)
                position += 1
            }
            guard peek(0) != nil else { return nil }
            position += 1
        } else {
            // Unquoted values run to whitespace or '>' — not to '/', so `src=x/onerror=y` is one value.
            while let scalar = peek(0), !scalar.isHTMLWhitespace, scalar != ">" {
                value.append(scalar)
                position += 1
            }
        }
        return HTMLAttribute(name: String(scalars: name), value: HTMLEntities.decode(value[...], inAttribute: true))
    }

    /// Moves to the `</name` that really ends a raw-text element, or to the end of input.
    private mutating func skipRawText(until name: String) {
        let closing = Array("</\(name)".unicodeScalars)
        while position < input.count {
            if input[position] == "<", matches(closing, at: position) {
                let after = position + closing.count
                if after < input.count, input[after].isHTMLWhitespace || input[after] == "/" || input[after] == ">" {
                    return
                }
            }
            position += 1
        }
    }

    private func matches(_ pattern: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + pattern.count <= input.count else { return false }
        for (offset, expected) in pattern.enumerated() where input[start + offset].asciiLowercased != expected {
            return false
        }
        return true
    }

    /// `position` is just after `<!--`. Handles the abrupt `<!-->` and `<!--->` and the `--!>`
    /// ending; an unterminated comment swallows the rest of the input, as in a browser.
    private mutating func skipComment() {
        if peek(0) == ">" {
            position += 1
            return
        }
        if peek(0) == "-" && peek(1) == ">" {
            position += 2
            return
        }
        while position < input.count {
            if matches(["-", "-", ">"], at: position) {
                position += 3
                return
            }
            if matches(["-", "-", "!", ">"], at: position) {
                position += 4
                return
            }
            position += 1
        }
    }

    private mutating func skipBogusComment() {
        while let scalar = peek(0) {
            position += 1
            if scalar == ">" { return }
        }
    }
}

// File-private so these small helpers cannot clash with similar ones elsewhere in the module.
extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }

    /// Tab, line feed, form feed, carriage return and space: the only whitespace HTML knows.
    fileprivate var isHTMLWhitespace: Bool {
        self == " " || self == "\t" || self == "\n" || self == "\u{0C}" || self == "\r"
    }

    /// HTML compares tag and attribute names after ASCII-only lower-casing; full Unicode
    /// lower-casing would turn 'K' (the Kelvin sign) into 'k' and disagree with browsers.
    fileprivate var asciiLowercased: Unicode.Scalar {
        ("A"..."Z").contains(self) ? Unicode.Scalar(value + 32)! : self
    }
}

extension String {
    fileprivate init(scalars: some Sequence<Unicode.Scalar>) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}
