import FuzzDriver
import VipdDoctor

/// `vipd doctor`'s reading of `nft -j list ruleset`.
fuzzMain { input in
    let json = String(decoding: input, as: UTF8.self)
    _ = try? NftablesRulesetParser.parse(json: json)
}
