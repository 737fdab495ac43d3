import Foundation

/// A shopper's snapshot of a product for the demo's reviews: the product's packshot
/// (`ProductIllustration`) as an instant photo lying askew on a table, with a caption written
/// under it in a hand-writing face, so seeded reviews show what was bought rather than a flat tile.
///
/// The same safety as the packshot: no scripts, no external references, every piece of text
/// escaped; only the server writes these.
public enum ReviewPhotoIllustration {
    /// The picture's side in pixels; the document is square.
    public static let side = 480
    /// The caption is cut to this many characters, so it fits the photo's bottom margin.
    public static let captionLength = 16

    /// The SVG document: `subject` photographed, `caption` written under it. `seed` picks the
    /// table's colour and the photo's tilt; the same inputs draw the same picture.
    public static func svg(for subject: ProductIllustration.Subject, caption: String, seed: String) -> String {
        let hash = seed.unicodeScalars.reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 }
        // Between -6 and +6 degrees, never flat: a photo put down by hand.
        let tilt = (Double(hash % 11) - 5) * 1.2 + (hash % 2 == 0 ? 0.6 : -0.6)
        let table = tables[Int((hash / 11) % UInt32(tables.count))]
        let text = LabelText.truncated(LabelText.clean(caption), to: captionLength)
        let title = HTMLSanitizer.escape(text)
        let photo = ProductIllustration.svg(for: subject)
        // The packshot is a complete document; nested as an <svg> element it keeps its own
        // coordinates (and gradient ids, which none of this frame's reuse).
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(side)" height="\(side)" viewBox="0 0 \(side) \(side)" role="img" \
        aria-label="\(title)"><title>\(title)</title><defs>\
        <linearGradient id="table" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="\(table.0)"/>\
        <stop offset="1" stop-color="\(table.1)"/></linearGradient></defs>\
        <rect width="\(side)" height="\(side)" fill="url(#table)"/>\
        <path d="M0 120 C160 110 320 140 480 128 M0 300 C150 290 330 318 480 306 M0 420 C170 410 300 436 480 426" \
        stroke="#000" stroke-opacity=".06" stroke-width="3" fill="none"/>\
        <g transform="rotate(\(String(format: "%.1f", tilt)) 240 240)">\
        <rect x="78" y="46" width="336" height="400" rx="6" fill="#000" fill-opacity=".22"/>\
        <rect x="70" y="38" width="340" height="400" rx="6" fill="#fbfaf6"/>\
        <g transform="translate(90 58) scale(0.625)">\(photo)</g>\
        <rect x="90" y="58" width="300" height="300" fill="none" stroke="#000" stroke-opacity=".08"/>\
        <text x="240" y="408" text-anchor="middle" font-size="26" fill="#2b3a67" transform="rotate(-2 240 408)" \
        font-family="'Segoe Print','Bradley Hand','Comic Sans MS','Kaiti SC','STKaiti','KaiTi',cursive">\(title)</text>\
        </g></svg>
        """
    }

    /// Table tops: light wood, grey linen, a café's green, a warm stone.
    static let tables: [(String, String)] = [("#d9b38c", "#b98a5e"), ("#d7d5cf", "#b9b6ad"), ("#c5d6c3", "#9fb79c"), ("#e3cdb8", "#c7a98f")]
}
