#include "transport.h"

#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace {

// Datagram `index` of a test: its size, and bytes that differ from every other datagram's at every position.
QByteArray payload(int index, int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char(index * 31 + i * 7 + 1);
    return bytes;
}

QList<int> sizesOf(std::initializer_list<std::pair<int, int>> runs)
{
    QList<int> sizes;
    for (const auto& [count, size] : runs)
        sizes.append(QList<int>(count, size));
    return sizes;
}

// A UDP socket of the test's own, closed with the test.
struct Socket {
    int fd = -1;
    ~Socket()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

// Batched I/O on loopback: what a Transport::Batch sends arrives as the datagrams it was, whether it went out with
// UDP_SEGMENT or, where the kernel refuses that, one by one; a UDP_GRO read is split into the datagrams it carries.
class TestTransportBatch final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void batchArrivesAsSeparateDatagrams_data();
    void batchArrivesAsSeparateDatagrams();
    void batchWaitsForItsScope();
    void batchLeavesSegmented();
    void groReadIsSplit_data();
    void groReadIsSplit();
    void fallsBackWhereSegmentationIsRefused();
    void failuresInABatchAreCounted();
};

void TestTransportBatch::batchArrivesAsSeparateDatagrams_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QList<int>>("sizes");
    QTest::newRow("64 equal") << u"127.0.0.1"_qs << sizesOf({{64, 1152}});
    QTest::newRow("equal, last shorter") << u"127.0.0.1"_qs << sizesOf({{20, 1152}, {1, 17}});
    QTest::newRow("mixed") << u"127.0.0.1"_qs
                           << sizesOf({{3, 1152},
                                       {1, 500},
                                       {2, 1152},
                                       {1, 3000},
                                       {1, 0},
                                       {4, 1472},
                                       {2, 1473},
                                       {1, 1},
                                       {5, 700},
                                       {1, 65507},
                                       {3, 1152}});
    QTest::newRow("more than one sendmmsg") << u"127.0.0.1"_qs << sizesOf({{150, 1000}});
    QTest::newRow("more than 65 507 bytes in a run") << u"127.0.0.1"_qs << sizesOf({{64, 1472}});
    QTest::newRow("IPv6 ::1") << u"::1"_qs << sizesOf({{30, 1152}, {1, 100}, {10, 1400}});
}

void TestTransportBatch::batchArrivesAsSeparateDatagrams()
{
    QFETCH(QString, address);
    QFETCH(QList<int>, sizes);
    const QHostAddress host(address);
    UdpTransport transport;
    QVERIFY2(transport.bind(host, 0), qPrintable(transport.errorString()));
    QUdpSocket receiver; // a plain socket without UDP_GRO: the kernel hands it each datagram by itself
    QVERIFY(receiver.bind(host, 0));
    receiver.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);
    {
        const Transport::Batch batch(&transport);
        for (int i = 0; i < sizes.size(); ++i)
            QVERIFY(transport.send(payload(i, sizes[i]), Endpoint{host, receiver.localPort()}));
    }
    QCOMPARE(transport.sendFailures(), 0u);
    QVERIFY(transport.segmentationOffload());
    QList<QNetworkDatagram> got;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            while (receiver.hasPendingDatagrams())
                got.append(receiver.receiveDatagram(70'000));
            return got.size() >= sizes.size();
        }(),
        5000);
    QCOMPARE(got.size(), sizes.size());
    for (int i = 0; i < sizes.size(); ++i) {
        QCOMPARE(got[i].data().size(), sizes[i]);
        QCOMPARE(got[i].data(), payload(i, sizes[i]));
        QCOMPARE(got[i].senderPort(), int(transport.localEndpoint().port));
    }
}

void TestTransportBatch::batchWaitsForItsScope()
{
    const QHostAddress host(QHostAddress::LocalHost);
    UdpTransport transport;
    QVERIFY(transport.bind(host, 0));
    QUdpSocket receiver;
    QVERIFY(receiver.bind(host, 0));
    const Endpoint to{host, receiver.localPort()};
    {
        const Transport::Batch outer(&transport);
        {
            const Transport::Batch inner(&transport);
            QVERIFY(transport.send("held", to));
        }
        // On loopback a datagram is in the receiver's queue when sendmsg() returns: nothing there yet means held.
        QVERIFY(!receiver.hasPendingDatagrams());
    }
    QTRY_VERIFY(receiver.hasPendingDatagrams());
    QCOMPARE(receiver.receiveDatagram().data(), QByteArray("held"));
    // Outside a batch, immediate.
    QVERIFY(transport.send("now", to));
    QVERIFY(receiver.hasPendingDatagrams());
    QCOMPARE(receiver.receiveDatagram().data(), QByteArray("now"));
}

void TestTransportBatch::batchLeavesSegmented()
{
    // Loopback does no GRO of its own: a run a UDP_GRO reader gets in one buffer left the sender as one.
    const QHostAddress host(QHostAddress::LocalHost);
    UdpTransport sender;
    QVERIFY(sender.bind(host, 0));
    UdpTransport receiver;
    QVERIFY(receiver.bind(host, 0));
    QSignalSpy received(&receiver, &Transport::received);
    const QList<int> sizes = sizesOf({{50, 1152}, {1, 99}});
    {
        const Transport::Batch batch(&sender);
        for (int i = 0; i < sizes.size(); ++i)
            QVERIFY(sender.send(payload(i, sizes[i]), receiver.localEndpoint()));
    }
    QTRY_COMPARE(received.size(), sizes.size());
    QCOMPARE(receiver.coalescedDatagrams(), quint64(sizes.size()));
    for (int i = 0; i < sizes.size(); ++i) {
        const Datagram d = received.at(i).first().value<Datagram>();
        QCOMPARE(d.data, payload(i, sizes[i]));
        QCOMPARE(d.from, sender.localEndpoint());
        QCOMPARE(d.to, host);
    }
}

void TestTransportBatch::groReadIsSplit_data()
{
    QTest::addColumn<QHostAddress>("bindAddress");
    QTest::addColumn<QString>("senderAddress");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QList<int>>("sizes");
    QTest::newRow("IPv4 socket on all addresses")
        << QHostAddress(QHostAddress::AnyIPv4) << u"127.0.0.5"_qs << u"127.0.0.7"_qs << sizesOf({{40, 1152}, {1, 300}});
    QTest::newRow("dual-stack socket, IPv4 peer")
        << QHostAddress(QHostAddress::Any) << u"127.0.0.6"_qs << u"127.0.0.8"_qs << sizesOf({{56, 1152}});
    QTest::newRow("IPv6 ::1") << QHostAddress(QHostAddress::LocalHostIPv6) << u"::1"_qs << u"::1"_qs
                              << sizesOf({{10, 1400}, {1, 1}});
}

void TestTransportBatch::groReadIsSplit()
{
    QFETCH(QHostAddress, bindAddress);
    QFETCH(QString, senderAddress);
    QFETCH(QString, destination);
    QFETCH(QList<int>, sizes);
    UdpTransport transport;
    QVERIFY2(transport.bind(bindAddress, 0), qPrintable(transport.errorString()));
    QSignalSpy received(&transport, &Transport::received);

    // The super-datagram comes from a socket of the test's own, with UDP_SEGMENT (udp(7)), so that the reading side
    // is tested apart from the transport's sending.
    const bool v6 = senderAddress.contains(u':');
    Socket peer;
    peer.fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    QVERIFY(peer.fd >= 0);
    sockaddr_storage local{};
    sockaddr_storage remote{};
    socklen_t length = 0;
    if (v6) {
        auto* l = reinterpret_cast<sockaddr_in6*>(&local);
        auto* r = reinterpret_cast<sockaddr_in6*>(&remote);
        l->sin6_family = r->sin6_family = AF_INET6;
        QCOMPARE(::inet_pton(AF_INET6, qPrintable(senderAddress), &l->sin6_addr), 1);
        QCOMPARE(::inet_pton(AF_INET6, qPrintable(destination), &r->sin6_addr), 1);
        r->sin6_port = htons(transport.localEndpoint().port);
        length = sizeof(sockaddr_in6);
    } else {
        auto* l = reinterpret_cast<sockaddr_in*>(&local);
        auto* r = reinterpret_cast<sockaddr_in*>(&remote);
        l->sin_family = r->sin_family = AF_INET;
        QCOMPARE(::inet_pton(AF_INET, qPrintable(senderAddress), &l->sin_addr), 1);
        QCOMPARE(::inet_pton(AF_INET, qPrintable(destination), &r->sin_addr), 1);
        r->sin_port = htons(transport.localEndpoint().port);
        length = sizeof(sockaddr_in);
    }
    QCOMPARE(::bind(peer.fd, reinterpret_cast<sockaddr*>(&local), length), 0);
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    QCOMPARE(::getsockname(peer.fd, reinterpret_cast<sockaddr*>(&bound), &boundLength), 0);
    const quint16 peerPort = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

    QByteArray all;
    for (int i = 0; i < sizes.size(); ++i)
        all += payload(i, sizes[i]);
    iovec iov{all.data(), size_t(all.size())};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(quint16))] = {};
    msghdr msg{};
    msg.msg_name = &remote;
    msg.msg_namelen = length;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&msg);
    header->cmsg_level = SOL_UDP;
    header->cmsg_type = UDP_SEGMENT;
    header->cmsg_len = CMSG_LEN(sizeof(quint16));
    const quint16 segment = quint16(sizes.first());
    std::memcpy(CMSG_DATA(header), &segment, sizeof segment);
    QCOMPARE(::sendmsg(peer.fd, &msg, 0), ssize_t(all.size()));

    QTRY_COMPARE(received.size(), sizes.size());
    // The kernel handed the run over in one buffer (UDP_GRO), and the transport split it.
    QCOMPARE(transport.coalescedDatagrams(), quint64(sizes.size()));
    for (int i = 0; i < sizes.size(); ++i) {
        const Datagram d = received.at(i).first().value<Datagram>();
        QCOMPARE(d.data, payload(i, sizes[i]));
        QVERIFY2(d.from.address.isEqual(QHostAddress(senderAddress), QHostAddress::TolerantConversion),
                 qPrintable(d.from.toString()));
        QCOMPARE(d.from.port, peerPort);
        QVERIFY2(d.to.isEqual(QHostAddress(destination), QHostAddress::TolerantConversion),
                 qPrintable(d.to.toString()));
    }
}

void TestTransportBatch::fallsBackWhereSegmentationIsRefused()
{
    const QHostAddress host(QHostAddress::LocalHost);
    UdpTransport transport;
    QVERIFY(transport.bind(host, 0));
    QVERIFY(transport.segmentationOffload());
    // A socket that sends without UDP checksums cannot have the kernel segment for it: udp_send_skb refuses
    // UDP_SEGMENT with EINVAL (net/ipv4/udp.c). The datagrams themselves are fine without a checksum (IPv4).
    const int on = 1;
    QCOMPARE(::setsockopt(transport.socketDescriptor(), SOL_SOCKET, SO_NO_CHECK, &on, sizeof on), 0);
    UdpTransport receiver; // with UDP_GRO: a run sent with UDP_SEGMENT would arrive in one buffer
    QVERIFY(receiver.bind(host, 0));
    QSignalSpy received(&receiver, &Transport::received);
    constexpr int PerBatch = 40;
    for (int round = 0; round < 2; ++round) {
        const Transport::Batch batch(&transport);
        for (int i = 0; i < PerBatch; ++i)
            QVERIFY(transport.send(payload(round * PerBatch + i, 1152), receiver.localEndpoint()));
    }
    QVERIFY(!transport.segmentationOffload());
    QCOMPARE(transport.sendFailures(), 0u);
    QTRY_COMPARE(received.size(), 2 * PerBatch);
    QCOMPARE(receiver.coalescedDatagrams(), 0u);
    for (int i = 0; i < 2 * PerBatch; ++i)
        QCOMPARE(received.at(i).first().value<Datagram>().data, payload(i, 1152));
}

void TestTransportBatch::failuresInABatchAreCounted()
{
    const QHostAddress host(QHostAddress::LocalHost);
    UdpTransport transport;
    QVERIFY(transport.bind(host, 0));
    QUdpSocket receiver;
    QVERIFY(receiver.bind(host, 0));
    const Endpoint to{host, receiver.localPort()};
    const Endpoint nowhere{host, 0}; // Linux refuses UDP to port 0 with EINVAL (udp_sendmsg)
    {
        const Transport::Batch batch(&transport);
        for (int i = 0; i < 3; ++i)
            QVERIFY(transport.send(payload(i, 1152), to));
        for (int i = 0; i < 5; ++i)
            transport.send(payload(10 + i, 1152), nowhere);
        for (int i = 3; i < 6; ++i)
            QVERIFY(transport.send(payload(i, 1152), to));
    }
    QCOMPARE(transport.sendFailures(), 5u);
    QVERIFY2(transport.errorString().contains(nowhere.toString()), qPrintable(transport.errorString()));
    // EINVAL came with UDP_SEGMENT, but the datagrams failed without it too: the kernel did not refuse segmentation.
    QVERIFY(transport.segmentationOffload());
    QList<QByteArray> got;
    QTRY_VERIFY([&] {
        while (receiver.hasPendingDatagrams())
            got.append(receiver.receiveDatagram().data());
        return got.size() >= 6;
    }());
    QCOMPARE(got.size(), 6);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(got[i], payload(i, 1152));
    // Outside a batch the failure is the answer of send() itself.
    QVERIFY(!transport.send("x", nowhere));
    QCOMPARE(transport.sendFailures(), 6u);
}

QTEST_GUILESS_MAIN(TestTransportBatch)
#include "tst_transportbatch.moc"
