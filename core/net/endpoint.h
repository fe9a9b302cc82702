#pragma once

#include <QHash>
#include <QHostAddress>
#include <QString>

#include <optional>

// Where a datagram comes from or goes to.
struct Endpoint {
    QHostAddress address;
    quint16 port = 0;

    bool isNull() const { return address.isNull() || port == 0; }
    // "127.0.0.1:2425", "[::1]:2425"; IPv4-mapped IPv6 addresses are shown as IPv4.
    QString toString() const;
    static std::optional<Endpoint> parse(const QString& text);

    friend bool operator==(const Endpoint& a, const Endpoint& b)
    {
        return a.port == b.port && a.address.isEqual(b.address, QHostAddress::TolerantConversion);
    }
};

// A UDP port given as text: decimal digits (spaces around them ignored) for 1..65535; empty for anything else
// (0, a sign, a number out of range, letters). The one check behind every port a user or a file gives.
std::optional<quint16> parsePort(QStringView text);

size_t qHash(const Endpoint& endpoint, size_t seed = 0);
QHostAddress normalized(const QHostAddress& address);
