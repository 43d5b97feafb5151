import VipdCore

extension VRRPPacketCodec {
    /// Decodes the VRRP message (the bytes after the IP header) with the RFC checks of the message itself;
    /// hopLimit is the IP TTL / hop limit, reported in the result.
    ///
    /// The checks, in order: source and destination of one family, fixed header present,
    /// version 2 or 3, type 1, no VRRPv2 over IPv6, exact length for Count
    /// IP Addrs (plus VRRPv2's 8 bytes of authentication data), checksum, VRID not 0, interval
    /// not 0, VRRPv2 Auth Type 0 or 1.
    /// The address family is the IP source's. Reserved bits and VRRPv2 authentication data with
    /// Auth Type 0 are ignored, as the RFCs say. Whether the VRID, addresses and interval match a
    /// configured router is the receiver's business, not the codec's, and so is the TTL / hop
    /// limit, which is only reported (`VRRPHopLimitRule`).
    ///
    /// A VRRPv3 IPv4 message sent to a unicast peer is also accepted when its pseudo-header used
    /// 224.0.0.18 instead of the real destination: keepalived before 1.3.6, or with
    /// `old_unicast_checksum`, computes it that way, and keepalived accepts it too.
    ///
    /// `enforcing` leaves out the checksum check for an observer (see `VRRPWireChecks`);
    /// the result then says whether the checksum was right.
    ///
    /// Never traps, whatever the bytes: every problem is a `VRRPPacketError`.
    public static func decode(
        _ message: some Collection<UInt8>, source: IPAddress, destination: IPAddress, hopLimit: Int,
        enforcing checks: VRRPWireChecks = .all
    ) throws(VRRPPacketError) -> VRRPReceivedPacket {
        let bytes = Array(message)
        guard source.family == destination.family else { throw .mismatchedAddressFamilies }
        guard bytes.count >= fixedHeaderSize else {
            throw .truncated(length: bytes.count, needed: fixedHeaderSize)
        }

        let versionNumber = Int(bytes[0] >> 4)
        guard let version = VRRPVersion(rawValue: versionNumber) else { throw .unsupportedVersion(versionNumber) }
        guard bytes[0] & 0x0F == advertisementType else { throw .unsupportedType(Int(bytes[0] & 0x0F)) }
        guard version == .v3 || source.family == .v4 else { throw .version2OverIPv6 }

        let addressSize = source.bytes.count
        let count = Int(bytes[3])
        let fixedSize = fixedHeaderSize + trailerSize(version)
        guard bytes.count >= fixedSize else { throw .truncated(length: bytes.count, needed: fixedSize) }
        let addressBytes = bytes.count - fixedSize
        guard addressBytes >= count * addressSize else {
            throw .addressCountMismatch(count: count, addressBytes: addressBytes)
        }
        guard addressBytes == count * addressSize else { throw .trailingBytes(addressBytes - count * addressSize) }

        var checksumIsValid = true
        do throws(VRRPPacketError) {
            try verifyChecksum(bytes, version: version, source: source, destination: destination)
        } catch {
            guard !checks.contains(.checksum) else { throw error }
            checksumIsValid = false
        }

        guard bytes[1] != 0 else { throw .invalidVirtualRouterID }
        let intervalUnits = version == .v2 ? UInt16(bytes[5]) : UInt16(bytes[4] & 0x0F) << 8 | UInt16(bytes[5])
        guard intervalUnits != 0 else { throw .zeroInterval }

        let addressesEnd = fixedHeaderSize + count * addressSize
        let addresses = stride(from: fixedHeaderSize, to: addressesEnd, by: addressSize).map {
            wireAddress(bytes[$0..<($0 + addressSize)])
        }
        let authentication = try version == .v2 ? decodeAuthentication(bytes, dataAt: addressesEnd) : .none

        let advertisement = VRRPAdvertisement(
            version: version, virtualRouterID: bytes[1], priority: bytes[2],
            interval: version.interval(fromWire: intervalUnits), addresses: addresses,
            authentication: authentication)
        return VRRPReceivedPacket(
            advertisement: advertisement, source: source, destination: destination, hopLimit: hopLimit,
            checksumIsValid: checksumIsValid)
    }

    /// The VRRP message of the IP packet at the start of `packet`, whose header `header` was
    /// parsed from it (`IPHeader.ipv4` / `.ipv6`; bytes after `header.packetLength` are ignored).
    ///
    /// Checks that it is not an IPv4 fragment and that the protocol / next header is 112, then
    /// decodes the payload with `decode(_:source:destination:hopLimit:enforcing:)`.
    public static func decode(
        _ packet: some Collection<UInt8>, header: IPHeader, enforcing checks: VRRPWireChecks = .all
    ) throws(VRRPPacketError) -> VRRPReceivedPacket {
        guard !header.isFragment else { throw .fragmented }
        guard header.protocolNumber == ipProtocolNumber else { throw .notVRRPProtocol(header.protocolNumber) }
        let bytes = Array(packet.prefix(header.packetLength))
        guard bytes.count == header.packetLength else {
            throw .ipLengthMismatch(declared: header.packetLength, received: bytes.count)
        }
        return try decode(
            bytes[header.headerLength...], source: header.source, destination: header.destination,
            hopLimit: header.hopLimit, enforcing: checks)
    }

    /// Throws `badChecksum` unless the checksum field is right (see `decode` for keepalived's old variant).
    private static func verifyChecksum(
        _ bytes: [UInt8], version: VRRPVersion, source: IPAddress, destination: IPAddress
    ) throws(VRRPPacketError) {
        let received = UInt16(bytes[checksumOffset]) << 8 | UInt16(bytes[checksumOffset + 1])
        let computed = checksum(of: bytes, version: version, source: source, destination: destination)
        guard received != computed else { return }
        if version == .v3, source.family == .v4, destination != ipv4MulticastGroup,
            received == checksum(of: bytes, version: version, source: source, destination: ipv4MulticastGroup)
        {
            return
        }
        throw .badChecksum(received: received, computed: computed)
    }

    /// VRRPv2's Auth Type (byte 4) with its 8 bytes of Authentication Data at `offset`.
    private static func decodeAuthentication(
        _ bytes: [UInt8], dataAt offset: Int
    ) throws(VRRPPacketError) -> VRRPAuthentication {
        switch bytes[4] {
        case authenticationTypeNone:
            return .none
        case authenticationTypeSimplePassword:
            var password = Array(bytes[offset..<(offset + authenticationDataSize)])
            while password.last == 0 { password.removeLast() }
            return .simplePassword(password)
        default:
            throw .unsupportedAuthenticationType(Int(bytes[4]))
        }
    }
}
