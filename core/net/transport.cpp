#include "transport.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QTimer>
#include <QVariant>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

// Every datagram in and out, for finding out what a foreign client said: QT_LOGGING_RULES="pigeon.wire.debug=true".
Q_LOGGING_CATEGORY(lcWire, "pigeon.wire", QtWarningMsg)

namespace {

// The datagram as one log line: valid UTF-8 stays readable, NUL and other control bytes are escaped.
QString loggable(const QByteArray& data)
{
    QString out;
    for (const QChar c : QString::fromUtf8(data)) {
        if (c.unicode() == 0)
            out += QStringLiteral("\\0");
        else if (c.unicode() == u'\n')
            out += QStringLiteral("\\n");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

// Interfaces' broadcast addresses change rarely (a new DHCP lease); reading them costs a few system calls.
constexpr qint64 BroadcastRefreshMs = 10'000;
// The largest UDP payload (IPv4: 65 507 bytes; a datagram's length field is 16 bits).
constexpr qint64 MaxDatagramBytes = 65'536;

bool isUnspecified(const QHostAddress& address)
{
    return address.isNull() || address == QHostAddress::Any || address == QHostAddress::AnyIPv4 ||
           address == QHostAddress::AnyIPv6;
}

// sendmsg() with IP_PKTINFO naming the source in ipi_spec_dst, the field Linux takes it from (ip(7)). Qt 6.4 fills
// ipi_addr instead, which the kernel ignores on sending, so an IPv4-only socket cannot choose its source through
// QNetworkDatagram::setSender (a dual-stack socket can: IPV6_PKTINFO with the IPv4-mapped address works).
qint64 sendFromIPv4(qintptr fd, const QByteArray& data, const Endpoint& to, const QHostAddress& from)
{
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(to.port);
    target.sin_addr.s_addr = htonl(to.address.toIPv4Address());
    iovec iov{const_cast<char*>(data.constData()), size_t(data.size())};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
    msghdr msg{};
    msg.msg_name = &target;
    msg.msg_namelen = sizeof target;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&msg);
    header->cmsg_level = IPPROTO_IP;
    header->cmsg_type = IP_PKTINFO;
    header->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_spec_dst.s_addr = htonl(from.toIPv4Address());
    std::memcpy(CMSG_DATA(header), &info, sizeof info);
    return ::sendmsg(int(fd), &msg, MSG_NOSIGNAL);
}

} // namespace

UdpTransport::UdpTransport(QObject* parent)
    : Transport(parent)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpTransport::drain);
}

bool UdpTransport::bind(const QHostAddress& address, quint16 port)
{
    m_socket.abort();
    // ShareAddress off and DontShareAddress on: a second Pigeon on the same port must fail loudly, not split traffic.
    if (!m_socket.bind(address, port, QAbstractSocket::DontShareAddress)) {
        const QString where = (address == QHostAddress::Any ? QStringLiteral("*") : normalized(address).toString()) +
                              u':' + QString::number(port);
        QString hint;
        if (m_socket.error() == QAbstractSocket::AddressInUseError)
            hint = tr("another Pigeon, IP Messenger, FeiQ or iptux is probably running there; "
                      "quit it or choose another port with --port");
        else if (m_socket.error() == QAbstractSocket::SocketAddressNotAvailableError)
            hint = tr("that address does not belong to this machine; choose another with --bind");
        else if (m_socket.error() == QAbstractSocket::SocketAccessError)
            hint = tr("ports below 1024 need privileges; choose another with --port");
        else
            hint = tr("choose another address or port with --bind and --port");
        m_error = tr("cannot listen on UDP %1: %2 (%3)").arg(where, m_socket.errorString(), hint);
        return false;
    }
    // Bursts of datagrams on loopback overflow the default receive buffer; ask for more.
    m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(4 * 1024 * 1024));
    m_socket.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, QVariant(1024 * 1024));
    m_error.clear();
    return true;
}

bool UdpTransport::send(const QByteArray& data, const Endpoint& to, const QHostAddress& from)
{
    qint64 written = -1;
    if (!isUnspecified(from)) {
        if (m_socket.localAddress().protocol() == QAbstractSocket::IPv4Protocol) {
            written = sendFromIPv4(m_socket.socketDescriptor(), data, to, from);
        } else {
            QNetworkDatagram datagram(data, to.address, to.port);
            datagram.setSender(from, m_socket.localPort());
            written = m_socket.writeDatagram(datagram);
        }
        // The address may have gone away since the datagram came in (a lease ended): let the system choose instead.
        if (written != data.size())
            qCDebug(lcWire).noquote() << "cannot send from" << from.toString() << ":" << m_socket.errorString();
    }
    if (written != data.size())
        written = m_socket.writeDatagram(data, to.address, to.port);
    if (lcWire().isDebugEnabled())
        qCDebug(lcWire).noquote() << "to" << to.toString() << "from"
                                  << (from.isNull() ? QStringLiteral("*") : from.toString()) << data.size()
                                  << "bytes:" << loggable(data);
    if (written == data.size())
        return true;
    // A peer that is gone answers with ICMP port unreachable, which surfaces here as an error on a later call;
    // the socket stays usable, so count it and carry on.
    ++m_sendFailures;
    m_error = tr("sending to %1 failed: %2").arg(to.toString(), m_socket.errorString());
    return false;
}

Endpoint UdpTransport::localEndpoint() const
{
    return Endpoint{m_socket.localAddress(), m_socket.localPort()};
}

void UdpTransport::drain()
{
    // At most MaxBatch datagrams per pass, then back to the event loop, which commits the batch (and so sends its
    // acks) before the notifier calls again for the rest: under a flood that never lets up, an unbounded loop kept
    // one transaction open and every message of it in memory (300 MB for 1 000 000 junk datagrams), and acked nothing.
    constexpr int MaxBatch = 256;
    for (int i = 0; i < MaxBatch; ++i) {
        // Read without looking first: hasPendingDatagrams() and receiveDatagram() without a size each peek at the
        // socket (a system call), which was two of the five a file datagram cost. A UDP datagram is at most
        // 65 535 bytes, so MaxDatagramBytes reads any whole.
        const QNetworkDatagram incoming = m_socket.receiveDatagram(MaxDatagramBytes);
        if (!incoming.isValid()) {
            // Nothing to read, or an ICMP error pending on the socket (a peer that is gone), which this read reported
            // and cleared (udp(7)). Qt's notifier waits for a datagram to be read before it fires again: stopping
            // with one still there would stop reception for good (tst_transport), so look once.
            if (!m_socket.hasPendingDatagrams())
                break;
            continue;
        }
        // A copy of the bytes only: the read buffer keeps MaxDatagramBytes of capacity.
        const QByteArray bytes(incoming.data().constData(), incoming.data().size());
        const Datagram datagram{bytes, Endpoint{incoming.senderAddress(), quint16(incoming.senderPort())},
                                answerSource(incoming.destinationAddress())};
        if (lcWire().isDebugEnabled())
            qCDebug(lcWire).noquote() << "from" << datagram.from.toString() << datagram.data.size()
                                      << "bytes:" << loggable(datagram.data);
        Q_EMIT received(datagram);
    }
}

QHostAddress UdpTransport::answerSource(const QHostAddress& destination)
{
    if (isUnspecified(destination) || destination.isMulticast() || destination.isBroadcast())
        return {};
    bool isV4 = false;
    destination.toIPv4Address(&isV4);
    if (!isV4 || destination.isLoopback())
        return destination; // IPv6 has no broadcast; 127.0.0.0/8 has none either
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_broadcastsReadMs < 0 || now - m_broadcastsReadMs > BroadcastRefreshMs) {
        m_broadcastsReadMs = now;
        m_broadcasts.clear();
        const auto interfaces = QNetworkInterface::allInterfaces();
        for (const QNetworkInterface& i : interfaces)
            for (const QNetworkAddressEntry& e : i.addressEntries())
                if (!e.broadcast().isNull())
                    m_broadcasts.append(e.broadcast());
    }
    const bool broadcast = std::any_of(m_broadcasts.cbegin(), m_broadcasts.cend(), [&](const QHostAddress& b) {
        return b.isEqual(destination, QHostAddress::TolerantConversion);
    });
    return broadcast ? QHostAddress() : destination;
}

LossyTransport::LossyTransport(Transport* inner, Faults faults, quint32 seed, QObject* parent)
    : Transport(parent)
    , m_inner(inner)
    , m_faults(faults)
    , m_random(seed)
{
    connect(inner, &Transport::received, this,
            [this](const Datagram& datagram) { pass([this, datagram] { Q_EMIT received(datagram); }); });
}

bool LossyTransport::send(const QByteArray& data, const Endpoint& to, const QHostAddress& from)
{
    pass([this, data, to, from] { m_inner->send(data, to, from); });
    return true;
}

template <typename Deliver>
void LossyTransport::pass(Deliver deliver)
{
    if (m_random.generateDouble() < m_faults.loss)
        return;
    const int copies = m_random.generateDouble() < m_faults.duplicate ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
        if (m_random.generateDouble() < m_faults.reorder)
            QTimer::singleShot(int(m_random.bounded(m_faults.maxDelayMs + 1)), this, deliver);
        else
            deliver();
    }
}
