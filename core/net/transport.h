#pragma once

#include "endpoint.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QUdpSocket>

struct Datagram {
    QByteArray data;
    Endpoint from;
    // The local address the peer wrote to, so that an answer leaves from it (a peer behind NAT, or a connected UDP
    // socket, only listens to that one). Null when unknown or unusable as a source (a broadcast or multicast address).
    QHostAddress to;
};

// Moves datagrams; knows nothing of their contents. The engine talks to this interface so that tests can put a
// lossy network, or no network at all, underneath it.
class Transport : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    // False when the datagram could not be handed to the network (the reason is in errorString()). `from` picks the
    // local address it leaves from (a Datagram::to, for an answer); null lets the system choose.
    virtual bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) = 0;
    virtual Endpoint localEndpoint() const = 0;
    virtual QString errorString() const = 0;
    // Largest datagram this transport can carry.
    virtual qsizetype maxDatagramSize() const { return 65507; }

Q_SIGNALS:
    void received(const Datagram& datagram);
};

// The real thing: one QUdpSocket, drained completely on every readyRead. Received datagrams carry their destination
// address (Qt asks the kernel for it with IP_PKTINFO / IPV6_RECVPKTINFO on Linux), and send() sets the source address
// with the same control messages, so on a socket bound to all addresses an answer leaves from the address it answers.
class UdpTransport final : public Transport {
    Q_OBJECT
public:
    explicit UdpTransport(QObject* parent = nullptr);
    // On failure, errorString() names the address and port and what to do about it.
    bool bind(const QHostAddress& address, quint16 port);
    bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) override;
    Endpoint localEndpoint() const override;
    QString errorString() const override { return m_error; }
    // The kind of the last failure (after a failed bind(): in use, not an address here, needs privileges), so a front
    // end can explain it in its own terms.
    QAbstractSocket::SocketError socketError() const { return m_socket.error(); }
    // Datagrams dropped because they could not be read, and send failures, since start.
    quint64 sendFailures() const { return m_sendFailures; }

private:
    void drain();
    // `destination` as the source of an answer, or null when it cannot be one (broadcast, multicast, unspecified).
    QHostAddress answerSource(const QHostAddress& destination);

    QUdpSocket m_socket;
    QList<QHostAddress> m_broadcasts; // of the interfaces, refreshed at most every BroadcastRefreshMs
    qint64 m_broadcastsReadMs = -1;
    QString m_error;
    quint64 m_sendFailures = 0;
};

// Test decorator: drops, duplicates and reorders what passes through it, in both directions.
class LossyTransport final : public Transport {
    Q_OBJECT
public:
    struct Faults {
        double loss = 0;      // probability a datagram vanishes
        double duplicate = 0; // probability it arrives twice
        double reorder = 0;   // probability it is held back and overtaken
        int maxDelayMs = 20;  // how long a held-back datagram waits
    };
    LossyTransport(Transport* inner, Faults faults, quint32 seed, QObject* parent = nullptr);

    bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) override;
    Endpoint localEndpoint() const override { return m_inner->localEndpoint(); }
    QString errorString() const override { return m_inner->errorString(); }
    void setFaults(Faults faults) { m_faults = faults; }

private:
    template <typename Deliver>
    void pass(Deliver deliver);

    Transport* m_inner;
    Faults m_faults;
    QRandomGenerator m_random;
};
