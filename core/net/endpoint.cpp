#include "endpoint.h"

#include <algorithm>

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

std::optional<quint16> parsePort(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](QChar c) { return c.isDigit(); }))
        return std::nullopt;
    const uint port = text.toUInt();
    if (port < 1 || port > 65535)
        return std::nullopt;
    return quint16(port);
}

std::optional<Endpoint> Endpoint::parse(const QString& text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    const auto port = parsePort(QStringView(text).mid(colon + 1));
    QHostAddress address;
    if (!port || !address.setAddress(host))
        return std::nullopt;
    return Endpoint{normalized(address), *port};
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
