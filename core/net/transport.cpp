#include "transport.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QTimer>

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

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

// A UDP_SEGMENT run: each segment one datagram that fits a 1 500-byte Ethernet frame (1 500 - 20 IPv4 - 8 UDP), so
// that GSO never makes a datagram the path would fragment; larger datagrams go as messages of their own.
constexpr qsizetype MaxSegmentBytes = 1472;
// UDP_MAX_SEGMENTS of Linux (64 until 6.x raised it) and the largest UDP payload of IPv4.
constexpr int MaxSegments = 64;
constexpr qsizetype MaxRunBytes = 65'507;
// recvmmsg() buffers per call, each MaxDatagramBytes: with UDP_GRO one can hold a run of up to 64 datagrams.
constexpr int ReadSlots = 8;

// `address` in the socket's family: IPv4 as IPv4-mapped on an IPv6 socket, IPv4-mapped as IPv4 on an IPv4 one.
// 0 when it has no form there (an IPv6 address on an IPv4 socket).
socklen_t socketAddress(int family, const QHostAddress& address, quint16 port, sockaddr_storage* out)
{
    std::memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (!isV4)
            return 0;
        auto* a = reinterpret_cast<sockaddr_in*>(out);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(v4);
        return sizeof(sockaddr_in);
    }
    auto* a = reinterpret_cast<sockaddr_in6*>(out);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    const Q_IPV6ADDR v6 = address.toIPv6Address(); // IPv4 comes out IPv4-mapped
    std::memcpy(&a->sin6_addr, v6.c, sizeof v6.c);
    const QString scope = address.scopeId();
    if (!scope.isEmpty()) {
        bool numeric = false;
        const uint index = scope.toUInt(&numeric);
        a->sin6_scope_id = numeric ? index : uint(QNetworkInterface::interfaceIndexFromName(scope));
    }
    return sizeof(sockaddr_in6);
}

// The address and port of a sockaddr as Qt gives them (IPv4-mapped stays IPv6; a link-local scope by its name).
Endpoint endpointOf(const sockaddr_storage& name)
{
    if (name.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(name);
        return Endpoint{QHostAddress(ntohl(a.sin_addr.s_addr)), ntohs(a.sin_port)};
    }
    if (name.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(name);
        QHostAddress address(reinterpret_cast<const quint8*>(&a.sin6_addr));
        if (a.sin6_scope_id != 0)
            address.setScopeId(QNetworkInterface::interfaceNameFromIndex(int(a.sin6_scope_id)));
        return Endpoint{address, ntohs(a.sin6_port)};
    }
    return {};
}

// Writes one control message of `level`/`type` carrying `info` at `control`; the bytes it takes.
template <typename Info>
size_t putControl(char* control, int level, int type, const Info& info)
{
    cmsghdr header{};
    header.cmsg_level = level;
    header.cmsg_type = type;
    header.cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(control, &header, sizeof header);
    std::memcpy(control + CMSG_LEN(0), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

// Writes a source-address control message for `from` at `control` and returns its size. IPv4 sockets take the
// source from ipi_spec_dst (ip(7)); IPv6 ones from ipi6_addr, IPv4-mapped for an IPv4 source (ipv6(7)).
size_t sourceControl(int family, const QHostAddress& from, char* control)
{
    if (family == AF_INET) {
        in_pktinfo info{};
        info.ipi_spec_dst.s_addr = htonl(from.toIPv4Address());
        return putControl(control, IPPROTO_IP, IP_PKTINFO, info);
    }
    in6_pktinfo info{};
    const Q_IPV6ADDR v6 = from.toIPv6Address();
    std::memcpy(&info.ipi6_addr, v6.c, sizeof v6.c);
    if (!from.scopeId().isEmpty())
        info.ipi6_ifindex = uint(QNetworkInterface::interfaceIndexFromName(from.scopeId()));
    return putControl(control, IPPROTO_IPV6, IPV6_PKTINFO, info);
}

// Errors with which the kernel refuses UDP_SEGMENT itself (udp(7); udp_send_skb in net/ipv4/udp.c): no checksum
// offload on the way out (EIO), a socket without checksums (EINVAL), a kernel without the option (ENOPROTOOPT).
bool refusesSegmentation(int error)
{
    return error == EIO || error == EINVAL || error == ENOPROTOOPT || error == EOPNOTSUPP;
}

} // namespace

UdpTransport::UdpTransport(QObject* parent)
    : Transport(parent)
{
}

UdpTransport::~UdpTransport()
{
    m_notifier.reset();
    if (m_fd >= 0)
        ::close(m_fd);
}

bool UdpTransport::bind(const QHostAddress& address, quint16 port)
{
    m_notifier.reset();
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_local = {};
    m_queue.clear();
    const bool any = address == QHostAddress::Any;
    bool isV4 = address.protocol() == QAbstractSocket::IPv4Protocol;
    int fd = ::socket(isV4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && any && errno == EAFNOSUPPORT) { // no IPv6 on this system: all IPv4 addresses instead
        isV4 = true;
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    int error = fd < 0 ? errno : 0;
    const int family = isV4 ? AF_INET : AF_INET6;
    if (fd >= 0) {
        const int on = 1;
        const int off = 0;
        // Broadcast, as entry packets need; the destination address of each datagram read.
        ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
        if (isV4) {
            ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
        } else {
            // Dual-stack for Any, IPv6 only for an IPv6 address (as QUdpSocket does).
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, any ? &off : &on, sizeof on);
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
        }
        // SO_REUSEADDR stays off: a second Pigeon on the same port must fail loudly, not split traffic.
        sockaddr_storage name{};
        const socklen_t length =
            socketAddress(family, any && isV4 ? QHostAddress(QHostAddress::AnyIPv4) : address, port, &name);
        if (length == 0)
            error = EAFNOSUPPORT;
        else if (::bind(fd, reinterpret_cast<const sockaddr*>(&name), length) != 0)
            error = errno;
    }
    if (error != 0) {
        if (fd >= 0)
            ::close(fd);
        const QString where =
            (any ? QStringLiteral("*") : normalized(address).toString()) + u':' + QString::number(port);
        QString hint;
        if (error == EADDRINUSE) {
            m_socketError = QAbstractSocket::AddressInUseError;
            hint = tr("another Pigeon, IP Messenger, FeiQ or iptux is probably running there; "
                      "quit it or choose another port with --port");
        } else if (error == EADDRNOTAVAIL) {
            m_socketError = QAbstractSocket::SocketAddressNotAvailableError;
            hint = tr("that address does not belong to this machine; choose another with --bind");
        } else if (error == EACCES) {
            m_socketError = QAbstractSocket::SocketAccessError;
            hint = tr("ports below 1024 need privileges; choose another with --port");
        } else {
            m_socketError = QAbstractSocket::UnsupportedSocketOperationError;
            hint = tr("choose another address or port with --bind and --port");
        }
        m_error = tr("cannot listen on UDP %1: %2 (%3)").arg(where, qt_error_string(error), hint);
        return false;
    }
    // Bursts of datagrams on loopback overflow the default receive buffer; ask for more.
    const int receiveBuffer = 4 * 1024 * 1024;
    const int sendBuffer = 1024 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof sendBuffer);
    // Runs of datagrams in one buffer where the kernel can (5.0 and later); without it, one datagram per buffer.
    const int on = 1;
    ::setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
    // A kernel before 4.18 ignores a UDP_SEGMENT control message it does not know and would send a run as one
    // datagram: ask for the option (0: no segment size by default) and segment only where it is known.
    const int noSegment = 0;
    m_gso = ::setsockopt(fd, SOL_UDP, UDP_SEGMENT, &noSegment, sizeof noSegment) == 0;
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength);
    m_local = endpointOf(bound);
    if (any && !isV4)
        m_local.address = QHostAddress::Any; // both families, as QUdpSocket reports it
    m_fd = fd;
    m_family = family;
    m_notifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &UdpTransport::drain);
    m_socketError = QAbstractSocket::UnknownSocketError;
    m_error.clear();
    return true;
}

bool UdpTransport::send(const QByteArray& data, const Endpoint& to, const QHostAddress& from)
{
    if (lcWire().isDebugEnabled())
        qCDebug(lcWire).noquote() << "to" << to.toString() << "from"
                                  << (from.isNull() ? QStringLiteral("*") : from.toString()) << data.size()
                                  << "bytes:" << loggable(data);
    m_queue.append(Outgoing{data, to, isUnspecified(from) ? QHostAddress() : from});
    if (m_batchDepth > 0 && m_queue.size() < MaxBatch)
        return true;
    return flush() == 0;
}

void UdpTransport::endBatch()
{
    if (--m_batchDepth == 0 && !m_queue.isEmpty())
        flush();
}

int UdpTransport::runLength(int first) const
{
    const Outgoing& head = m_queue.at(first);
    const qsizetype segment = head.data.size();
    if (!m_gso || segment == 0 || segment > MaxSegmentBytes)
        return 1;
    qsizetype bytes = segment;
    int last = first + 1;
    while (last < m_queue.size() && last - first < MaxSegments) {
        const Outgoing& next = m_queue.at(last);
        if (next.data.isEmpty() || next.data.size() > segment || bytes + next.data.size() > MaxRunBytes ||
            next.to.port != head.to.port || next.to.address != head.to.address || next.from != head.from)
            break;
        bytes += next.data.size();
        ++last;
        if (next.data.size() < segment)
            break; // only the last segment may be shorter
    }
    return last - first;
}

void UdpTransport::prepare(int index, int first, int count, bool segmented)
{
    Message& m = m_messages[size_t(index)];
    const Outgoing& head = m_queue.at(first);
    m.first = first;
    m.count = count;
    m.segmentControl = 0;
    if (segmented)
        m.segmentControl = putControl(m.control, SOL_UDP, UDP_SEGMENT, quint16(head.data.size()));
    m.controlBytes = m.segmentControl;
    if (!head.from.isNull())
        m.controlBytes += sourceControl(m_family, head.from, m.control + m.segmentControl);
    for (int i = 0; i < count; ++i) {
        const QByteArray& data = m_queue.at(first + i).data;
        m_iov[size_t(first + i)] = iovec{const_cast<char*>(data.constData()), size_t(data.size())};
    }
    msghdr& h = m_headers[size_t(index)].msg_hdr;
    h = msghdr{};
    h.msg_name = &m.name;
    h.msg_namelen = socketAddress(m_family, head.to.address, head.to.port, &m.name);
    h.msg_iov = &m_iov[size_t(first)];
    h.msg_iovlen = size_t(count);
    h.msg_control = m.controlBytes > 0 ? m.control : nullptr;
    h.msg_controllen = m.controlBytes;
}

int UdpTransport::flush()
{
    int failures = 0;
    if (m_fd < 0) {
        for (const Outgoing& o : std::as_const(m_queue))
            failed(o, ENOTCONN, 1);
        failures = int(m_queue.size());
        m_queue.clear();
        return failures;
    }
    int messages = 0;
    for (int i = 0; i < m_queue.size(); ++messages) {
        const int run = runLength(i);
        prepare(messages, i, run, run > 1);
        i += run;
    }
    int next = 0;
    while (next < messages) {
        const int sent = ::sendmmsg(m_fd, &m_headers[size_t(next)], uint(messages - next), MSG_NOSIGNAL);
        if (sent > 0) {
            next += sent;
            continue;
        }
        const int error = sent < 0 ? errno : EIO;
        if (error == EINTR)
            continue;
        Message& m = m_messages[size_t(next)];
        msghdr& h = m_headers[size_t(next)].msg_hdr;
        const Outgoing& head = m_queue.at(m.first);
        if (m.segmentControl > 0 && refusesSegmentation(error)) {
            // Blame UDP_SEGMENT only if the same datagrams go through without it.
            const int unsent = sendEach(m.first, m.count);
            if (unsent < m.count) {
                qCDebug(lcWire).noquote()
                    << "the kernel refuses UDP_SEGMENT (" << qt_error_string(error) << "): datagrams go one by one";
                m_gso = false;
            }
            failures += unsent;
            ++next;
        } else if (h.msg_controllen > m.segmentControl) {
            // The address may have gone away since the datagram came in (a lease ended): let the system choose.
            qCDebug(lcWire).noquote() << "cannot send from" << head.from.toString() << ":" << qt_error_string(error);
            h.msg_controllen = m.segmentControl;
            h.msg_control = m.segmentControl > 0 ? m.control : nullptr;
        } else {
            // A peer that is gone answers with ICMP port unreachable, which surfaces here as an error on a later
            // call; the socket stays usable, so count it and carry on.
            failed(head, error, m.count);
            failures += m.count;
            ++next;
        }
    }
    m_queue.clear();
    return failures;
}

int UdpTransport::sendEach(int first, int count)
{
    int failures = 0;
    for (int i = first; i < first + count; ++i) {
        const Outgoing& o = m_queue.at(i);
        msghdr h{};
        sockaddr_storage name{};
        h.msg_name = &name;
        h.msg_namelen = socketAddress(m_family, o.to.address, o.to.port, &name);
        iovec iov{const_cast<char*>(o.data.constData()), size_t(o.data.size())};
        h.msg_iov = &iov;
        h.msg_iovlen = 1;
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))];
        if (!o.from.isNull()) {
            h.msg_control = control;
            h.msg_controllen = sourceControl(m_family, o.from, control);
        }
        while (true) {
            if (::sendmsg(m_fd, &h, MSG_NOSIGNAL) >= 0)
                break;
            const int error = errno;
            if (error == EINTR)
                continue;
            if (h.msg_controllen > 0) { // the source address is gone: let the system choose
                h.msg_control = nullptr;
                h.msg_controllen = 0;
                continue;
            }
            failed(o, error, 1);
            ++failures;
            break;
        }
    }
    return failures;
}

void UdpTransport::failed(const Outgoing& datagram, int error, int datagrams)
{
    m_sendFailures += quint64(datagrams);
    m_error = tr("sending to %1 failed: %2").arg(datagram.to.toString(), qt_error_string(error));
}

void UdpTransport::drain()
{
    // About MaxReads datagrams per pass (the last read may bring up to ReadSlots UDP_GRO runs more), then back to the
    // event loop, which commits the batch (and so sends its acks) before the notifier calls again for the rest: under a
    // flood that never lets up, an unbounded loop kept one transaction open and every message of it in memory (300 MB
    // for 1 000 000 junk datagrams), and acked nothing.
    constexpr int MaxReads = 256;
    if (!m_readBuffers)
        m_readBuffers = std::make_unique<char[]>(size_t(ReadSlots) * size_t(MaxDatagramBytes));
    std::array<mmsghdr, ReadSlots> headers{};
    std::array<iovec, ReadSlots> iov{};
    std::array<sockaddr_storage, ReadSlots> names{};
    struct alignas(cmsghdr) Control {
        char bytes[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(int))];
    };
    std::array<Control, ReadSlots> controls{};
    int handled = 0;
    for (int reads = 0; handled < MaxReads && reads < MaxReads && m_fd >= 0; ++reads) {
        for (size_t i = 0; i < ReadSlots; ++i) {
            iov[i] = iovec{m_readBuffers.get() + i * size_t(MaxDatagramBytes), size_t(MaxDatagramBytes)};
            msghdr& h = headers[i].msg_hdr;
            h = msghdr{};
            h.msg_name = &names[i];
            h.msg_namelen = sizeof(sockaddr_storage);
            h.msg_iov = &iov[i];
            h.msg_iovlen = 1;
            h.msg_control = controls[i].bytes;
            h.msg_controllen = sizeof(Control);
        }
        const int got = ::recvmmsg(m_fd, headers.data(), ReadSlots, MSG_DONTWAIT, nullptr);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            // EINTR, or an ICMP error pending on the socket (a peer that is gone), which this read reported and
            // cleared (udp(7)): read on.
            continue;
        }
        for (size_t i = 0; i < size_t(got); ++i) {
            msghdr& h = headers[i].msg_hdr;
            const char* bytes = static_cast<const char*>(h.msg_iov->iov_base);
            const qsizetype length = qsizetype(headers[i].msg_len);
            QHostAddress to;
            qsizetype segment = length;
            for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
                if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                    in_pktinfo info{};
                    std::memcpy(&info, CMSG_DATA(c), sizeof info);
                    to = QHostAddress(ntohl(info.ipi_addr.s_addr));
                } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                    in6_pktinfo info{};
                    std::memcpy(&info, CMSG_DATA(c), sizeof info);
                    to = QHostAddress(reinterpret_cast<const quint8*>(&info.ipi6_addr));
                } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                    int size = 0;
                    std::memcpy(&size, CMSG_DATA(c), sizeof size);
                    if (size > 0)
                        segment = size;
                }
            }
            const Endpoint from = endpointOf(names[i]);
            const QHostAddress answerFrom = answerSource(to);
            if (segment < length)
                m_coalesced += quint64((length + segment - 1) / segment);
            // One Datagram per segment (an empty datagram is one too), its bytes copied out of the read buffer.
            qsizetype offset = 0;
            do {
                const qsizetype size = std::min(segment, length - offset);
                const Datagram datagram{QByteArray(bytes + offset, size), from, answerFrom};
                if (lcWire().isDebugEnabled())
                    qCDebug(lcWire).noquote() << "from" << datagram.from.toString() << datagram.data.size()
                                              << "bytes:" << loggable(datagram.data);
                Q_EMIT received(datagram);
                ++handled;
                offset += size;
            } while (offset < length);
        }
        if (got < ReadSlots)
            break;
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
