import MallCore
import Testing

@Suite("Stock changes")
struct StockChangeTests {
    @Test("only changes that add stock apply to any level, so they may be applied in bulk")
    func alwaysApplies() throws {
        for kind in [StockMovementKind.receipt, .transferIn, .return] {
            let change = try StockChange.movement(kind, quantity: 5)
            #expect(change.alwaysApplies, "\(kind)")
            #expect(change.applied(to: StockLevel(onHand: 0, reserved: 0)) == StockLevel(onHand: 5, reserved: 0))
        }
        for kind in [StockMovementKind.outbound, .transferOut, .reserve, .release, .commit] {
            #expect(!(try StockChange.movement(kind, quantity: 5)).alwaysApplies, "\(kind)")
        }
        #expect(try StockChange.movement(.adjustment, quantity: 3).alwaysApplies, "a positive adjustment only adds")
        #expect(!(try StockChange.movement(.adjustment, quantity: -3)).alwaysApplies)
        #expect(try StockChange.movement(.reserve, quantity: 5).applied(to: StockLevel(onHand: 4, reserved: 0)) == nil)
    }
}
