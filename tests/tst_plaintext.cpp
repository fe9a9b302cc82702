// Plain-text peers over real loopback sockets: a datagram that is no IPMsg packet is a message (UTF-8, else GB18030),
// a peer that writes first from an ephemeral port is answered there, and a contact marked plain text gets bare text
// and never a byte of IPMsg, not even a greeting or a goodbye.

#include "netfixture.h"
#include "textcodec.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestPlainText final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void receivesAndRepliesAtTheSourcePort_data();
    void receivesAndRepliesAtTheSourcePort();
    void plainContactGetsBareTextOnly_data();
    void plainContactGetsBareTextOnly();
};

namespace {

// What `nc -u` is: a socket on an ephemeral port that sends bytes and keeps what comes back.
struct NetcatPeer {
    QUdpSocket socket;
    QList<QByteArray> received;
    NetcatPeer()
    {
        socket.bind(Loopback, 0);
        QObject::connect(&socket, &QUdpSocket::readyRead, &socket, [this] {
            while (socket.hasPendingDatagrams())
                received.append(socket.receiveDatagram().data());
        });
    }
    Endpoint endpoint() const { return Endpoint{Loopback, socket.localPort()}; }
};

} // namespace

void TestPlainText::receivesAndRepliesAtTheSourcePort_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("text");
    QTest::newRow("UTF-8 line from nc") << u"hello from nc 你好\n"_s.toUtf8() << u"hello from nc 你好"_s;
    QTest::newRow("CRLF line") << QByteArray("dir C:\\ done\r\n") << u"dir C:\\ done"_s;
    QTest::newRow("GB18030 (a Windows tool)")
        << textcodec::encode(u"你好，世界"_s, TextEncoding::Gbk) << u"你好，世界"_s;
    QTest::newRow("six colon-separated fields, version 12")
        << QByteArray("12:30:lunch:room 5:bring:food") << u"12:30:lunch:room 5:bring:food"_s;
    QTest::newRow("version 1 but a word for a packet number")
        << QByteArray("1:two:three:four:5:six") << u"1:two:three:four:5:six"_s;
    QTest::newRow("multi-line text") << QByteArray("line one\nline two\n") << u"line one\nline two"_s;
}

// The datagram is shown as text in a conversation named after its source, and the reply goes back to that very
// port as bare UTF-8, with no acknowledgement expected (state: sent).
void TestPlainText::receivesAndRepliesAtTheSourcePort()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QString, text);
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    NetcatPeer nc;
    QVERIFY(node.ok);
    node.start();
    nc.socket.writeDatagram(datagram, Loopback, node.endpoint().port);
    QTRY_COMPARE(node.received.size(), 1);
    const Message in = node.received.first();
    QCOMPARE(in.text, text);
    QCOMPARE(in.peer, nc.endpoint().toString());
    QCOMPARE(in.remote, nc.endpoint().toString());

    const QString reply = u"got it: %1 ✓"_s.arg(text);
    const qint64 id = node.messenger->send(in.peer, reply);
    QVERIFY(id > 0);
    QTRY_COMPARE(nc.received.size(), 1);
    QCOMPARE(nc.received.first(), reply.toUtf8());
    QTRY_COMPARE(node.states.value(id), MessageState::Sent);
    QCOMPARE(node.messenger->pendingCount(), 0);
    // Nothing else ever went there: no greeting, no retransmission.
    node.messenger->stop();
    QVERIFY(node.history.commit());
    for (const RecordingTransport::Sent& d : std::as_const(node.recorder->sent))
        if (d.to == nc.endpoint())
            QCOMPARE(d.data, reply.toUtf8());
}

void TestPlainText::plainContactGetsBareTextOnly_data()
{
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QString>("text");
    QTest::newRow("UTF-8") << int(TextEncoding::Utf8) << u"bare text ✓ 你好"_s;
    QTest::newRow("GBK") << int(TextEncoding::Gbk) << u"裸文本 你好"_s;
    QTest::newRow("text shaped like an IPMsg header") << int(TextEncoding::Utf8) << u"1:2:me:host:32:hi"_s;
}

// A plain-text contact gets exactly the encoded text, one datagram per message, from start to stop: no BR_ENTRY,
// no BR_EXIT, no retransmission, no ack awaited.
void TestPlainText::plainContactGetsBareTextOnly()
{
    QFETCH(int, encoding);
    QFETCH(QString, text);
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    NetcatPeer nc;
    QVERIFY(node.ok);
    QCOMPARE(node.addContact(QStringLiteral("Netcat"), nc.endpoint(), Protocol::PlainText, TextEncoding(encoding)),
             QString());
    node.start();
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i)
        ids.append(node.messenger->send(QStringLiteral("Netcat"), text));
    const QByteArray bytes = textcodec::encode(text, TextEncoding(encoding));
    QTRY_COMPARE(nc.received.size(), 3);
    for (qint64 id : ids)
        QTRY_COMPARE(node.states.value(id), MessageState::Sent);
    node.messenger->stop();
    QList<QByteArray> toNetcat;
    for (const RecordingTransport::Sent& d : std::as_const(node.recorder->sent))
        if (d.to == nc.endpoint())
            toNetcat.append(d.data);
    QCOMPARE(toNetcat, QList<QByteArray>(3, bytes));
    QCOMPARE(nc.received, QList<QByteArray>(3, bytes));
    QCOMPARE(node.messenger->presence(QStringLiteral("Netcat")), Presence::Unknown);
}

QTEST_GUILESS_MAIN(TestPlainText)
#include "tst_plaintext.moc"
