#pragma once

#include "transport.h"

#include <QElapsedTimer>
#include <QTimer>

// A transport with no network under it: what the engine sends is recorded, and a test hands it datagrams as if they
// had arrived. Peers on one FakeNetwork reach each other; delivery is always queued to the event loop, like a socket.
class FakeNetwork;

class FakeTransport final : public Transport {
    Q_OBJECT
public:
    struct Sent {
        QByteArray data;
        Endpoint to;
        QHostAddress from;            // the local address asked for, null for any
        bool historyCommitted = true; // whether the engine's history had nothing uncommitted when it left
        qint64 atMs = 0;              // when it left, on a monotonic clock (ms)
    };

    FakeTransport(Endpoint local, FakeNetwork* network = nullptr, QObject* parent = nullptr)
        : Transport(parent)
        , m_local(std::move(local))
        , m_network(network)
    {
    }

    bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) override;
    Endpoint localEndpoint() const override { return m_local; }
    QString errorString() const override { return failSends ? QStringLiteral("the fake network is down") : QString(); }

    void deliver(const QByteArray& data, const Endpoint& from)
    {
        QTimer::singleShot(0, this, [this, data, from] { Q_EMIT received(Datagram{data, from, m_local.address}); });
    }

    QList<Sent> sent;
    std::function<bool()> isHistoryCommitted;    // set by tests that check ordering against the history
    std::function<bool(const QByteArray&)> lose; // true: this datagram is sent (and listed) but never arrives
    bool failSends = false;                      // every send fails, as a socket whose network is gone

private:
    QElapsedTimer m_clock = startedClock();
    static QElapsedTimer startedClock()
    {
        QElapsedTimer clock;
        clock.start();
        return clock;
    }
    Endpoint m_local;
    FakeNetwork* m_network;
};

class FakeNetwork {
public:
    void attach(FakeTransport* transport) { m_hosts.insert(transport->localEndpoint(), transport); }
    void route(const QByteArray& data, const Endpoint& from, const Endpoint& to)
    {
        if (FakeTransport* t = m_hosts.value(to))
            t->deliver(data, from);
    }

private:
    QHash<Endpoint, FakeTransport*> m_hosts;
};

inline bool FakeTransport::send(const QByteArray& data, const Endpoint& to, const QHostAddress& from)
{
    if (failSends)
        return false;
    sent.append({data, to, from, isHistoryCommitted ? isHistoryCommitted() : true, m_clock.elapsed()});
    if (m_network && !(lose && lose(data)))
        m_network->route(data, m_local, to);
    return true;
}
