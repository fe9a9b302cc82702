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
    void dataInPlace_data();
    void dataInPlace();
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
    QTest::newRow("chunk size") << filewire::Payload(filewire::ChunkSize{8, quint16(filewire::ChunkBytes)});
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
    QTest::newRow("chunk size 0") << filewire::encode(filewire::ChunkSize{1, 0});
    QTest::newRow("chunk size over the MTU")
        << filewire::encode(filewire::ChunkSize{1, quint16(filewire::ChunkBytes + 1)});
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
    // 18 bytes of Data header, a file datagram's IPMsg header and an encryption envelope of 49 bytes and an outer
    // header as large; 1 452 bytes: a 1 500-byte Ethernet MTU over IPv6.
    const QByteArray data = filewire::encode(filewire::Data{~0ull, ~0ull, QByteArray(filewire::ChunkBytes, 'x')});
    QCOMPARE(data.size(), filewire::ChunkBytes + 18);
    QCOMPARE(filewire::MaxDatagramBytes, 1500 - 40 - 8);
    QVERIFY(filewire::MaxFileHeaderBytes + data.size() + 49 + filewire::MaxFileHeaderBytes <=
            filewire::MaxDatagramBytes);
    // The IPMsg header at its longest: a 19-byte version, 20-digit numbers, empty user and host, a NUL.
    const QByteArray header = QByteArray(19, 'v') + ':' + QByteArray::number(~0ull) + ":::228:" + '\0';
    QCOMPARE(header.size(), filewire::MaxFileHeaderBytes);
}

void TestFileWire::dataInPlace_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("isData");
    QTest::newRow("one byte") << filewire::encode(filewire::Data{4, 7, "x"}) << true;
    QTest::newRow("a whole chunk") << filewire::encode(
                                          filewire::Data{~0ull, ~0ull, QByteArray(filewire::ChunkBytes, 'c')})
                                   << true;
    QTest::newRow("over a chunk") << filewire::encode(filewire::Data{4, 0, QByteArray(filewire::ChunkBytes + 1, 'x')})
                                  << false;
    QTest::newRow("no bytes") << filewire::encode(filewire::Data{4, 0, "x"}).chopped(1) << false;
    QTest::newRow("version 2") << filewire::encode(filewire::Data{4, 0, "x"}).replace(0, 1, "\x02") << false;
    QTest::newRow("a SACK") << filewire::encode(filewire::Sack{5, 7, 1000, {}}) << false;
    QTest::newRow("empty") << QByteArray() << false;
}

// decodeData (the receiver's path for data) accepts exactly the Data payloads decode() does, with the same fields;
// writeDataHeader writes what encode() does.
void TestFileWire::dataInPlace()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, isData);
    const auto view = filewire::decodeData(bytes);
    const auto decoded = filewire::decode(bytes);
    QCOMPARE(view.has_value(), isData);
    QCOMPARE(decoded && std::holds_alternative<filewire::Data>(*decoded), isData);
    if (!isData)
        return;
    const auto& data = std::get<filewire::Data>(*decoded);
    QCOMPARE(view->id, data.id);
    QCOMPARE(view->offset, data.offset);
    QCOMPARE(view->bytes, QByteArrayView(data.bytes));
    QByteArray written(filewire::DataHeaderBytes, Qt::Uninitialized);
    filewire::writeDataHeader(written.data(), data.id, data.offset);
    QCOMPARE(written + data.bytes, bytes);
}

QTEST_GUILESS_MAIN(TestFileWire)
#include "tst_filewire.moc"
