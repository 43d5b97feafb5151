import VipdCore

extension VRRPPacketCodec {
    /// Encodes to the VRRP message bytes with the checksum filled in (v3: over the IPv4/IPv6 pseudo-header).
    ///
    /// `source` and `destination` are the IP header's (the checksum of VRRPv3 depends on them).
    /// VRRPv2 with Auth Type 0 sends 8 zero bytes of authentication data, like keepalived; a
    /// password is zero padded to 8 bytes. For every advertisement it accepts,
    /// `decode(encode(a, ...), ...)` gives `a` back.
    ///
    /// - Precondition: the advertisement is representable, which config validation guarantees:
    ///   VRID 1...255; `interval` a whole number of seconds 1...255 (v2) or of centiseconds
    ///   1...4095 (v3), see `VRRPVersion.wireInterval(for:)`; at most 255 addresses, all of the
    ///   family of `source` and `destination`; VRRPv2 only over IPv4; authentication only in
    ///   VRRPv2, with a password of at most 8 bytes not ending in a zero byte (that is padding).
    public static func encode(_ advertisement: VRRPAdvertisement, source: IPAddress, destination: IPAddress) -> [UInt8]
    {
        let version = advertisement.version
        let family = source.family
        precondition(
            destination.family == family, "VRRP: IP source \(source) and destination \(destination) differ in family")
        precondition(version == .v3 || family == .v4, "VRRP: VRRPv2 is IPv4 only")
        precondition(advertisement.virtualRouterID != 0, "VRRP: virtual router ID 0 is not allowed")
        precondition(advertisement.addresses.count <= 255, "VRRP: more than 255 addresses")
        precondition(
            advertisement.addresses.allSatisfy { $0.family == family },
            "VRRP: every address must be of the IP source's family")
        guard let intervalUnits = version.wireInterval(for: advertisement.interval) else {
            preconditionFailure("VRRP: \(advertisement.interval) is not representable in \(version)")
        }

        var message = [
            UInt8(version.rawValue) << 4 | advertisementType,
            advertisement.virtualRouterID,
            advertisement.priority,
            UInt8(advertisement.addresses.count),
        ]
        switch version {
        case .v2:
            message += [authenticationType(advertisement.authentication), UInt8(intervalUnits)]
        case .v3:
            precondition(advertisement.authentication == .none, "VRRP: VRRPv3 has no authentication")
            message += [UInt8(intervalUnits >> 8), UInt8(intervalUnits & 0xFF)]
        }
        message += [0, 0]  // checksum, filled in last
        for address in advertisement.addresses {
            message += address.bytes
        }
        if version == .v2 {
            message += authenticationData(advertisement.authentication)
        }

        let checksum = checksum(of: message, version: version, source: source, destination: destination)
        message[checksumOffset] = UInt8(checksum >> 8)
        message[checksumOffset + 1] = UInt8(checksum & 0xFF)
        return message
    }

    /// VRRPv2's Auth Type byte.
    private static func authenticationType(_ authentication: VRRPAuthentication) -> UInt8 {
        switch authentication {
        case .none: authenticationTypeNone
        case .simplePassword: authenticationTypeSimplePassword
        }
    }

    /// VRRPv2's 8 bytes of Authentication Data: zeros, or the password zero padded.
    private static func authenticationData(_ authentication: VRRPAuthentication) -> [UInt8] {
        switch authentication {
        case .none:
            return Array(repeating: 0, count: authenticationDataSize)
        case .simplePassword(let password):
            precondition(password.count <= authenticationDataSize, "VRRP: password longer than 8 bytes")
            precondition(password.last != 0, "VRRP: password ends in a zero byte, which is padding on the wire")
            return password + Array(repeating: 0, count: authenticationDataSize - password.count)
        }
    }
}
