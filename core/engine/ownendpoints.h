#pragma once

#include "endpoint.h"

#include <QList>

#include <functional>

// Which address:port pairs are this Pigeon's own socket, so that it is never its own peer (issue 15.1): a message to
// one of them is refused, and a datagram from one of them (its own broadcast coming back, or one it sent itself) is
// dropped, whatever the protocol. Compared by address AND port only, never by the user or host names in a packet, so
// names with ':' or anything else in them change nothing (issue 15.5).
class OwnEndpoints {
public:
    using Local = std::function<Endpoint()>; // the socket's address and port, as bound
    using Clock = std::function<qint64()>;   // ms, monotonic
    // This machine's addresses are read again after this long (a new DHCP lease changes them), ms.
    static constexpr qint64 RefreshMs = 10'000;

    OwnEndpoints(Local local, Clock clock);
    // While the socket holds the port on an address, nothing else here can send from that address:port; bound to all
    // addresses, that is every address of the machine (all of 127.0.0.0/8 and ::1 included).
    bool contains(const Endpoint& endpoint) const;

private:
    Local m_local;
    Clock m_clock;
    mutable QList<QHostAddress> m_addresses;
    mutable qint64 m_readMs = -1;
};
