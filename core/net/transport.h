#pragma once

#include "endpoint.h"

#include <QAbstractSocket>
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <sys/socket.h>

#include <array>
#include <memory>

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
    // local address it leaves from (a Datagram::to, for an answer); null lets the system choose. Inside a Batch, a
    // transport may hold the datagram back and answer true; a failure when the batch goes out is counted as the
    // transport counts failures (UdpTransport: sendFailures(), errorString()).
    virtual bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) = 0;

    // A scope in which send() may gather datagrams and hand them to the network together when the outermost scope
    // ends (UdpTransport: a few system calls for a window's worth). Outside every scope send() is immediate, so chat
    // never waits. Scopes nest; only the outermost one's end sends.
    class Batch {
    public:
        explicit Batch(Transport* transport)
            : m_transport(transport)
        {
            m_transport->beginBatch();
        }
        ~Batch() { m_transport->endBatch(); }
        Q_DISABLE_COPY_MOVE(Batch)

    private:
        Transport* m_transport;
    };
    // What Batch calls; a transport without batching does nothing.
    virtual void beginBatch() {}
    virtual void endBatch() {}
    virtual Endpoint localEndpoint() const = 0;
    virtual QString errorString() const = 0;
    // Largest datagram this transport can carry.
    virtual qsizetype maxDatagramSize() const { return 65507; }

Q_SIGNALS:
    void received(const Datagram& datagram);
};

// The real thing: one UDP socket of its own (::socket, ::bind, a QSocketNotifier), drained on every notification.
// Received datagrams carry their destination address (IP_PKTINFO / IPV6_RECVPKTINFO, ip(7), ipv6(7)), and send()
// sets the source address with the same control messages, so on a socket bound to all addresses an answer leaves
// from the address it answers.
//
// Batched I/O (Linux): inside a Batch, runs of equal-size datagrams (the last may be shorter) to one destination from
// one source go out as one sendmsg() with UDP generic segmentation offload, the UDP_SEGMENT control message (udp(7),
// Linux >= 4.18; at most 64 segments, 65 507 bytes): the kernel cuts the buffer into separate datagrams, each still
// one datagram on the wire; all of a batch's messages go in one sendmmsg(). Where the kernel refuses UDP_SEGMENT
// (EIO, EINVAL, ENOPROTOOPT, EOPNOTSUPP for datagrams that go out without it), the transport stops asking and sends
// every datagram as a message of its own, still one sendmmsg() per batch. Reading, UDP_GRO (udp(7), Linux >= 5.0)
// lets the kernel hand over such a run in one buffer, with its segment size in a control message: the transport
// splits it into the datagrams it was, and recvmmsg() reads several buffers per system call.
class UdpTransport final : public Transport {
    Q_OBJECT
public:
    explicit UdpTransport(QObject* parent = nullptr);
    ~UdpTransport() override;
    // On failure, errorString() names the address and port and what to do about it. QHostAddress::Any is a
    // dual-stack IPv6 socket (IPv4 peers as IPv4-mapped addresses), or IPv4 where the system has no IPv6.
    bool bind(const QHostAddress& address, quint16 port);
    bool send(const QByteArray& data, const Endpoint& to, const QHostAddress& from = {}) override;
    void beginBatch() override { ++m_batchDepth; }
    void endBatch() override;
    // Null address and port 0 when not bound.
    Endpoint localEndpoint() const override { return m_local; }
    QString errorString() const override { return m_error; }
    // The kind of the last bind() failure (in use, not an address here, needs privileges), so a front end can
    // explain it in its own terms; UnknownSocketError after a bind() that worked.
    QAbstractSocket::SocketError socketError() const { return m_socketError; }
    // Datagrams that could not be handed to the network, since start.
    quint64 sendFailures() const { return m_sendFailures; }
    // Whether runs in a batch go out with UDP_SEGMENT (false once the kernel refused it).
    bool segmentationOffload() const { return m_gso; }
    // Datagrams that arrived coalesced by UDP_GRO (two or more in one buffer), since start.
    quint64 coalescedDatagrams() const { return m_coalesced; }
    // The socket, -1 when not bound; for tests that change socket options under the transport.
    int socketDescriptor() const { return m_fd; }

    // Datagrams sent in one sendmmsg() at most (a batch reaching it goes out and a new one starts).
    static constexpr int MaxBatch = 64;

private:
    struct Outgoing {
        QByteArray data;
        Endpoint to;
        QHostAddress from;
    };
    // One message of a sendmmsg(): where to, the control messages (UDP_SEGMENT first, then the source's pktinfo).
    struct Message {
        sockaddr_storage name;
        alignas(cmsghdr) char control[64];
        size_t segmentControl; // bytes of `control` taken by UDP_SEGMENT (0 without)
        size_t controlBytes;   // all of `control` in use
        int first;             // index in m_queue
        int count;             // datagrams in it
    };

    void drain();
    // Sends m_queue and empties it; returns the datagrams that failed (counted, errorString() set).
    int flush();
    // The datagrams from `first` that can go as one UDP_SEGMENT message.
    int runLength(int first) const;
    // Fills `message` (and its iovecs in m_iov from `first`) for m_queue[first, first + count).
    void prepare(int index, int first, int count, bool segmented);
    // Sends m_queue[first, first + count) each as its own datagram (sendmsg); returns those that failed.
    int sendEach(int first, int count);
    void failed(const Outgoing& datagram, int error, int datagrams);
    // `destination` as the source of an answer, or null when it cannot be one (broadcast, multicast, unspecified).
    QHostAddress answerSource(const QHostAddress& destination);

    int m_fd = -1;
    int m_family = AF_UNSPEC;
    Endpoint m_local;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QAbstractSocket::SocketError m_socketError = QAbstractSocket::UnknownSocketError;
    QList<QHostAddress> m_broadcasts; // of the interfaces, refreshed at most every BroadcastRefreshMs
    qint64 m_broadcastsReadMs = -1;
    QString m_error;
    quint64 m_sendFailures = 0;
    quint64 m_coalesced = 0;
    bool m_gso = true;
    int m_batchDepth = 0;
    QList<Outgoing> m_queue;
    std::array<Message, MaxBatch> m_messages;
    std::array<mmsghdr, MaxBatch> m_headers;
    std::array<iovec, MaxBatch> m_iov;
    std::unique_ptr<char[]> m_readBuffers; // ReadSlots buffers of 64 KiB, allocated at the first read
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
    void beginBatch() override { m_inner->beginBatch(); }
    void endBatch() override { m_inner->endBatch(); }
    void setFaults(Faults faults) { m_faults = faults; }

private:
    template <typename Deliver>
    void pass(Deliver deliver);

    Transport* m_inner;
    Faults m_faults;
    QRandomGenerator m_random;
};
