// Long messages: split into acked SENDMSG parts that fit what IPMsg clients read, and, between Pigeons, up to 1 MiB
// carried as parts small enough to avoid IP fragmentation, reassembled through loss and reordering, shown whole and
// once; a half-received message never shows and is dropped after a timeout.

#include "netfixture.h"
#include "textcodec.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestLongMessage final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void splitsForIpMsgClients_data();
    void splitsForIpMsgClients();
    void wholeBetweenPigeons_data();
    void wholeBetweenPigeons();
    void partZeroCarriesDelivery();
    void halfReceivedNeverShows();
};

namespace {

// Largest datagram that crosses a 1 500-byte Ethernet link without IP fragmentation, over IPv6 (40 + 8 bytes of
// headers) as well as IPv4.
constexpr qsizetype UnfragmentedBytes = 1500 - 48;
// iptux reads at most this much of a datagram.
constexpr qsizetype IptuxDatagramBytes = 8192;

// `bytes` bytes of UTF-8 (or a little less, never cutting a character): numbered lines of mixed scripts.
QString textOfSize(qsizetype bytes)
{
    QString text;
    qsizetype size = 0;
    for (int line = 0; size < bytes; ++line) {
        const QString next = u"%1: The quick brown fox 敏捷的棕色狐狸 😀 ¿qué?\n"_s.arg(line, 6, 10, QLatin1Char('0'));
        const qsizetype nextSize = next.toUtf8().size();
        if (size + nextSize > bytes) {
            text += QString(bytes - size, u'x');
            break;
        }
        text += next;
        size += nextSize;
    }
    return text;
}

} // namespace

void TestLongMessage::splitsForIpMsgClients_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QString>("text");
    QTest::newRow("iptux, 20 000 bytes") << QByteArray("1_iptux 0.8.3") << int(TextEncoding::Utf8)
                                         << textOfSize(20'000);
    QTest::newRow("iptux, 9 000 Chinese characters")
        << QByteArray("1_iptux 0.8.3") << int(TextEncoding::Utf8) << QString(9'000, QChar(0x6C49));
    QTest::newRow("FeiQ GBK contact, 12 000 Chinese characters")
        << QByteArray("1_lbt6_0#128#0C29AB12CD34#0#0#0#4001#9") << int(TextEncoding::Gbk)
        << QString(12'000, QChar(0x4E2D));
    QTest::newRow("IP Messenger, 40 000 bytes with emoji")
        << QByteArray("1") << int(TextEncoding::Utf8) << textOfSize(40'000);
}

// Text longer than an IPMsg client reads in one datagram goes as several SENDMSG, each under 8 KiB (what iptux reads;
// IP Messenger takes 32 KiB), one at a time with rising numbers, each acked; together they are the text, cut
// between characters.
void TestLongMessage::splitsForIpMsgClients()
{
    QFETCH(QByteArray, version);
    QFETCH(int, encoding);
    QFETCH(QString, text);
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer(version);
    peer.autoAck = true;
    QVERIFY(node.ok && peer.bound);
    QCOMPARE(node.addContact(QStringLiteral("Peer"), peer.endpoint(), Protocol::IpMsg, TextEncoding(encoding)),
             QString());
    node.start();
    QTRY_COMPARE(node.messenger->presence(QStringLiteral("Peer")), Presence::Online);
    const qint64 id = node.messenger->send(QStringLiteral("Peer"), text);
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(node.states.value(id), MessageState::Delivered, 30'000);

    QList<quint64> order;
    QString joined;
    for (qsizetype i = 0; i < peer.packets.size(); ++i) {
        const ipmsg::Packet& p = peer.packets[i];
        if (p.mode() != ipmsg::SendMsg)
            continue;
        QVERIFY2(peer.raw[i].size() <= IptuxDatagramBytes, qPrintable(QString::number(peer.raw[i].size())));
        if (!order.isEmpty() && order.last() == p.packetNo)
            continue; // a retransmission
        QVERIFY2(order.isEmpty() || p.packetNo > order.last(), "parts go out one at a time, numbers rising");
        QCOMPARE(p.has(ipmsg::Utf8Opt), TextEncoding(encoding) == TextEncoding::Utf8);
        QVERIFY(p.has(ipmsg::SendCheckOpt));
        order.append(p.packetNo);
        joined += textcodec::decode(p.text(), p.has(ipmsg::Utf8Opt));
    }
    QVERIFY(order.size() > 1);
    QCOMPARE(joined, text);
    QVERIFY(node.history.commit());
    QCOMPARE(node.history.message(id)->parts, order.size());
}

void TestLongMessage::wholeBetweenPigeons_data()
{
    QTest::addColumn<int>("bytes");
    QTest::addColumn<double>("loss");
    QTest::newRow("5 000 bytes") << 5'000 << 0.0;
    QTest::newRow("100 000 bytes, 20% loss, duplicates, reordering") << 100'000 << 0.2;
    QTest::newRow("1 MiB") << int(fragment::MaxMessageBytes) << 0.0;
    QTest::newRow("1 MiB, 10% loss, duplicates, reordering") << int(fragment::MaxMessageBytes) << 0.1;
}

// Up to 1 MiB arrives whole and once, however its parts were lost, duplicated or reordered, over datagrams that need
// no IP fragmentation; the sender sees it delivered and the receiver holds no parts afterwards.
void TestLongMessage::wholeBetweenPigeons()
{
    QFETCH(int, bytes);
    QFETCH(double, loss);
    const QString text = textOfSize(bytes);
    AliceAndBob two;
    QCOMPARE(two.introduce(), QString());
    PigeonNode& a = two.a;
    PigeonNode& b = two.b;
    const LossyTransport::Faults faults{loss, loss / 2, loss, 20};
    a.start(PigeonNode::Layer::Lossy, faults, 5);
    b.start(PigeonNode::Layer::Lossy, faults, 6);
    // A Pigeon is recognised by the version field of what it sends: say hello first (the greetings may be lost).
    const qint64 hello = a.messenger->send(QStringLiteral("Bob"), QStringLiteral("hello"));
    QTRY_COMPARE_WITH_TIMEOUT(a.states.value(hello), MessageState::Delivered, 20'000);
    QCOMPARE(a.messenger->maxTextBytes(QStringLiteral("Bob")), fragment::PartBytes);

    QString error;
    const qint64 id = a.messenger->send(QStringLiteral("Bob"), text, &error);
    QVERIFY2(id > 0, qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(a.states.value(id), MessageState::Delivered, 120'000);
    QCOMPARE(b.received.size(), 2);
    QCOMPARE(b.received.last().text.size(), text.size());
    QVERIFY(b.received.last().text == text);
    QVERIFY(b.history.commit());
    const QList<Message> thread = b.thread(QStringLiteral("Alice"));
    QCOMPARE(thread.size(), 2);
    QVERIFY(thread.last().text == text);
    QCOMPARE(b.messenger->partialMessages(), 0);

    qsizetype largest = 0;
    for (const RecordingTransport::Sent& d : std::as_const(a.recorder->sent))
        largest = std::max(largest, d.data.size());
    QVERIFY2(largest <= UnfragmentedBytes, qPrintable(QStringLiteral("a datagram of %1 bytes").arg(largest)));
}

// The receiver acks part 0 only once the whole message is stored, and the sender sends it last and calls the message
// delivered only on that ack.
void TestLongMessage::partZeroCarriesDelivery()
{
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer(QByteArrayLiteral("1_pigeon 0.1.0"));
    QVERIFY(node.ok && peer.bound);
    QCOMPARE(node.addContact(QStringLiteral("Peer"), peer.endpoint()), QString());
    node.start();
    QTRY_COMPARE(node.messenger->maxTextBytes(QStringLiteral("Peer")), fragment::PartBytes);

    const qint64 id = node.messenger->send(QStringLiteral("Peer"), textOfSize(3 * fragment::PartBytes));
    QTRY_COMPARE(peer.withMode(ipmsg::PigeonFragment).size(), 3);
    QList<int> indexes;
    for (const ipmsg::Packet& p : peer.withMode(ipmsg::PigeonFragment))
        indexes.append(fragment::decode(p.extension)->index);
    QCOMPARE(indexes, QList<int>({1, 2, 0}));
    const QList<ipmsg::Packet> parts = peer.withMode(ipmsg::PigeonFragment);
    peer.send(ipmsg::RecvMsg, QByteArray::number(parts[0].packetNo), node.endpoint());
    peer.send(ipmsg::RecvMsg, QByteArray::number(parts[1].packetNo), node.endpoint());
    // Round trip so that both acks have been handled.
    peer.send(ipmsg::GetInfo, {}, node.endpoint());
    QTRY_COMPARE(peer.withMode(ipmsg::SendInfo).size(), 1);
    QVERIFY(!node.states.contains(id));
    peer.send(ipmsg::RecvMsg, QByteArray::number(parts[2].packetNo), node.endpoint());
    QTRY_COMPARE(node.states.value(id), MessageState::Delivered);
}

// Parts of a message that never completes are acked (all but part 0) and held, never shown, and dropped after the
// timeout; a message sent again in full then shows once.
void TestLongMessage::halfReceivedNeverShows()
{
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer(QByteArrayLiteral("1_pigeon 0.1.0"));
    QVERIFY(node.ok && peer.bound);
    node.start();
    Reassembler::Limits limits;
    limits.timeoutMs = 300;
    node.messenger->setReassemblyLimits(limits);

    const QByteArray text = textOfSize(6 * fragment::PartBytes).toUtf8();
    const QList<QByteArray> pieces = fragment::split(text);
    QCOMPARE(pieces.size(), 6);
    constexpr quint64 First = 1'900'000'000;
    const auto sendPart = [&](int index) {
        peer.send(ipmsg::PigeonFragment | ipmsg::SendCheckOpt | ipmsg::Utf8Opt,
                  fragment::encode({First, index, int(pieces.size()), pieces[index]}), node.endpoint(),
                  First + quint64(index));
    };
    const auto acked = [&] {
        QList<quint64> numbers;
        for (const ipmsg::Packet& p : peer.withMode(ipmsg::RecvMsg))
            numbers.append(p.text().toULongLong());
        return numbers;
    };
    for (int i = 0; i < 4; ++i)
        sendPart(i);
    QTRY_COMPARE(acked(), QList<quint64>({First + 1, First + 2, First + 3}));
    QCOMPARE(node.messenger->partialMessages(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(node.messenger->partialMessages(), 0, 5'000);

    // The rest alone cannot make a message any more.
    sendPart(4);
    sendPart(5);
    QTRY_COMPARE(acked().size(), 5);
    QCOMPARE(node.messenger->partialMessages(), 1);
    QVERIFY(node.received.isEmpty());

    for (int i = 0; i < 6; ++i)
        sendPart(i);
    QTRY_COMPARE(node.received.size(), 1);
    QVERIFY(node.received.first().text.toUtf8() == text);
    QTRY_VERIFY(acked().contains(First));
    QCOMPARE(node.messenger->partialMessages(), 0);
    // Sent again after it was shown: acked again, shown once.
    for (int i = 0; i < 6; ++i)
        sendPart(i);
    QTRY_COMPARE(acked().count(First), 2);
    QCOMPARE(node.received.size(), 1);
}

QTEST_GUILESS_MAIN(TestLongMessage)
#include "tst_longmessage.moc"
