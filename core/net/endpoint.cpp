#include "endpoint.h"

QHostAddress normalized(const QHostAddress& address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4 && address.protocol() == QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4);
    QHostAddress plain = address;
    plain.setScopeId({});
    return plain;
}

QString Endpoint::toString() const
{
    const QHostAddress a = normalized(address);
    if (a.protocol() == QAbstractSocket::IPv6Protocol)
        return u'[' + a.toString() + u"]:" + QString::number(port);
    return a.toString() + u':' + QString::number(port);
}

std::optional<Endpoint> Endpoint::parse(const QString& text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    QHostAddress address;
    if (!ok || port == 0 || port > 65535 || !address.setAddress(host))
        return std::nullopt;
    return Endpoint{normalized(address), quint16(port)};
}

size_t qHash(const Endpoint& endpoint, size_t seed)
{
    // IPv4 (also IPv4-mapped IPv6, which compares equal) hashes its 32 bits: no address copy per lookup.
    bool isV4 = false;
    const quint32 v4 = endpoint.address.toIPv4Address(&isV4);
    if (isV4)
        return qHashMulti(seed, v4, endpoint.port);
    return qHashMulti(seed, normalized(endpoint.address), endpoint.port);
}
