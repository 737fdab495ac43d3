import Foundation
import MallCore
import Testing

@Suite("HTML sanitiser for product descriptions")
struct HTMLSanitizerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: String
        var testDescription: String { input.debugDescription }
    }

    static let attacks: [Case] = [
        // Event handlers and hostile sources on images.
        Case(input: "<img src=x onerror=alert(1)>", expected: ""),
        Case(input: #"<img src="https://cdn.example.com/a.jpg" onerror="alert(1)">"#, expected: #"<img src="https://cdn.example.com/a.jpg">"#),
        Case(input: #"<IMG SRC="javascript:alert('XSS')">"#, expected: ""),
        Case(input: #"<img src="data:image/svg+xml;base64,PHN2Zz4=">"#, expected: ""),
        Case(input: "<img/src=x/onerror=alert(1)>", expected: ""),
        Case(input: #"<img """><script>alert(1)</script>">"#, expected: "&quot;&gt;"),
        // javascript: links in every disguise.
        Case(input: #"<a href="JaVaScRiPt:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="&#106;avascript:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="&#x6A;avascript:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="&#X6a;avascript:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="&#0000106&#0000097vascript:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: "<a href=\"java\tscript:alert(1)\">x</a>", expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: "<a href=\"java\nscript:alert(1)\">x</a>", expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="java&Tab;script:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="jav&#x09;ascript:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="javascript&colon;alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href=" &#14;  javascript:alert(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: "<a href=\"\u{1}javascript:alert(1)\">x</a>", expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="vbscript:msgbox(1)">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="DaTa:text/html,<script>alert(1)</script>">x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href=javascript:alert(1)>x</a>"#, expected: #"<a rel="nofollow noopener">x</a>"#),
        Case(input: #"<a href="https://shop.example" onclick="steal()" target="_blank" style="color:red">go</a>"#,
             expected: #"<a href="https://shop.example" rel="nofollow noopener">go</a>"#),
        // Script, style and other containers vanish with their content.
        Case(input: "<scr<script>ipt>alert(1)</script>", expected: "ipt&gt;alert(1)"),
        Case(input: "<<script>alert(1)//<</script>", expected: "&lt;"),
        Case(input: "<SCRIPT SRC=//evil.example/xss.js></SCRIPT>after", expected: "after"),
        Case(input: "<script>document.write('</b>')</script>ok", expected: "ok"),
        Case(input: "<script>never closed <b>bold</b>", expected: ""),
        Case(input: "<svg onload=alert(1)>", expected: ""),
        Case(input: "<svg/onload=alert(1)>hidden", expected: ""),
        Case(input: "<svg><script>alert(1)</script><text>t</text></svg>after", expected: "after"),
        Case(input: "<svg/>kept", expected: "kept"),
        Case(input: "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>after", expected: "after"),
        Case(input: "<style>@import url(//evil.example/x.css);</style><p>hi</p>", expected: "<p>hi</p>"),
        Case(input: "<iframe src=\"javascript:alert(1)\"><p>inside</p></iframe>after", expected: "after"),
        Case(input: "<object data=\"evil.swf\"><param name=a value=b>fallback</object>after", expected: "after"),
        Case(input: "<embed src=evil.swf>after", expected: "after"),
        Case(input: "<template><img src=x onerror=alert(1)></template>after", expected: "after"),
        Case(input: "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", expected: "&quot;&gt;"),
        Case(input: "<textarea><script>alert(1)</script></textarea>after", expected: "after"),
        Case(input: "<xmp><img src=x onerror=alert(1)></xmp>after", expected: "after"),
        Case(input: "<plaintext><b>everything after is gone", expected: ""),
        // Breaking out of an attribute or a tag only produces text.
        Case(input: "\"><script>alert(1)</script>", expected: "&quot;&gt;"),
        Case(input: "'><img src=x onerror=alert(1)>", expected: "'&gt;"),
        Case(input: #"<a title="x" href="https://ok.example/" title="<script>alert(1)</script>">t</a>"#,
             expected: #"<a href="https://ok.example/" title="x" rel="nofollow noopener">t</a>"#),
        Case(input: #"<a title=a"onmouseover=alert(1)>t</a>"#, expected: #"<a title="a&quot;onmouseover=alert(1)" rel="nofollow noopener">t</a>"#),
        Case(input: "<div onmouseover=\"alert(1)\" class=\"x\" id=\"y\">x</div>", expected: "<div>x</div>"),
        Case(input: "<p style=\"background:url(javascript:alert(1))\">t</p>", expected: "<p>t</p>"),
        Case(input: "<b>bold", expected: "<b>bold</b>"),
        Case(input: "<a href=\"https://ok.example/\">unterminated", expected: #"<a href="https://ok.example/" rel="nofollow noopener">unterminated</a>"#),
        Case(input: "text<img src=\"https://ok.example/a.png\" onerror=\"x", expected: "text"),
        // Comments, doctypes and processing instructions are dropped.
        Case(input: "<!-- <script>alert(1)</script> -->visible", expected: "visible"),
        Case(input: "<!--> <b>after abrupt comment</b>", expected: " <b>after abrupt comment</b>"),
        Case(input: "<!-- unterminated <script>alert(1)</script>", expected: ""),
        Case(input: "<!DOCTYPE html><?xml version=\"1.0\"?>text", expected: "text"),
        Case(input: "<![CDATA[<script>alert(1)</script>]]>", expected: "alert(1)]]&gt;"),
        Case(input: "</ script>text", expected: "text"),
        // Tag names are not fooled by NUL or look-alike letters.
        Case(input: "<scr\u{0}ipt>alert(1)</scr\u{0}ipt>", expected: "alert(1)"),
    ]

    @Test("attacks lose every active part", arguments: attacks)
    func attack(_ example: Case) {
        let cleaned = HTMLSanitizer.sanitize(example.input)
        #expect(cleaned == example.expected)
        #expect(Self.violations(in: cleaned).isEmpty, "\(Self.violations(in: cleaned))")
    }

    static let goodHTML: [Case] = [
        Case(input: "<p>新鲜<strong>有机</strong>蔬菜，产地直发。</p>", expected: "<p>新鲜<strong>有机</strong>蔬菜，产地直发。</p>"),
        Case(input: "<h2>规格</h2><h3>尺寸</h3><h4>说明</h4><blockquote>“好吃”</blockquote>",
             expected: "<h2>规格</h2><h3>尺寸</h3><h4>说明</h4><blockquote>“好吃”</blockquote>"),
        Case(input: "<ul><li>一<ol><li>甲</li><li>乙</li></ol></li><li>二</li></ul>",
             expected: "<ul><li>一<ol><li>甲</li><li>乙</li></ol></li><li>二</li></ul>"),
        Case(input: "<table><thead><tr><th>规格</th><th>价格</th></tr></thead><tbody><tr><td colspan=\"2\" rowspan=\"1\">¥12.50</td></tr></tbody></table>",
             expected: "<table><thead><tr><th>规格</th><th>价格</th></tr></thead><tbody><tr><td colspan=\"2\" rowspan=\"1\">¥12.50</td></tr></tbody></table>"),
        Case(input: "<figure><img src=\"https://cdn.example.com/p.jpg\" alt=\"产品图\" width=\"640\" height=\"480\"><figcaption>实拍</figcaption></figure>",
             expected: "<figure><img src=\"https://cdn.example.com/p.jpg\" alt=\"产品图\" width=\"640\" height=\"480\"><figcaption>实拍</figcaption></figure>"),
        Case(input: "<a href=\"https://shop.example/p/1\" title=\"详情\">详情</a> <a href=\"/products/42?ref=home&amp;x=1\">站内</a> <a href=\"mailto:help@shop.example\">邮件</a>",
             expected: "<a href=\"https://shop.example/p/1\" title=\"详情\" rel=\"nofollow noopener\">详情</a> <a href=\"/products/42?ref=home&amp;x=1\" rel=\"nofollow noopener\">站内</a> <a href=\"mailto:help@shop.example\" rel=\"nofollow noopener\">邮件</a>"),
        Case(input: "<p><em>斜体</em><i>i</i><u>下划线</u><s>删除</s>H<sub>2</sub>O x<sup>2</sup><b>b</b><span>s</span></p><div>块</div>",
             expected: "<p><em>斜体</em><i>i</i><u>下划线</u><s>删除</s>H<sub>2</sub>O x<sup>2</sup><b>b</b><span>s</span></p><div>块</div>"),
        Case(input: "第一行<br/>第二行<br />第三行<hr/>", expected: "第一行<br>第二行<br>第三行<hr>"),
        Case(input: "<P ALIGN=center>大写标签</P>", expected: "<p>大写标签</p>"),
        Case(input: "<p>A &amp; B &lt; C&nbsp;&copy; 2026 &#8482; &hellip;</p>", expected: "<p>A &amp; B &lt; C\u{A0}© 2026 ™ …</p>"),
        Case(input: "1 < 2 && 3 > 2", expected: "1 &lt; 2 &amp;&amp; 3 &gt; 2"),
        Case(input: "&unknown; &copy=2 &#150;", expected: "&amp;unknown; ©=2 –"),
        Case(input: "<img src=\"/uploads/a.png\" width=\"300\" height=\"200px\" alt=\"图\">", expected: "<img src=\"/uploads/a.png\" alt=\"图\" width=\"300\">"),
        Case(input: "<img src=\"http://cdn.example.com/a.png?w=1&copy=2\">", expected: "<img src=\"http://cdn.example.com/a.png?w=1&amp;copy=2\">"),
    ]

    @Test("merchant formatting survives", arguments: goodHTML)
    func preserved(_ example: Case) {
        #expect(HTMLSanitizer.sanitize(example.input) == example.expected)
    }

    @Test("disallowed tags are dropped but their text is kept")
    func unknownTagsKeepText() {
        #expect(HTMLSanitizer.sanitize("<font color=red>红色</font><center>居中</center><marquee>滚动</marquee>") == "红色居中滚动")
        #expect(HTMLSanitizer.sanitize("<h1>大标题</h1><form action=/x><input value=1>表单</form>") == "大标题表单")
    }

    @Test("structure is repaired: implied ends, stray and misnested closing tags")
    func structureRepair() {
        #expect(HTMLSanitizer.sanitize("<ul><li>one<li>two</ul>") == "<ul><li>one</li><li>two</li></ul>")
        #expect(HTMLSanitizer.sanitize("<p>one<p>two") == "<p>one</p><p>two</p>")
        #expect(HTMLSanitizer.sanitize("<p>text<div>block</div>") == "<p>text</p><div>block</div>")
        #expect(HTMLSanitizer.sanitize("<b><i>x</b>y</i>") == "<b><i>x</i></b>y")
        #expect(HTMLSanitizer.sanitize("</p></div>stray") == "stray")
        #expect(HTMLSanitizer.sanitize("line</br>break") == "line<br>break")
        #expect(HTMLSanitizer.sanitize("<td>orphan cell</td>") == "orphan cell")
        #expect(HTMLSanitizer.sanitize("<table><tr><td>a<td>b<tr><td>c</table>")
            == "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
        #expect(HTMLSanitizer.sanitize("<a href=\"/a\">one<a href=\"/b\">two</a>")
            == "<a href=\"/a\" rel=\"nofollow noopener\">one</a><a href=\"/b\" rel=\"nofollow noopener\">two</a>")
        #expect(HTMLSanitizer.sanitize("<ul><li>a<ul><li>nested</ul></ul>") == "<ul><li>a<ul><li>nested</li></ul></li></ul>")
    }

    @Test("hostile nesting is flattened past the depth limit and stays fast")
    func deepNesting() {
        let depth = HTMLSanitizer.maximumDepth
        let nested = HTMLSanitizer.sanitize(String(repeating: "<div>", count: depth + 5) + "深")
        #expect(nested == String(repeating: "<div>", count: depth) + "深" + String(repeating: "</div>", count: depth))

        let huge = String(repeating: "<div><b>", count: 50_000) + String(repeating: "</b></div>", count: 50_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = HTMLSanitizer.sanitize(huge) }
        #expect(elapsed < .seconds(10), "linear work for 100 000 tags, took \(elapsed)")

        let hiddenForever = String(repeating: "<svg>", count: depth + 1) + String(repeating: "</svg>", count: depth + 1) + "<b>after</b>"
        #expect(HTMLSanitizer.sanitize(hiddenForever) == "", "past the limit the rest is discarded rather than tracked")
    }

    @Test("empty and plain inputs")
    func plainText() {
        #expect(HTMLSanitizer.sanitize("") == "")
        #expect(HTMLSanitizer.sanitize("只是文字") == "只是文字")
        #expect(HTMLSanitizer.sanitize("a\u{0}b\u{7}c\td\ne") == "abc\td\ne", "control characters other than tab and newline are dropped")
    }

    @Test("random markup soup is always safe, well-formed and stable under a second pass")
    func soup() {
        let fragments = [
            "<", ">", "</", "/>", "<!--", "-->", "<!", "<?", "\"", "'", "=", " ", "\t", "\n", "\u{0}", "&", "#", ";",
            "&#106;", "&#x6A", "&Tab;", "&colon;", "&#58;", "javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,",
            "alert(1)", "onerror", "onload", "style", "href", "src", "title", "https://ok.example/", "/path", "mailto:a@b.c",
            "script", "svg", "img", "a", "b", "p", "li", "ul", "table", "td", "tr", "th", "iframe", "textarea", "noscript",
            "template", "math", "xmp", "plaintext", "文字", "x", "1", "<script>", "</script>", "<img src=", "<a href=",
            "<svg>", "</svg>", "<b>", "</b>", "<p>", "</p>", "<li>", "<table>", "<td>", "</br>", "&amp;", "&lt;", "]]>",
            "<![CDATA[", "<style>", "</style>", "<a title=", "<td colspan=", "<img width=",
            "<a href=\"https://ok.example/\">", "<a href='/p' onclick=x>", "<a href=\"java&#x09;script:x\">", "</a>",
            "<img src=\"https://ok.example/i.png\" onerror=\"x\">", "<img src=/i.png alt=\"", "<td colspan=\"2\">",
        ]
        var random = CatalogTestRandom(seed: 20_260_101)
        var linksKept = 0, imagesKept = 0
        for _ in 0..<3_000 {
            let input = (0..<Int.random(in: 1...40, using: &random)).map { _ in fragments.randomElement(using: &random)! }.joined()
            let cleaned = HTMLSanitizer.sanitize(input)
            let problems = Self.violations(in: cleaned)
            #expect(problems.isEmpty, "\(input.debugDescription) → \(cleaned.debugDescription): \(problems)")
            #expect(HTMLSanitizer.sanitize(cleaned) == cleaned, "\(input.debugDescription)")
            if !problems.isEmpty { return }
            if cleaned.contains("href=") { linksKept += 1 }
            if cleaned.contains("<img") { imagesKept += 1 }
        }
        #expect(linksKept > 20 && imagesKept > 20, "the soup should exercise surviving links (\(linksKept)) and images (\(imagesKept))")
    }

    @Test("arbitrary Unicode never breaks the sanitiser")
    func arbitraryScalars() {
        var random = CatalogTestRandom(seed: 7)
        let interesting: [UInt32] = [0x3C, 0x3E, 0x26, 0x22, 0x27, 0x2F, 0x3D, 0x21, 0x2D, 0x3F, 0x23, 0x3B, 0x0, 0x9, 0xA, 0x20, 0x6A, 0x78]
        for _ in 0..<1_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...60, using: &random) {
                let value = Bool.random(using: &random)
                    ? interesting.randomElement(using: &random)!
                    : UInt32.random(in: 0...0x2FFFF, using: &random)
                scalars.append(Unicode.Scalar(value) ?? "?")
            }
            let cleaned = HTMLSanitizer.sanitize(String(scalars))
            #expect(Self.violations(in: cleaned).isEmpty)
            #expect(HTMLSanitizer.sanitize(cleaned) == cleaned)
        }
    }

    // MARK: - An independent reader of sanitiser output

    static let allowedAttributes: [String: Set<String>] = [
        "a": ["href", "title", "rel"], "img": ["src", "alt", "width", "height"], "td": ["colspan", "rowspan"], "th": ["colspan", "rowspan"],
        "p": [], "br": [], "hr": [], "strong": [], "b": [], "em": [], "i": [], "u": [], "s": [], "sub": [], "sup": [],
        "ul": [], "ol": [], "li": [], "h2": [], "h3": [], "h4": [], "blockquote": [], "span": [], "div": [],
        "table": [], "thead": [], "tbody": [], "tr": [], "figure": [], "figcaption": [],
    ]

    /// Reads output the simple way its strict shape allows (`<name attr="value">`, values with
    /// no raw quotes) and lists anything a browser could execute or mis-nest.
    static func violations(in html: String) -> [String] {
        var problems: [String] = []
        var stack: [String] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else {
                problems.append("raw '<' without a tag")
                break
            }
            if rest[..<open].contains(">") { problems.append("raw '>' in text") }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                if stack.last == name { stack.removeLast() } else { problems.append("unbalanced </\(name)>") }
                continue
            }
            let name = String(tag.prefix { $0 != " " })
            guard let allowed = allowedAttributes[name] else {
                problems.append("tag <\(name)>")
                continue
            }
            if !["br", "hr", "img"].contains(name) { stack.append(name) }
            var attributes = tag.dropFirst(name.count)
            while !attributes.isEmpty {
                guard attributes.hasPrefix(" "), let equals = attributes.range(of: "=\"") else {
                    problems.append("malformed attributes in <\(tag)>")
                    break
                }
                let attribute = String(attributes[attributes.index(after: attributes.startIndex)..<equals.lowerBound])
                let valueAndRest = attributes[equals.upperBound...]
                guard let quote = valueAndRest.firstIndex(of: "\"") else {
                    problems.append("unterminated value in <\(tag)>")
                    break
                }
                let value = String(valueAndRest[..<quote])
                attributes = valueAndRest[valueAndRest.index(after: quote)...]
                if !allowed.contains(attribute) { problems.append("attribute \(attribute) on <\(name)>") }
                if attribute == "href" || attribute == "src" {
                    let decoded = value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                        .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
                    let seenByBrowser = String(decoded.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" })
                        .drop { $0.unicodeScalars.first!.value <= 0x20 }.lowercased()
                    let schemes = attribute == "href" ? ["http:", "https:", "mailto:", "/"] : ["http:", "https:", "/"]
                    if !schemes.contains(where: { seenByBrowser.hasPrefix($0) }) { problems.append("\(attribute)=\(value)") }
                }
                if value.contains("<") || value.contains(">") { problems.append("unescaped value \(value)") }
            }
        }
        if rest.contains(">") { problems.append("raw '>' in text") }
        if !stack.isEmpty { problems.append("left open: \(stack)") }
        return problems
    }
}

