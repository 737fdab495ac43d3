import Foundation
import Vapor

/// `chainmall reports-check`: folds what is new, then recomputes the sales aggregates from the
/// orders and refunds behind them and prints every row that differs; exits 1 when any does.
struct ReportsCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Checks the sales report aggregates against a recomputation from orders and refunds." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let ledger = SalesLedger(app: app, db: app.db)
        let folded = try await ledger.fold(now: app.clock.now())
        let differences = try await ledger.check()
        context.console.print("folded \(folded.orders) orders and \(folded.refunds) refunds; \(differences.count) rows differ")
        for line in differences { context.console.print(line) }
        if !differences.isEmpty { throw ExitCode.failure }
    }
}
