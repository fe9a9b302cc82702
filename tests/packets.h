#pragma once

#include "faketransport.h"
#include "ipmsg.h"

#include <QList>

// Packets as another IPMsg client would send them, and what the engine sent, for the robustness tests.

inline QByteArray ipmsgPacket(quint64 packetNo, quint32 command, const QByteArray& extension,
                              const QByteArray& user = "mallory", const QByteArray& host = "box",
                              const QByteArray& version = "1")
{
    ipmsg::Packet p;
    p.version = version;
    p.packetNo = packetNo;
    p.user = user;
    p.host = host;
    p.command = command;
    p.extension = extension;
    return ipmsg::encode(p);
}

// The packet numbers acknowledged (RECVMSG) to `to` so far.
inline QList<quint64> acksTo(const FakeTransport& transport, const Endpoint& to)
{
    QList<quint64> out;
    for (const FakeTransport::Sent& s : transport.sent) {
        const auto p = ipmsg::decode(s.data).packet;
        if (s.to == to && p && p->mode() == ipmsg::RecvMsg)
            out.append(p->text().toULongLong());
    }
    return out;
}

// Datagrams sent that carry a message (SENDMSG, or a part of a long one).
inline int messagesSent(const FakeTransport& transport)
{
    int n = 0;
    for (const FakeTransport::Sent& s : transport.sent)
        if (const auto p = ipmsg::decode(s.data).packet;
            p && (p->mode() == ipmsg::SendMsg || p->mode() == ipmsg::PigeonFragment))
            ++n;
    return n;
}

// The datagrams sent to `to` whose mode is `mode`.
inline QList<ipmsg::Packet> sentTo(const FakeTransport& transport, const Endpoint& to, quint32 mode)
{
    QList<ipmsg::Packet> out;
    for (const FakeTransport::Sent& s : transport.sent)
        if (const auto p = ipmsg::decode(s.data).packet; s.to == to && p && p->mode() == mode)
            out.append(*p);
    return out;
}
