/// Reed–Solomon error correction over GF(2⁸) as QR Codes use it (ISO/IEC 18004 §7.5.2):
/// the field is built on the primitive polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D), and the
/// generator polynomial for n EC codewords is (x − α⁰)(x − α¹)…(x − αⁿ⁻¹).
enum QRReedSolomon {
    /// αⁱ for i in 0..<255, doubled in length so products of two logarithms need no modulo.
    static let exponents: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 512)
        var value = 1
        for power in 0..<255 {
            table[power] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 { table[power] = table[power - 255] }
        return table
    }()

    /// log_α(v) for v in 1...255; entry 0 is never read.
    static let logarithms: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for power in 0..<255 { table[Int(exponents[power])] = power }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        guard a != 0, b != 0 else { return 0 }
        return exponents[logarithms[Int(a)] + logarithms[Int(b)]]
    }

    /// Coefficients of the generator polynomial of the given degree, highest power first,
    /// without the leading 1 (which is implicit). Degree 10 gives α-exponents
    /// 251, 67, 46, 61, 118, 70, 64, 94, 32, 45 as listed in Annex A.
    static func generator(degree: Int) -> [UInt8] {
        precondition(degree > 0 && degree < 255)
        // Start from the polynomial 1 and multiply by (x − αⁱ) for each root; in GF(2⁸)
        // subtraction is XOR, so − αⁱ is just αⁱ.
        var coefficients: [UInt8] = [1]
        for root in 0..<degree {
            var next = [UInt8](repeating: 0, count: coefficients.count + 1)
            for (index, coefficient) in coefficients.enumerated() {
                next[index] ^= coefficient
                next[index + 1] ^= multiply(coefficient, exponents[root])
            }
            coefficients = next
        }
        return Array(coefficients.dropFirst())
    }

    /// The EC codewords for one block: the remainder of data(x)·xⁿ divided by the generator.
    static func errorCorrectionCodewords(for data: [UInt8], count: Int) -> [UInt8] {
        let generator = generator(degree: count)
        var remainder = [UInt8](repeating: 0, count: count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<count {
                remainder[index] ^= multiply(generator[index], factor)
            }
        }
        return remainder
    }
}
