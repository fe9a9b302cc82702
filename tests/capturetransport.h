#pragma once

#include "ipmsg.h"
#include "transport.h"

#include <QList>

// A transport with no network under it, for the robustness tests: keeps what the engine sends and hands it whatever
// datagram the test makes up, from whatever address.
class CaptureTransport final : public Transport {
public:
    explicit CaptureTransport(Endpoint local, QObject* parent = nullptr)
        : Transport(parent)
        , m_local(std::move(local))
    {
    }

    bool send(const QByteArray& data, const Endpoint& to) override
    {
        sent.append({data, to});
        return true;
    }
    Endpoint localEndpoint() const override { return m_local; }
    QString errorString() const override { return {}; }

    void deliver(const QByteArray& data, const Endpoint& from) { Q_EMIT received(Datagram{data, from}); }

    // The RECVMSG acknowledgements sent to `to` so far, as the packet numbers they acknowledge.
    QList<quint64> acksTo(const Endpoint& to) const
    {
        QList<quint64> out;
        for (const Datagram& d : sent) {
            const auto p = ipmsg::decode(d.data).packet;
            if (d.from == to && p && p->mode() == ipmsg::RecvMsg)
                out.append(p->text().toULongLong());
        }
        return out;
    }
    // Datagrams carrying a message (SENDMSG or a part of a long one).
    int messagesSent() const
    {
        int n = 0;
        for (const Datagram& d : sent)
            if (const auto p = ipmsg::decode(d.data).packet;
                p && (p->mode() == ipmsg::SendMsg || p->mode() == ipmsg::PigeonFragment))
                ++n;
        return n;
    }

    QList<Datagram> sent; // `from` holds the destination

private:
    Endpoint m_local;
};

// An IPMsg packet as another client would send it.
inline QByteArray ipmsgPacket(quint64 packetNo, quint32 command, const QByteArray& extension,
                              const QByteArray& user = "mallory", const QByteArray& host = "box")
{
    ipmsg::Packet p;
    p.version = "1";
    p.packetNo = packetNo;
    p.user = user;
    p.host = host;
    p.command = command;
    p.extension = extension;
    return ipmsg::encode(p);
}
