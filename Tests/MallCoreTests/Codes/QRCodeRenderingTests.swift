import Foundation
@testable import MallCore
import Testing

@Suite("QR codes: SVG and PNG rendering")
struct QRCodeRenderingTests {
    @Test("the SVG is one crisp-edged path whose rectangles are exactly the dark modules")
    func svgModules() throws {
        let code = try QRCode.encode("chainmall:pickup:SO2026112700042:123456")
        let side = code.size + 8

        let svg = code.svg(moduleSize: 5, quietZone: 4)

        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(side * 5)\" height=\"\(side * 5)\" viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(!svg.lowercased().contains("script"))
        #expect(!svg.contains("href"))

        // Every subpath is "M x y h run v1 h-run z"; paint them back onto a grid.
        let d = try #require(svg.components(separatedBy: " d=\"").last?.components(separatedBy: "\"").first)
        var painted = Set<[Int]>()
        let scanner = Scanner(string: d)
        while !scanner.isAtEnd {
            #expect(scanner.scanString("M") != nil)
            let x = try #require(scanner.scanInt()), y = try #require(scanner.scanInt())
            #expect(scanner.scanString("h") != nil)
            let run = try #require(scanner.scanInt())
            #expect(scanner.scanString("v1h-\(run)z") != nil)
            for column in x..<(x + run) { painted.insert([column - 4, y - 4]) }
        }
        var dark = Set<[Int]>()
        for y in 0..<code.size { for x in 0..<code.size where code.isDark(x: x, y: y) { dark.insert([x, y]) } }
        #expect(painted == dark)
    }

    @Test("the PNG is 8-bit greyscale with valid chunk CRCs, stored deflate blocks and Adler-32")
    func pngStructure() throws {
        let code = try QRCode.encode(String(repeating: "pickup ", count: 40), errorCorrection: .high)
        let moduleSize = 6, quietZone = 4
        let side = (code.size + 2 * quietZone) * moduleSize

        let png = code.png(moduleSize: moduleSize, quietZone: quietZone)

        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var chunks: [(type: String, data: [UInt8])] = []
        var offset = 8
        while offset < png.count {
            let length = Int(readUInt32(png, at: offset))
            let typeAndData = Array(png[(offset + 4)..<(offset + 8 + length)])
            #expect(readUInt32(png, at: offset + 8 + length) == GrayscalePNG.crc32(typeAndData))
            chunks.append((String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4))))
            offset += 12 + length
        }
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        let header = chunks[0].data
        #expect(readUInt32(header, at: 0) == UInt32(side))
        #expect(readUInt32(header, at: 4) == UInt32(side))
        #expect(Array(header.suffix(5)) == [8, 0, 0, 0, 0])

        // Unpack the stored blocks and compare every pixel with the modules.
        let zlib = chunks[1].data
        #expect(Array(zlib.prefix(2)) == [0x78, 0x01])
        #expect((Int(zlib[0]) << 8 | Int(zlib[1])) % 31 == 0)
        var raw: [UInt8] = []
        var position = 2
        var isFinal = false
        while !isFinal {
            isFinal = zlib[position] == 1
            let length = Int(zlib[position + 1]) | Int(zlib[position + 2]) << 8
            let complement = Int(zlib[position + 3]) | Int(zlib[position + 4]) << 8
            #expect(length ^ complement == 0xFFFF)
            raw += zlib[(position + 5)..<(position + 5 + length)]
            position += 5 + length
        }
        #expect(position + 4 == zlib.count)
        #expect(readUInt32(zlib, at: position) == GrayscalePNG.adler32(raw))
        #expect(raw.count == (side + 1) * side)
        var mismatches = 0
        for py in 0..<side {
            #expect(raw[py * (side + 1)] == 0)
            for px in 0..<side {
                let dark = code.isDark(x: px / moduleSize - quietZone, y: py / moduleSize - quietZone)
                if raw[py * (side + 1) + 1 + px] != (dark ? 0 : 255) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("checksums match the published check values")
    func checksums() {
        // Check values for the ASCII string "123456789" from the PNG and zlib specifications.
        #expect(GrayscalePNG.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(GrayscalePNG.adler32(Array("123456789".utf8)) == 0x091E_01DE)
        #expect(GrayscalePNG.adler32([UInt8](repeating: 0xFF, count: 100_000)) == naiveAdler32([UInt8](repeating: 0xFF, count: 100_000)))
    }

    private func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private func naiveAdler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }
}
