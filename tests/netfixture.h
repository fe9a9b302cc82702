#pragma once

// Shared by the network tests (tst_interop_codec, tst_plaintext, tst_lossy, tst_longmessage, tst_offlinequeue):
// a Pigeon engine over its own loopback socket with history and contacts in a folder, a latency decorator, and a
// scriptable IPMsg peer on a raw socket that plays iptux, FeiQ or IP Messenger from their documented packets.

#include "contactbook.h"
#include "history.h"
#include "ipmsg.h"
#include "messenger.h"
#include "transport.h"

#include <QHostAddress>
#include <QList>
#include <QNetworkDatagram>
#include <QTemporaryDir>
#include <QTimer>
#include <QUdpSocket>

#include <memory>

inline const QHostAddress Loopback{QHostAddress::LocalHost};

// Adds a fixed delay to every datagram this side sends: two of them make a slow link with a round trip of twice that.
class DelayTransport final : public Transport {
public:
    DelayTransport(Transport* inner, int delayMs)
        : m_inner(inner)
        , m_delayMs(delayMs)
    {
        connect(inner, &Transport::received, this, &Transport::received);
    }
    bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) override
    {
        QTimer::singleShot(m_delayMs, this, [this, data, to, from] { m_inner->send(data, to, from); });
        return true;
    }
    Endpoint localEndpoint() const override { return m_inner->localEndpoint(); }
    QString errorString() const override { return m_inner->errorString(); }

private:
    Transport* m_inner;
    int m_delayMs;
};

// Records every datagram a transport hands to the network, for checks on what went on the wire.
class RecordingTransport final : public Transport {
public:
    explicit RecordingTransport(Transport* inner)
        : m_inner(inner)
    {
        connect(inner, &Transport::received, this, &Transport::received);
    }
    bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) override
    {
        sent.append(Sent{data, to});
        return m_inner->send(data, to, from);
    }
    Endpoint localEndpoint() const override { return m_inner->localEndpoint(); }
    QString errorString() const override { return m_inner->errorString(); }

    struct Sent {
        QByteArray data;
        Endpoint to;
    };
    QList<Sent> sent;

private:
    Transport* m_inner;
};

// One Pigeon: its folder (history.sqlite, contacts.ini), a socket on 127.0.0.1 and the engine. Built in layers so that
// a test can put a lossy, slow or recording transport between the engine and the socket.
struct PigeonNode {
    enum class Layer { None, Lossy, Delay };

    PigeonNode(const QString& folder, const QString& nick, quint16 port = 0, const QHostAddress& address = Loopback)
    {
        ok = history.open(folder + QStringLiteral("/history.sqlite"));
        ok = contacts.load(folder + QStringLiteral("/contacts.ini")) && ok;
        ok = udp.bind(address, port) && ok;
        recorder = std::make_unique<RecordingTransport>(&udp);
        identity.nick = nick;
        identity.user = nick.toLower().toUtf8();
        identity.host = "loopback";
    }
    // Starts the engine over the socket, optionally behind a lossy or slow layer.
    void start(Layer layer = Layer::None, LossyTransport::Faults faults = {}, quint32 seed = 1, int delayMs = 0)
    {
        Transport* top = recorder.get();
        if (layer == Layer::Lossy) {
            lossy = std::make_unique<LossyTransport>(top, faults, seed);
            top = lossy.get();
        } else if (layer == Layer::Delay) {
            delay = std::make_unique<DelayTransport>(top, delayMs);
            top = delay.get();
        }
        messenger = std::make_unique<Messenger>(identity, &contacts, &history, top);
        QObject::connect(messenger.get(), &Messenger::deliveryChanged, messenger.get(),
                         [this](qint64 id, MessageState state) { states[id] = state; });
        QObject::connect(messenger.get(), &Messenger::messageAdded, messenger.get(), [this](const Message& m) {
            if (m.direction == Direction::Incoming)
                received.append(m);
        });
        messenger->start();
    }
    Endpoint endpoint() const { return udp.localEndpoint(); }
    QString addContact(const QString& name, const Endpoint& at, Protocol protocol = Protocol::IpMsg,
                       TextEncoding encoding = TextEncoding::Utf8)
    {
        return contacts.add(Contact{name, at.address.toString(), at.port, protocol, encoding});
    }
    int countIn(MessageState state) const
    {
        int n = 0;
        for (MessageState s : states)
            n += s == state;
        return n;
    }
    // Every message of a conversation, in display order.
    QList<Message> thread(const QString& peer)
    {
        return history.conversation(peer, std::numeric_limits<double>::max(), 1'000'000);
    }

    bool ok = false;
    Identity identity;
    ContactBook contacts;
    History history;
    UdpTransport udp;
    std::unique_ptr<RecordingTransport> recorder;
    std::unique_ptr<LossyTransport> lossy;
    std::unique_ptr<DelayTransport> delay;
    std::unique_ptr<Messenger> messenger;
    QHash<qint64, MessageState> states; // last state each outgoing message reached
    QList<Message> received;            // incoming messages as announced
};

// Alice and Bob: two Pigeons in temporary folders of their own, each the other's contact; the test starts them.
struct AliceAndBob {
    QTemporaryDir dirA;
    QTemporaryDir dirB;
    PigeonNode a{dirA.path(), QStringLiteral("Alice")};
    PigeonNode b{dirB.path(), QStringLiteral("Bob")};

    // Adds each to the other's contacts; empty on success, else what failed.
    QString introduce()
    {
        if (!a.ok || !b.ok)
            return QStringLiteral("a Pigeon's folder or socket could not be opened");
        if (const QString why = a.addContact(QStringLiteral("Bob"), b.endpoint()); !why.isEmpty())
            return why;
        return b.addContact(QStringLiteral("Alice"), a.endpoint());
    }
};

// A foreign IPMsg client on a raw socket: it says exactly what a test tells it to and records what it gets.
class RawPeer {
public:
    explicit RawPeer(QByteArray version = QByteArrayLiteral("1_iptux 0.8.3"), quint16 port = 0)
        : m_version(std::move(version))
    {
        bound = m_socket.bind(Loopback, port);
        QObject::connect(&m_socket, &QUdpSocket::readyRead, &m_socket, [this] {
            while (m_socket.hasPendingDatagrams()) {
                const QNetworkDatagram d = m_socket.receiveDatagram();
                raw.append(d.data());
                from = Endpoint{d.senderAddress(), quint16(d.senderPort())};
                if (const auto p = ipmsg::decode(d.data()).packet) {
                    packets.append(*p);
                    if (autoAck && p->mode() == ipmsg::SendMsg && p->has(ipmsg::SendCheckOpt))
                        send(ipmsg::RecvMsg | ipmsg::SendCheckOpt, QByteArray::number(p->packetNo), from);
                    if (answerEntry && p->mode() == ipmsg::BrEntry)
                        send(ipmsg::AnsEntry, entry, from);
                }
            }
        });
    }
    Endpoint endpoint() const { return Endpoint{Loopback, m_socket.localPort()}; }
    // Sends one packet (numbered like iptux, counting up from 1 unless told) and returns its number.
    quint64 send(quint32 command, const QByteArray& extension, const Endpoint& to, quint64 packetNo = 0)
    {
        ipmsg::Packet p;
        p.version = m_version;
        p.packetNo = packetNo ? packetNo : ++m_lastNo;
        m_lastNo = std::max(m_lastNo, p.packetNo);
        p.user = "tux";
        p.host = "penguin";
        p.command = command;
        p.extension = extension;
        sendRaw(ipmsg::encode(p), to);
        return p.packetNo;
    }
    void sendRaw(const QByteArray& bytes, const Endpoint& to) { m_socket.writeDatagram(bytes, to.address, to.port); }
    QList<ipmsg::Packet> withMode(quint32 mode) const
    {
        QList<ipmsg::Packet> out;
        for (const ipmsg::Packet& p : packets)
            if (p.mode() == mode)
                out.append(p);
        return out;
    }

    bool bound = false;
    bool autoAck = false;
    bool answerEntry = true;
    QByteArray entry = QByteArrayLiteral("tux\0penguins\0icon-tux.png\0utf-8");
    QList<QByteArray> raw;
    QList<ipmsg::Packet> packets;
    Endpoint from;

private:
    QByteArray m_version;
    quint64 m_lastNo = 0;
    QUdpSocket m_socket;
};
