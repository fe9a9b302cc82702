#include "transport.h"

#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QTimer>
#include <QVariant>

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

bool UdpTransport::send(const QByteArray& data, const Endpoint& to)
{
    const qint64 written = m_socket.writeDatagram(data, to.address, to.port);
    if (lcWire().isDebugEnabled())
        qCDebug(lcWire).noquote() << "to" << to.toString() << data.size() << "bytes:" << loggable(data);
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
        // An ICMP error pending on the socket (a peer that is gone) is what the first look at it reports, and that
        // clears it (udp(7)). Qt's notifier waits for a datagram to be read before it fires again: stopping here
        // would stop reception for good (tst_transport), so look once more.
        if (!m_socket.hasPendingDatagrams() && !m_socket.hasPendingDatagrams())
            break;
        // receiveDatagram() without a size reads the whole datagram, however large (reading into a fixed 64 KiB
        // buffer instead saved one system call per datagram and no measurable time).
        const QNetworkDatagram incoming = m_socket.receiveDatagram();
        // An error that came between the look and the read: it is cleared now, read on.
        if (!incoming.isValid())
            continue;
        const Datagram datagram{incoming.data(), Endpoint{incoming.senderAddress(), quint16(incoming.senderPort())}};
        if (lcWire().isDebugEnabled())
            qCDebug(lcWire).noquote() << "from" << datagram.from.toString() << datagram.data.size()
                                      << "bytes:" << loggable(datagram.data);
        Q_EMIT received(datagram);
    }
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

bool LossyTransport::send(const QByteArray& data, const Endpoint& to)
{
    pass([this, data, to] { m_inner->send(data, to); });
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
