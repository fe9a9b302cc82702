#include "transport.h"

#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

const QHostAddress Loopback(QStringLiteral("127.0.0.1"));

// The descriptor of this process's UDP socket bound to 127.0.0.1:port, or -1.
int socketBoundTo(quint16 port)
{
    for (int fd = 0; fd < 1024; ++fd) {
        sockaddr_in address{};
        socklen_t size = sizeof address;
        int type = 0;
        socklen_t typeSize = sizeof type;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0 && address.sin_family == AF_INET &&
            ntohs(address.sin_port) == port && ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeSize) == 0 &&
            type == SOCK_DGRAM)
            return fd;
    }
    return -1;
}

} // namespace

// The real socket on loopback: whole datagrams, every one of a burst, clear bind errors, ICMP errors survived.
class TestTransport final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void receivesWholeDatagrams_data();
    void receivesWholeDatagrams();
    void drainsABurst();
    void sendsAndReportsLocalEndpoint();
    void bindErrors();
    void survivesPortUnreachable();
    void answersFromTheAddressWrittenTo_data();
    void answersFromTheAddressWrittenTo();
};

void TestTransport::receivesWholeDatagrams_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("empty") << 0;
    QTest::newRow("one byte") << 1;
    QTest::newRow("1024, where tutorials cut") << 1024;
    QTest::newRow("1025") << 1025;
    QTest::newRow("600") << 600;
    QTest::newRow("8 KiB") << 8192;
    QTest::newRow("largest UDP payload") << 65507;
}

void TestTransport::receivesWholeDatagrams()
{
    QFETCH(int, size);
    UdpTransport transport;
    QVERIFY2(transport.bind(Loopback, 0), qPrintable(transport.errorString()));
    QSignalSpy received(&transport, &Transport::received);
    QUdpSocket sender;
    QVERIFY(sender.bind(Loopback, 0));
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = char(i * 7 + 1);
    QCOMPARE(sender.writeDatagram(payload, Loopback, transport.localEndpoint().port), qint64(size));
    QTRY_COMPARE(received.size(), 1);
    const Datagram d = received.first().first().value<Datagram>();
    QCOMPARE(d.data.size(), size);
    QCOMPARE(d.data, payload);
    QCOMPARE(d.from.port, sender.localPort());
}

void TestTransport::drainsABurst()
{
    UdpTransport transport;
    QVERIFY(transport.bind(Loopback, 0));
    QSignalSpy received(&transport, &Transport::received);
    QUdpSocket sender;
    QVERIFY(sender.bind(Loopback, 0));
    constexpr int Burst = 500;
    for (int i = 0; i < Burst; ++i)
        sender.writeDatagram(QByteArray::number(i), Loopback, transport.localEndpoint().port);
    // The receive buffer was enlarged at bind, so a burst this size arrives whole on loopback.
    QTRY_COMPARE(received.size(), Burst);
    for (int i = 0; i < Burst; ++i)
        QCOMPARE(received.at(i).first().value<Datagram>().data, QByteArray::number(i));
}

void TestTransport::sendsAndReportsLocalEndpoint()
{
    UdpTransport transport;
    QVERIFY(transport.bind(Loopback, 0));
    QCOMPARE(transport.localEndpoint().address, Loopback);
    QVERIFY(transport.localEndpoint().port != 0);
    QUdpSocket peer;
    QVERIFY(peer.bind(Loopback, 0));
    QVERIFY(transport.send("to the peer", Endpoint{Loopback, peer.localPort()}));
    QTRY_VERIFY(peer.hasPendingDatagrams());
    const QNetworkDatagram d = peer.receiveDatagram();
    QCOMPARE(d.data(), QByteArray("to the peer"));
    QCOMPARE(d.senderPort(), int(transport.localEndpoint().port));
}

void TestTransport::bindErrors()
{
    UdpTransport first;
    QVERIFY(first.bind(Loopback, 0));
    const quint16 port = first.localEndpoint().port;
    UdpTransport second;
    QVERIFY(!second.bind(Loopback, port));
    QVERIFY2(second.errorString().contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(second.errorString()));
    QVERIFY2(second.errorString().contains(QStringLiteral("another Pigeon")), qPrintable(second.errorString()));
    QVERIFY2(second.errorString().contains(QStringLiteral("--port")), qPrintable(second.errorString()));
    // Any address on the same port collides too.
    UdpTransport any;
    QVERIFY(!any.bind(QHostAddress::Any, port));
    QVERIFY2(any.errorString().contains(QStringLiteral("*:%1").arg(port)), qPrintable(any.errorString()));
    // After the failure it can still bind elsewhere.
    QVERIFY(second.bind(Loopback, 0));
}

void TestTransport::survivesPortUnreachable()
{
    UdpTransport transport;
    QVERIFY(transport.bind(Loopback, 0));
    QUdpSocket gone;
    QVERIFY(gone.bind(Loopback, 0));
    const Endpoint goneAt{Loopback, gone.localPort()};
    gone.close();

    // Linux reports ICMP port unreachable only to a connected UDP socket (udp(7), without IP_RECVERR), and
    // Pigeon's is not: a send to a closed port succeeds and nothing else happens.
    QVERIFY(transport.send("anyone?", goneAt));
    QVERIFY(transport.send("anyone?", goneAt));
    QCOMPARE(transport.sendFailures(), 0u);

    // Connected to the closed port, the same socket gets the error for real: the first send draws the ICMP error
    // (on loopback it is back before sendto() returns), the next one fails with it.
    const int fd = socketBoundTo(transport.localEndpoint().port);
    QVERIFY2(fd >= 0, "the transport's socket was not found among this process's descriptors");
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(goneAt.port);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    QVERIFY(transport.send("anyone?", goneAt));
    QVERIFY(!transport.send("anyone?", goneAt));
    QCOMPARE(transport.sendFailures(), 1u);
    QVERIFY2(transport.errorString().contains(goneAt.toString()), qPrintable(transport.errorString()));

    // Another error is pending when a datagram comes: the read after the error reports the error first (it is
    // dropped, udp(7)), and the transport reads on and loses nothing. Connecting to the peer instead of
    // disconnecting keeps the port (a disconnect would unbind a port the kernel picked).
    QVERIFY(transport.send("anyone?", goneAt));
    QUdpSocket peer;
    QVERIFY(peer.bind(Loopback, 0));
    to.sin_port = htons(peer.localPort());
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    QSignalSpy received(&transport, &Transport::received);
    peer.writeDatagram("still listening?", Loopback, transport.localEndpoint().port);
    QTRY_COMPARE(received.size(), 1);
    QCOMPARE(received.first().first().value<Datagram>().data, QByteArray("still listening?"));
    QVERIFY(transport.send("yes", Endpoint{Loopback, peer.localPort()}));
    QTRY_VERIFY(peer.hasPendingDatagrams());
    QCOMPARE(peer.receiveDatagram().data(), QByteArray("yes"));
    QCOMPARE(transport.sendFailures(), 1u);
}

void TestTransport::answersFromTheAddressWrittenTo_data()
{
    QTest::addColumn<QHostAddress>("bindAddress");
    QTest::addColumn<QString>("peerAddress");
    QTest::addColumn<QString>("pigeonAddress");
    // Listening on all addresses, the peer writes to a second loopback address: the answer must come from that one,
    // not from 127.0.0.1 which the routing table would pick (issue 15.3).
    QTest::newRow("IPv4, dual-stack socket on all addresses")
        << QHostAddress(QHostAddress::Any) << QStringLiteral("127.0.0.32") << QStringLiteral("127.0.0.31");
    QTest::newRow("IPv4, IPv4 socket on all addresses")
        << QHostAddress(QHostAddress::AnyIPv4) << QStringLiteral("127.0.0.32") << QStringLiteral("127.0.0.33");
    QTest::newRow("IPv6 loopback, dual-stack socket")
        << QHostAddress(QHostAddress::Any) << QStringLiteral("::1") << QStringLiteral("::1");
}

void TestTransport::answersFromTheAddressWrittenTo()
{
    QFETCH(QHostAddress, bindAddress);
    QFETCH(QString, peerAddress);
    QFETCH(QString, pigeonAddress);
    UdpTransport transport;
    QVERIFY2(transport.bind(bindAddress, 0), qPrintable(transport.errorString()));
    const quint16 port = transport.localEndpoint().port;
    QSignalSpy received(&transport, &Transport::received);

    // A connected UDP socket, as `nc -u` or a NAT uses: the kernel drops whatever comes from another address.
    const bool v6 = peerAddress.contains(u':');
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_storage local{};
    sockaddr_storage remote{};
    socklen_t length = 0;
    if (v6) {
        auto* l = reinterpret_cast<sockaddr_in6*>(&local);
        auto* r = reinterpret_cast<sockaddr_in6*>(&remote);
        l->sin6_family = r->sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, qPrintable(peerAddress), &l->sin6_addr);
        ::inet_pton(AF_INET6, qPrintable(pigeonAddress), &r->sin6_addr);
        r->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
    } else {
        auto* l = reinterpret_cast<sockaddr_in*>(&local);
        auto* r = reinterpret_cast<sockaddr_in*>(&remote);
        l->sin_family = r->sin_family = AF_INET;
        ::inet_pton(AF_INET, qPrintable(peerAddress), &l->sin_addr);
        ::inet_pton(AF_INET, qPrintable(pigeonAddress), &r->sin_addr);
        r->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    }
    QVERIFY(::bind(fd, reinterpret_cast<sockaddr*>(&local), length) == 0);
    QVERIFY(::connect(fd, reinterpret_cast<sockaddr*>(&remote), length) == 0);
    QUdpSocket peer; // takes the descriptor over, so that the test waits on its signal
    QVERIFY(peer.setSocketDescriptor(fd, QAbstractSocket::ConnectedState));
    QSignalSpy answered(&peer, &QUdpSocket::readyRead);

    QVERIFY(::send(fd, "to the second address", 21, 0) == 21);
    QTRY_COMPARE(received.size(), 1);
    const Datagram d = received.first().first().value<Datagram>();
    QVERIFY2(d.to.isEqual(QHostAddress(pigeonAddress), QHostAddress::TolerantConversion), qPrintable(d.to.toString()));
    QVERIFY(transport.send("ack", d.from, d.to));
    QVERIFY(answered.wait(2000));
    QCOMPARE(peer.read(16), QByteArray("ack"));
}

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
