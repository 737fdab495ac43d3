import MallAPI
import Vapor

// The promotion API types answer requests directly.
extension PromotionDTO: Content {}
extension PromotionStats: Content {}
extension PromotionInput: Content {}
extension MarketingSummary: Content {}
