import Crypto
import Foundation
import MallAPI
import NIOCore
import Testing
import Vapor
import VaporTesting
@testable import MallServer

/// The committed inputs under Tests/MallServerTests/Fixtures (made by Tests/vectors/*.py).
enum FixtureFiles {
    static func data(_ relativePath: String) throws -> Data {
        let url = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/" + relativePath)
        return try Data(contentsOf: url)
    }

    static func image(_ name: String) throws -> [UInt8] { Array(try data("images/" + name)) }

    static func sha256(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

/// A multipart/form-data body built by hand, the way a browser form sends it.
struct MultipartForm {
    static let boundary = "----ChainMallTestBoundary7MA4YWxkTrZu0gW"
    private(set) var body = ByteBuffer()

    mutating func field(_ name: String, _ value: String) {
        body.writeString("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
    }

    mutating func file(_ name: String, filename: String, contentType: String, bytes: [UInt8]) {
        body.writeString("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        body.writeString("Content-Type: \(contentType)\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n")
    }

    func finished() -> ByteBuffer {
        var result = body
        result.writeString("--\(Self.boundary)--\r\n")
        return result
    }

    static func image(_ bytes: [UInt8], merchant: UUID, filename: String = "photo.png", contentType: String = "image/png") -> MultipartForm {
        var form = MultipartForm()
        form.field("merchantId", merchant.uuidString)
        form.file("file", filename: filename, contentType: contentType, bytes: bytes)
        return form
    }
}

extension Application {
    static let imageUploadPath = "/api/v1/admin/media/images"

    /// Posts a multipart form to the upload endpoint, in memory or through `tester` (a running server).
    func upload(_ form: MultipartForm, token: String?, path: String = Application.imageUploadPath,
                tester: (any TestingApplicationTester)? = nil) async throws -> APIResponse {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(MultipartForm.boundary)")
        let request = TestingHTTPRequest(method: .POST, url: URI(path: path), headers: headers, body: form.finished())
        let client = try tester ?? testing()
        let response = try await client.performTest(request: request)
        return APIResponse(status: response.status, headers: response.headers, body: response.body)
    }

    func uploadImage(_ bytes: [UInt8], merchant: UUID, token: String?, filename: String = "photo.png",
                     contentType: String = "image/png") async throws -> APIResponse {
        try await upload(.image(bytes, merchant: merchant, filename: filename, contentType: contentType), token: token)
    }
}

/// Where S3 integration tests point (CI starts moto and sets it); unset means they are skipped.
var s3TestURL: String? { ProcessInfo.processInfo.environment["S3_TEST_URL"].flatMap { $0.isEmpty ? nil : $0 } }
