/// Decodes HTML character references the way browsers do, so that URL checks see what the
/// browser would see: `&#106;avascript&colon;` is `javascript:` to both of us.
enum HTMLEntities {
    /// Named references we decode. Browsers know over two thousand; these cover what rich-text
    /// editors emit plus the ones used to disguise URL schemes. An unknown name stays literal
    /// text, which is safe because it is escaped again on the way out.
    static let named: [String: Unicode.Scalar] = [
        "amp": "&", "AMP": "&", "lt": "<", "LT": "<", "gt": ">", "GT": ">", "quot": "\"", "QUOT": "\"",
        "apos": "'", "nbsp": "\u{A0}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}",
        "zwnj": "\u{200C}", "zwj": "\u{200D}", "shy": "\u{AD}",
        "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“", "rdquo": "”", "bdquo": "„",
        "laquo": "«", "raquo": "»", "middot": "·", "bull": "•", "times": "×", "divide": "÷",
        "deg": "°", "plusmn": "±", "micro": "µ", "para": "¶", "sect": "§", "cent": "¢",
        "pound": "£", "yen": "¥", "euro": "€", "iexcl": "¡", "iquest": "¿",
        "frac12": "½", "frac14": "¼", "frac34": "¾", "sup1": "¹", "sup2": "²", "sup3": "³",
        "larr": "←", "rarr": "→", "uarr": "↑", "darr": "↓", "hearts": "♥", "check": "✓", "star": "☆",
        "Tab": "\t", "NewLine": "\n", "colon": ":", "semi": ";", "comma": ",", "period": ".",
        "lpar": "(", "rpar": ")", "sol": "/", "bsol": "\\", "excl": "!", "quest": "?", "num": "#",
        "dollar": "$", "percnt": "%", "ast": "*", "plus": "+", "equals": "=", "lowbar": "_", "grave": "`",
    ]

    /// References browsers still decode without the trailing semicolon (a legacy of early HTML).
    static let legacyWithoutSemicolon: Set<String> = [
        "amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT", "nbsp", "copy", "reg", "yen", "pound",
        "cent", "deg", "times", "divide", "laquo", "raquo", "middot", "para", "sect", "micro",
        "plusmn", "frac12", "frac14", "frac34", "sup1", "sup2", "sup3", "iexcl", "iquest", "shy",
    ]

    /// Numeric references to 0x80–0x9F mean Windows-1252 characters, because that is what
    /// pages pasted from Word meant by them (https://html.spec.whatwg.org/#numeric-character-reference-end-state).
    static let windows1252: [UInt32: Unicode.Scalar] = [
        0x80: "€", 0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x86: "†", 0x87: "‡", 0x88: "ˆ",
        0x89: "‰", 0x8A: "Š", 0x8B: "‹", 0x8C: "Œ", 0x8E: "Ž", 0x91: "‘", 0x92: "’", 0x93: "“",
        0x94: "”", 0x95: "•", 0x96: "–", 0x97: "—", 0x98: "˜", 0x99: "™", 0x9A: "š", 0x9B: "›",
        0x9C: "œ", 0x9E: "ž", 0x9F: "Ÿ",
    ]

    private static let longestName = named.keys.map(\.count).max() ?? 0

    /// In attributes a legacy reference followed by a letter, digit or '=' stays literal, so a
    /// query string like `?a=1&copy=2` survives; in text it is decoded.
    static func decode(_ input: ArraySlice<Unicode.Scalar>, inAttribute: Bool) -> String {
        var output = String.UnicodeScalarView()
        var index = input.startIndex
        while index < input.endIndex {
            let scalar = input[index]
            guard scalar == "&" else {
                output.append(scalar)
                index += 1
                continue
            }
            if let (decoded, end) = numericReference(in: input, at: index) ?? namedReference(in: input, at: index, inAttribute: inAttribute) {
                output.append(decoded)
                index = end
            } else {
                output.append(scalar)
                index += 1
            }
        }
        return String(output)
    }

    /// `&#106;`, `&#x6A;`, `&#0000106` (the semicolon is optional, leading zeros are allowed).
    private static func numericReference(in input: ArraySlice<Unicode.Scalar>, at ampersand: Int) -> (Unicode.Scalar, Int)? {
        var index = ampersand + 1
        guard index < input.endIndex, input[index] == "#" else { return nil }
        index += 1
        var radix: UInt32 = 10
        if index < input.endIndex, input[index] == "x" || input[index] == "X" {
            radix = 16
            index += 1
        }
        let digitsStart = index
        var value: UInt32 = 0
        while index < input.endIndex, let digit = digitValue(input[index], radix: radix) {
            // Saturate rather than overflow; anything past U+10FFFF becomes U+FFFD anyway.
            value = min(value * radix + digit, 0x11_0000)
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < input.endIndex, input[index] == ";" { index += 1 }
        return (numericCharacter(value), index)
    }

    private static func numericCharacter(_ value: UInt32) -> Unicode.Scalar {
        if let mapped = windows1252[value] { return mapped }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static func digitValue(_ scalar: Unicode.Scalar, radix: UInt32) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f" where radix == 16: scalar.value - 87
        case "A"..."F" where radix == 16: scalar.value - 55
        default: nil
        }
    }

    private static func namedReference(in input: ArraySlice<Unicode.Scalar>, at ampersand: Int, inAttribute: Bool) -> (Unicode.Scalar, Int)? {
        var end = ampersand + 1
        var name = String.UnicodeScalarView()
        while end < input.endIndex, name.count < longestName, isASCIIAlphanumeric(input[end]) {
            name.append(input[end])
            end += 1
        }
        guard !name.isEmpty else { return nil }
        if end < input.endIndex, input[end] == ";", let decoded = named[String(name)] {
            return (decoded, end + 1)
        }
        // Without a semicolon only a legacy name counts, and the longest one that fits wins.
        let scalars = Array(name)
        for length in stride(from: scalars.count, through: 1, by: -1) {
            let candidate = String(String.UnicodeScalarView(scalars[..<length]))
            guard legacyWithoutSemicolon.contains(candidate), let decoded = named[candidate] else { continue }
            let after = ampersand + 1 + length
            if inAttribute, after < input.endIndex, isASCIIAlphanumeric(input[after]) || input[after] == "=" {
                return nil
            }
            return (decoded, after)
        }
        return nil
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
