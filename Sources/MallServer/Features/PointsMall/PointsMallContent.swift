import MallAPI
import Vapor

// The points mall's API types as Vapor content (kept beside the feature to keep merges apart).
extension PointsMallItem: Content {}
extension PointsMallItemDetail: Content {}
extension PointsMallRedemption: Content {}
extension RedemptionResult: Content {}
extension Lottery: Content {}
extension LotteryView: Content {}
extension LotteryDraw: Content {}
extension LotteryDrawResult: Content {}
extension LotteryDrawAudit: Content {}
