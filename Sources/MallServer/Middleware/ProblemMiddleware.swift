import Fluent
import Foundation
import PostgresNIO
import MallAPI
import MallCore
import Vapor

/// An error that knows how it should look to a client.
protocol ProblemConvertible: Error {
    var status: HTTPResponseStatus { get }
    var title: String { get }
    var detail: String? { get }
    var headers: HTTPHeaders { get }
}

extension ProblemConvertible {
    var headers: HTTPHeaders { [:] }
}

/// Errors shared by every feature; features add their own `ProblemConvertible` enums.
enum MallError: ProblemConvertible {
    case notFound(String)
    case conflict(String)
    case unauthorized(String)
    case forbidden(String)
    case tooManyRequests(String, retryAfterSeconds: Int)
    case unavailable(String)
    case badRequest(String)

    var status: HTTPResponseStatus {
        switch self {
        case .notFound: .notFound
        case .conflict: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .badRequest: .badRequest
        }
    }

    var title: String { status.reasonPhrase }

    var detail: String? {
        switch self {
        case .notFound(let m), .conflict(let m), .unauthorized(let m), .forbidden(let m), .unavailable(let m),
             .badRequest(let m), .tooManyRequests(let m, _):
            m
        }
    }

    var headers: HTTPHeaders {
        switch self {
        case .tooManyRequests(_, let seconds): ["Retry-After": String(seconds)]
        case .unauthorized: ["WWW-Authenticate": "Bearer"]
        default: [:]
        }
    }
}

/// Renders every error as RFC 9457 problem details. Replaces Vapor's ErrorMiddleware so that no
/// error, however it arose, reaches a client in another shape.
struct ProblemMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return render(error, for: request)
        }
    }

    func render(_ error: any Error, for request: Request) -> Response {
        var headers: HTTPHeaders = [:]
        var problem: Problem
        switch error {
        case let failure as ValidationFailure:
            problem = Problem(title: "Unprocessable Content", status: 422, detail: "Some fields are invalid.", errors: failure.errors)
        case let overflow as ArithmeticOverflow:
            // Bounded inputs make this unreachable; stored data from before the bounds may not be.
            request.logger.warning("arithmetic overflow refused: \(overflow.quantity)")
            problem = Problem(title: "Unprocessable Content", status: 422, detail: overflow.description)
        case let mismatch as CurrencyMismatch:
            problem = Problem(title: "Unprocessable Content", status: 422, detail: mismatch.description)
        case let transition as IllegalTransition:
            problem = Problem(title: "Conflict", status: 409, detail: transition.message)
        case let decoding as DecodingError:
            problem = Self.problem(for: decoding)
        case let database as any DatabaseError where database.isConstraintFailure:
            // A uniqueness or reference rule the checks before the write did not catch (two
            // requests racing for the same code, say): the data is intact, the request conflicts.
            problem = Problem(title: "Conflict", status: 409, detail: "This change conflicts with existing data (a value that must be unique is already taken, or a referenced record is missing).")
        case let postgres as PSQLError where ["40P01", "40001"].contains(postgres.serverInfo?[.sqlState] ?? ""):
            // Deadlock or serialization failure: nothing was written; the same request may succeed now.
            headers = ["Retry-After": "1"]
            problem = Problem(title: "Service Unavailable", status: 503, detail: "The request collided with another one and was rolled back; retry it.")
        case let convertible as ProblemConvertible:
            problem = Problem(title: convertible.title, status: Int(convertible.status.code), detail: convertible.detail)
            headers = convertible.headers
        case let abort as any AbortError:
            problem = Problem(title: abort.status.reasonPhrase, status: Int(abort.status.code), detail: Self.clientText(for: abort))
            headers = abort.headers
        default:
            problem = Problem(title: "Internal Server Error", status: 500, detail: "Something went wrong on our side; the request id helps us find it.")
        }
        if let stored = error as? StoredDataError {
            request.logger.error("\(stored.description)")
        } else if problem.status >= 500 && !(error is any AbortError) && !(error is ProblemConvertible) {
            request.logger.error("unhandled error: \(String(reflecting: error))")
        }
        problem.instance = request.url.path
        problem.requestId = request.requestId
        problem.title = request.serverText(problem.title)
        problem.detail = problem.detail.map(request.serverText)
        problem.errors = problem.errors?.map { FieldError(field: $0.field, message: request.serverText($0.message)) }
        let response = Response(status: HTTPResponseStatus(statusCode: problem.status))
        for (name, value) in headers where name.lowercased() != "content-type" {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        do {
            response.body = .init(data: try JSONEncoder.api.encode(problem))
            response.headers.replaceOrAdd(name: .contentType, value: "application/problem+json; charset=utf-8")
        } catch {
            response.body = .init(string: "{\"title\":\"Internal Server Error\",\"status\":500}")
        }
        return response
    }

    /// Vapor's own aborts say things like "Payload Too Large"; keep their reason when it is a
    /// sentence meant for users and never leak Swift type names.
    static func clientText(for abort: any AbortError) -> String? {
        let reason = abort.reason
        if reason == abort.status.reasonPhrase { return nil }
        if abort.status == .payloadTooLarge { return "The request body is larger than this endpoint accepts." }
        if abort.status == .unsupportedMediaType { return "Send the body as application/json." }
        return reason
    }

    /// Malformed JSON is a 400; well-formed JSON with wrong or missing fields is a 422 naming them.
    static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
                .joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        let field: FieldError
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Problem(title: "Bad Request", status: 400, detail: "The request body is not valid JSON.")
        case .dataCorrupted(let context):
            field = FieldError(field: path(context.codingPath), message: "has a value that is not allowed here")
        case .keyNotFound(let key, let context):
            field = FieldError(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                return Problem(title: "Bad Request", status: 400, detail: "The request body must be a JSON object.")
            }
            field = FieldError(field: path(context.codingPath), message: "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            field = FieldError(field: path(context.codingPath), message: "must be \(describe(type)), not null")
        @unknown default:
            return Problem(title: "Bad Request", status: 400, detail: "The request body could not be read.")
        }
        return Problem(title: "Unprocessable Content", status: 422, detail: "Some fields are invalid.", errors: [field])
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is UUID.Type: "an id"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}

extension JSONEncoder {
    /// The API's JSON: ISO 8601 dates, stable key order so responses diff cleanly.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

extension JSONDecoder {
    static let api: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
