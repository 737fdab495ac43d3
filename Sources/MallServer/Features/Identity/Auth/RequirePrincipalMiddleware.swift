import Vapor

/// Admits a request only when it carries the kind of principal the routes behind it serve, before
/// any handler decodes a body or reads the database: an anonymous caller gets 401 (and a member
/// on a staff route, or staff on a member route, 403) from here, so no staff or member handler
/// ever runs its code for a caller it was not written for. Handlers still check the permission
/// and scope of each action.
struct RequirePrincipalMiddleware: AsyncMiddleware {
    enum Kind: Sendable { case staff, member }

    static let staff = RequirePrincipalMiddleware(kind: .staff)
    static let member = RequirePrincipalMiddleware(kind: .member)

    let kind: Kind

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        switch kind {
        case .staff: _ = try request.requireStaff()
        case .member: _ = try request.requireMember()
        }
        return try await next.respond(to: request)
    }
}
