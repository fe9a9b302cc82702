#include "ownendpoints.h"

#include <QNetworkInterface>

OwnEndpoints::OwnEndpoints(Local local, Clock clock)
    : m_local(std::move(local))
    , m_clock(std::move(clock))
{
}

bool OwnEndpoints::contains(const Endpoint& endpoint) const
{
    const Endpoint local = m_local();
    if (endpoint.port != local.port || endpoint.port == 0)
        return false;
    if (endpoint == local)
        return true;
    // Bound to one address, only that address is this Pigeon (two Pigeons may share a port on 127.0.0.1 and
    // 127.0.0.2).
    if (local.address != QHostAddress::Any && local.address != QHostAddress::AnyIPv4 &&
        local.address != QHostAddress::AnyIPv6)
        return false;
    if (normalized(endpoint.address).isLoopback())
        return true;
    const qint64 now = m_clock();
    if (m_readMs < 0 || now - m_readMs > RefreshMs) {
        m_readMs = now;
        m_addresses = QNetworkInterface::allAddresses();
    }
    return std::any_of(m_addresses.cbegin(), m_addresses.cend(), [&](const QHostAddress& a) {
        return a.isEqual(endpoint.address, QHostAddress::TolerantConversion);
    });
}
