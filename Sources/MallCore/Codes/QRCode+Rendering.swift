extension QRCode {
    /// The symbol as a standalone SVG document: a white background and one `<path>` of dark
    /// rectangles (one per horizontal run of dark modules), drawn in module units and scaled by
    /// `width`/`height`. `shape-rendering="crispEdges"` stops browsers from anti-aliasing
    /// module edges into grey seams that some scanners trip on. No scripts, no external
    /// references, so it can be inlined into a page as is.
    ///
    /// - Parameters:
    ///   - moduleSize: pixels per module for the `width` and `height` attributes.
    ///   - quietZone: light modules around the symbol; the specification asks for 4.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        precondition(moduleSize > 0, "moduleSize must be positive")
        precondition(quietZone >= 0, "quietZone must not be negative")
        let modulesAcross = size + 2 * quietZone
        let pixels = modulesAcross * moduleSize
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while x < size, isDark(x: x, y: y) { x += 1 }
                let run = x - start
                path += "M\(start + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
            }
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(pixels)" height="\(pixels)" \
        viewBox="0 0 \(modulesAcross) \(modulesAcross)" shape-rendering="crispEdges">\
        <rect width="\(modulesAcross)" height="\(modulesAcross)" fill="#fff"/>\
        <path fill="#000" d="\(path)"/></svg>
        """
    }

    /// The symbol as PNG bytes: 8-bit greyscale, black modules on white, `moduleSize` pixels
    /// per module and `quietZone` light modules of margin on every side.
    public func png(moduleSize: Int = 8, quietZone: Int = 4) -> [UInt8] {
        precondition(moduleSize > 0, "moduleSize must be positive")
        precondition(quietZone >= 0, "quietZone must not be negative")
        let side = (size + 2 * quietZone) * moduleSize
        precondition(side <= 8_192, "a \(side)-pixel QR image is far larger than any scanner needs")
        var pixels = [UInt8](repeating: 0xFF, count: side * side)
        for y in 0..<size {
            for x in 0..<size where isDark(x: x, y: y) {
                let left = (x + quietZone) * moduleSize
                for row in ((y + quietZone) * moduleSize)..<((y + quietZone + 1) * moduleSize) {
                    let base = row * side + left
                    for column in base..<(base + moduleSize) { pixels[column] = 0 }
                }
            }
        }
        return GrayscalePNG.encode(width: side, height: side, pixels: pixels)
    }
}
