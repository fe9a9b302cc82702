// The wire codec of the encryption (core/crypto/cryptowire.h): key announcements in entry packets and envelopes.

#include "cryptowire.h"
#include "ipmsg.h"

#include <QTest>

class TestCryptoWire final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void announcementInEntryPacket();
    void entryWithoutAnnouncement();
    void badAnnouncement_data();
    void badAnnouncement();
    void envelopeLayout();
    void badEnvelope_data();
    void badEnvelope();

private:
    static cryptowire::Announcement sample();
};

cryptowire::Announcement TestCryptoWire::sample()
{
    cryptowire::Announcement a;
    for (int i = 0; i < 32; ++i) {
        a.identity[i] = static_cast<unsigned char>(i);
        a.ephemeral[i] = static_cast<unsigned char>(0x80 + i);
    }
    for (int i = 0; i < 64; ++i)
        a.signature[i] = static_cast<unsigned char>(0xff - i);
    return a;
}

void TestCryptoWire::announcementInEntryPacket()
{
    const cryptowire::Announcement a = sample();
    const QByteArray line = cryptowire::announcementLine(a);
    QVERIFY(line.startsWith("PK:1:"));
    QCOMPARE(line.size(), 5 + 172);
    ipmsg::Packet p;
    p.packetNo = 1;
    p.user = "alice";
    p.host = "laptop";
    p.command = ipmsg::BrEntry | ipmsg::CapUtf8Opt;
    p.extension = ipmsg::buildEntry(QStringLiteral("Alice"), QStringLiteral("lab"), "alice", "laptop") + line + '\n';
    const auto decoded = ipmsg::decode(ipmsg::encode(p));
    QVERIFY(decoded.packet);
    // What other clients read from the packet is unchanged by the extra line.
    const ipmsg::EntryInfo entry = ipmsg::parseEntry(decoded.packet->extension);
    QCOMPARE(entry.nick, QByteArray("Alice"));
    QCOMPARE(entry.group, QByteArray("lab"));
    QCOMPARE(entry.utf8Nick, QStringLiteral("Alice"));
    QCOMPARE(decoded.packet->text(), QByteArray("Alice"));
    QString error;
    const auto found = cryptowire::findAnnouncement(decoded.packet->extension, &error);
    QVERIFY2(found, qPrintable(error));
    QVERIFY(*found == a);
}

void TestCryptoWire::entryWithoutAnnouncement()
{
    QString error = QStringLiteral("stale");
    // IPMsg 4, iptux and a bare nick: peers that do not encrypt.
    QVERIFY(!cryptowire::findAnnouncement(ipmsg::buildEntry(QStringLiteral("x"), {}, "u", "h"), &error));
    QVERIFY(error.isEmpty());
    QVERIFY(!cryptowire::findAnnouncement(QByteArrayView("bob\0lab\0\0\0", 10), &error));
    QVERIFY(error.isEmpty());
    QVERIFY(!cryptowire::findAnnouncement("bob", &error));
    QVERIFY(error.isEmpty());
}

void TestCryptoWire::badAnnouncement_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("why");
    const QByteArray good = cryptowire::announcementLine(sample());
    QTest::newRow("version 2") << QByteArray("PK:2:" + good.mid(5)) << "unknown version";
    QTest::newRow("truncated") << good.left(good.size() - 4) << "not 128 bytes";
    QTest::newRow("longer") << QByteArray(good + "AAAA") << "not 128 bytes";
    QTest::newRow("not base64") << QByteArray("PK:1:" + QByteArray(172, '*')) << "not 128 bytes";
    QTest::newRow("empty") << QByteArray("PK:1:") << "not 128 bytes";
}

void TestCryptoWire::badAnnouncement()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, why);
    const QByteArray extension = ipmsg::buildEntry(QStringLiteral("x"), {}, "u", "h") + line + '\n';
    QString error;
    QVERIFY(!cryptowire::findAnnouncement(extension, &error));
    QVERIFY2(error.contains(why), qPrintable(error));
}

void TestCryptoWire::envelopeLayout()
{
    cryptowire::Envelope e;
    e.counter = 0x0102030405060708;
    for (int i = 0; i < cryptowire::NonceBytes; ++i)
        e.nonce[i] = static_cast<unsigned char>(0xA0 + i);
    e.ciphertext = QByteArray(cryptowire::TagBytes + 3, 'c');
    const QByteArray bytes = cryptowire::encode(e);
    QCOMPARE(bytes.size(), cryptowire::Overhead + 3);
    QCOMPARE(cryptowire::Overhead, qsizetype(49));
    // version, counter big-endian, nonce, ciphertext: the layout written in cryptowire.h.
    QCOMPARE(bytes.left(9), QByteArray("\x01\x01\x02\x03\x04\x05\x06\x07\x08", 9));
    QCOMPARE(quint8(bytes[9]), quint8(0xA0));
    QCOMPARE(quint8(bytes[32]), quint8(0xA0 + 23));
    QCOMPARE(bytes.mid(33), e.ciphertext);
    QString error;
    const auto decoded = cryptowire::decode(bytes, &error);
    QVERIFY2(decoded, qPrintable(error));
    QVERIFY(*decoded == e);
}

void TestCryptoWire::badEnvelope_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("why");
    QByteArray good(cryptowire::Overhead, '\0');
    good[0] = 1;
    good[8] = 1;
    QTest::newRow("empty") << QByteArray() << "shorter";
    QTest::newRow("no whole tag") << good.left(good.size() - 1) << "shorter";
    QByteArray v2 = good;
    v2[0] = 2;
    QTest::newRow("version 2") << v2 << "unknown version";
    QByteArray zero = good;
    zero[8] = 0;
    QTest::newRow("counter 0") << zero << "counter 0";
}

void TestCryptoWire::badEnvelope()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, why);
    QString error;
    QVERIFY(!cryptowire::decode(bytes, &error));
    QVERIFY2(error.contains(why), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestCryptoWire)
#include "tst_cryptowire.moc"
