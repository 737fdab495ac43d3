/// Generates simple PNG images — a coloured tile with a lighter inset square — for demo data
/// and tests, where real photographs are not available. Uncompressed (stored deflate blocks),
/// which every PNG decoder reads; the palette keeps a 240×240 tile under 60 KB.
public enum PlaceholderImage {
    public struct RGB: Hashable, Sendable {
        public var red: UInt8
        public var green: UInt8
        public var blue: UInt8

        public init(red: UInt8, green: UInt8, blue: UInt8) {
            self.red = red
            self.green = green
            self.blue = blue
        }

        /// A pleasant colour picked from a string, so each category gets its own.
        public static func from(seed: String) -> RGB {
            let hash = seed.unicodeScalars.reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 }
            let palette: [RGB] = [
                RGB(red: 0xE5, green: 0x73, blue: 0x73), RGB(red: 0xF0, green: 0x9A, blue: 0x4C), RGB(red: 0xE9, green: 0xC4, blue: 0x6A),
                RGB(red: 0x7C, green: 0xB3, blue: 0x42), RGB(red: 0x26, green: 0xA6, blue: 0x9A), RGB(red: 0x42, green: 0xA5, blue: 0xF5),
                RGB(red: 0x5C, green: 0x6B, blue: 0xC0), RGB(red: 0xAB, green: 0x47, blue: 0xBC), RGB(red: 0xEC, green: 0x40, blue: 0x7A),
                RGB(red: 0x8D, green: 0x6E, blue: 0x63),
            ]
            return palette[Int(hash % UInt32(palette.count))]
        }

        var lighter: RGB {
            RGB(red: UInt8((Int(red) + 255 * 2) / 3), green: UInt8((Int(green) + 255 * 2) / 3), blue: UInt8((Int(blue) + 255 * 2) / 3))
        }
    }

    public static func png(width: Int, height: Int, color: RGB) -> [UInt8] {
        precondition(width > 0 && height > 0 && width <= 2048 && height <= 2048)
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * height)
        let insetX = width / 4, insetY = height / 4
        for y in 0..<height {
            raw.append(0) // filter: none
            for x in 0..<width {
                raw.append(x >= insetX && x < width - insetX && y >= insetY && y < height - insetY ? 1 : 0)
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 3, 0, 0, 0] // 8-bit depth, palette colour, deflate, adaptive filtering, no interlace
        png += chunk("IHDR", header)
        let light = color.lighter
        png += chunk("PLTE", [color.red, color.green, color.blue, light.red, light.green, light.blue])
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return png
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc32(typeBytes + data))
    }

    /// A zlib stream of stored (uncompressed) deflate blocks of at most 65535 bytes each.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        return out + bigEndian(adler32(data))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return (b << 16) | a
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
