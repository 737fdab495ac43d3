import Foundation
import Testing
import Vapor
@testable import MallServer

@Suite("API document")
struct OpenAPITests {
    /// Reads `paths:` and the HTTP methods under each from openapi.yaml without a YAML library:
    /// paths sit at two spaces of indentation, operations at four.
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations = Set<String>()
        var inPaths = false
        var currentPath: String?
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let first = line.first, !first.isWhitespace, first != "#" { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast()).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if line.hasSuffix(":"), methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test("openapi.yaml names every /api/v1 route and nothing else")
    func documentMatchesRoutes() async throws {
        try await withTestApp { app in
            let registered = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return path.hasPrefix("/api/v1/") ? "\(route.method.rawValue) \(path)" : nil
            })
            let yaml = try String(contentsOfFile: app.directory.workingDirectory + "openapi.yaml", encoding: .utf8)
            let documented = Self.documentedOperations(yaml)
            #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
            #expect(documented.subtracting(registered).sorted() == [], "documented operations that do not exist")
            #expect(registered.count > 30)

            let served = try await app.send(.GET, "/api/v1/openapi.yaml")
            #expect(served.status == .ok)
            #expect(served.text.contains("\nopenapi: 3.1"))
        }
    }
}
