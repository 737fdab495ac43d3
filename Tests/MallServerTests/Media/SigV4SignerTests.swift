import Foundation
import Testing
@testable import MallServer

@Suite("SigV4 signing")
struct SigV4SignerTests {
    struct VectorFile: Decodable {
        var generator: String
        var vectors: [Vector]
    }

    struct Vector: Decodable {
        struct Expected: Decodable {
            var url: String
            var canonicalRequest: String
            var stringToSign: String
            var amzDate: String
            var contentSHA256: String
            var authorization: String
        }

        var name: String
        var accessKey: String
        var secretKey: String
        var region: String
        var service: String
        var date: String
        var method: String
        var host: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var bodyBase64: String
        var expected: Expected
    }

    static func vectors() throws -> [Vector] {
        try JSONDecoder().decode(VectorFile.self, from: FixtureFiles.data("sigv4_vectors.json")).vectors
    }

    @Test("canonical request, string to sign and Authorization are byte-identical to botocore's")
    func matchesBotocore() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count >= 10)
        for vector in vectors {
            let body = try #require(Data(base64Encoded: vector.bodyBase64), "\(vector.name)")
            let date = try #require(ISO8601DateFormatter().date(from: vector.date), "\(vector.name)")
            let signer = SigV4Signer(accessKeyId: vector.accessKey, secretAccessKey: vector.secretKey, region: vector.region, service: vector.service)
            let signature = signer.sign(SigV4Signer.Message(
                method: vector.method, host: vector.host, path: vector.path,
                query: vector.query.map { ($0[0], $0[1]) }, headers: vector.headers.map { ($0[0], $0[1]) },
                payloadSHA256: SigV4Signer.sha256Hex(body)), at: date)

            #expect(signature.canonicalRequest == vector.expected.canonicalRequest, "\(vector.name)")
            #expect(signature.stringToSign == vector.expected.stringToSign, "\(vector.name)")
            #expect(signature.authorization == vector.expected.authorization, "\(vector.name)")
            #expect(signature.amzDate == vector.expected.amzDate, "\(vector.name)")
            #expect(signature.payloadSHA256 == vector.expected.contentSHA256, "\(vector.name)")
            // The path we put on the wire is the one botocore put in its URL, so what is signed is what is sent.
            let sentPath = try #require(URLComponents(string: vector.expected.url)?.percentEncodedPath)
            #expect(SigV4Signer.uriEncode(vector.path, keepSlash: true) == sentPath, "\(vector.name)")
        }
    }

    @Test("the S3 documentation's GET Object example gives its published signature")
    func documentedExample() {
        let signer = SigV4Signer(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let signature = signer.sign(SigV4Signer.Message(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", headers: [("Range", "bytes=0-9")],
            payloadSHA256: SigV4Signer.sha256Hex(Data())), at: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signature.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(signature.headers.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "Authorization"])
    }

    @Test("URI encoding keeps only unreserved characters, in upper-case hex, per UTF-8 byte")
    func uriEncoding() {
        #expect(SigV4Signer.uriEncode("a-b_c.d~e/f", keepSlash: true) == "a-b_c.d~e/f")
        #expect(SigV4Signer.uriEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(SigV4Signer.uriEncode("商品 1+1=2", keepSlash: true) == "%E5%95%86%E5%93%81%201%2B1%3D2")
        #expect(SigV4Signer.uriEncode("%41*", keepSlash: true) == "%2541%2A")
    }
}
