import MallAPI
import Vapor

extension GroupBuyActivity: Content {}
extension GroupBuyGroupView: Content {}
extension GroupBuyLive: Content {}
