import Fluent
import Foundation
import Vapor

extension PaymentService {
    /// The provider a new payment starts with: the sandbox when it is on, otherwise the first
    /// real provider, so a payment can never be settled through a switched-off test gateway.
    func initialProvider(on db: any Database) async throws -> String {
        let offered = try await PaymentRoutes.enabledProviders(app, on: db)
        return offered.contains { $0.code == SandboxGateway.provider } ? SandboxGateway.provider : offered.first?.code ?? SandboxGateway.provider
    }
}
