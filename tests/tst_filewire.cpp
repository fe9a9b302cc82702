// The file payloads' codec (filewire.h): every payload round-trips, and malformed bytes are refused with a reason.

#include "filewire.h"

#include <QTest>

class TestFileWire final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void manifestRoundTrip();
    void refused_data();
    void refused();
    void dataFitsTheMtu();
};

Q_DECLARE_METATYPE(filewire::Payload)

void TestFileWire::roundTrip_data()
{
    QTest::addColumn<filewire::Payload>("payload");
    QTest::newRow("offer") << filewire::Payload(
        filewire::Offer{1, u"图片.png"_qs, 123456789, 3, 400, QByteArray(32, '\x5a')});
    QTest::newRow("accept") << filewire::Payload(filewire::Accept{2, 0xdeadbeef, 1u << 30});
    QTest::newRow("pending") << filewire::Payload(filewire::Pending{3});
    QTest::newRow("data") << filewire::Payload(filewire::Data{4, 99, QByteArray(filewire::ChunkBytes, 'd')});
    QTest::newRow("sack") << filewire::Payload(filewire::Sack{5, 7, 1000, {{2000, 3000}, {5000, 6152}}});
    QTest::newRow("done") << filewire::Payload(filewire::Done{6});
    QTest::newRow("cancel") << filewire::Payload(filewire::Cancel{7, filewire::Reason::FileChanged, u"why"_qs});
}

void TestFileWire::roundTrip()
{
    QFETCH(filewire::Payload, payload);
    QString error;
    const auto decoded = filewire::decode(filewire::encode(payload), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->index(), payload.index());
    QCOMPARE(filewire::encode(*decoded), filewire::encode(payload));
    QCOMPARE(filewire::idOf(*decoded), filewire::idOf(payload));
}

void TestFileWire::manifestRoundTrip()
{
    const QList<filewire::Entry> entries{{u"box"_qs, true, 0, {}},
                                         {u"box/a.txt"_qs, false, 5, QByteArray(32, 'a')},
                                         {u"box/空"_qs, false, 0, QByteArray(32, 'b')}};
    QString error;
    const auto decoded = filewire::decodeManifest(filewire::encodeManifest(entries), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, entries);
}

void TestFileWire::refused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const QByteArray data = filewire::encode(filewire::Data{4, 0, "x"});
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("version 2") << QByteArray(data).replace(0, 1, "\x02");
    QTest::newRow("unknown kind") << QByteArray(data).replace(1, 1, "\x63");
    QTest::newRow("data without bytes") << data.left(data.size() - 1);
    QTest::newRow("data over a chunk") << filewire::encode(
        filewire::Data{4, 0, QByteArray(filewire::ChunkBytes + 1, 'x')});
    const QByteArray offer = filewire::encode(filewire::Offer{1, u"a"_qs, 1, 1, 10, QByteArray(32, 's')});
    QTest::newRow("truncated offer") << offer.left(offer.size() - 1);
    QTest::newRow("offer with trailing bytes") << offer + "!";
    QTest::newRow("manifest over the bound")
        << filewire::encode(filewire::Offer{1, u"a"_qs, 1, 1, filewire::MaxManifestBytes + 1, QByteArray(32, 's')});
    QTest::newRow("SACK range below cumulative") << filewire::encode(filewire::Sack{1, 1, 100, {{50, 60}}});
    QTest::newRow("empty SACK range") << filewire::encode(filewire::Sack{1, 1, 100, {{200, 200}}});
    QByteArray reason = filewire::encode(filewire::Cancel{1, filewire::Reason::Declined, {}});
    QTest::newRow("unknown reason") << reason.replace(10, 1, "\x09");
}

void TestFileWire::refused()
{
    QFETCH(QByteArray, bytes);
    QString error;
    QVERIFY(!filewire::decode(bytes, &error));
    QVERIFY(!error.isEmpty());
}

void TestFileWire::dataFitsTheMtu()
{
    // 18 bytes of Data header, a 105-byte IPMsg header and an encryption envelope of 49 + 105 bytes.
    const QByteArray data = filewire::encode(filewire::Data{~0ull, ~0ull, QByteArray(filewire::ChunkBytes, 'x')});
    QCOMPARE(data.size(), filewire::ChunkBytes + 18);
    QVERIFY(data.size() + 105 + 49 + 105 <= filewire::MaxDatagramBytes);
}

QTEST_GUILESS_MAIN(TestFileWire)
#include "tst_filewire.moc"
