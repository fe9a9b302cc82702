// The IP Messenger family's file protocol as bytes (ipmsgfilewire.h): attachment lists as iptux, FeiQ and IP
// Messenger write them, folder stream headers as iptux 0.8.3 writes them (SendFileData::SendDirFiles), requests, and
// hostile or truncated input.
#include "ipmsgfilewire.h"
#include "textcodec.h"

#include <QTest>

using namespace ipmsgfiles;

Q_DECLARE_METATYPE(QList<ipmsgfiles::Attachment>)
Q_DECLARE_METATYPE(ipmsgfiles::Header)
Q_DECLARE_METATYPE(ipmsgfiles::ParseStatus)

class TestIpmsgFileWire final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void attachments_data();
    void attachments();
    void badAttachments_data();
    void badAttachments();
    void gbkNameDecodesWithThePeersCodec();
    void encodesAsIptux();
    void headers_data();
    void headers();
    void encodesHeaders();
    void requests_data();
    void requests();
};

void TestIpmsgFileWire::attachments_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QList<Attachment>>("expected");
    QTest::newRow("the issue's offer") << QByteArray("0:report.pdf:1f400:6790a1b2:1:\a")
                                       << QList<Attachment>{{0, "report.pdf", 0x1f400, 0x6790a1b2, 1}};
    QTest::newRow("no final BEL, a NUL after")
        << QByteArray("7:a.txt:0:0:1:\0", 15) << QList<Attachment>{{7, "a.txt", 0, 0, 1}};
    QTest::newRow(":: is a colon") << QByteArray("1:a::b.txt:10:0:1:\a")
                                   << QList<Attachment>{{1, "a:b.txt", 0x10, 0, 1}};
    QTest::newRow("a name ending in a colon")
        << QByteArray("1:a:::10:0:1:\a") << QList<Attachment>{{1, "a:", 0x10, 0, 1}};
    QTest::newRow("iptux broadcast form, a folder") << QByteArray("0:a:1:0:1:\a:1:docs:2f:5f:2:\a:")
                                                    << QList<Attachment>{{0, "a", 1, 0, 1}, {1, "docs", 0x2f, 0x5f, 2}};
    QTest::newRow("extended attributes") << QByteArray("0:x:5:0:1:14=5f:16=60:\a")
                                         << QList<Attachment>{{0, "x", 5, 0, 1}};
    QTest::newRow("option bits above the kind")
        << QByteArray("0:ro.txt:5:0:101:\a") << QList<Attachment>{{0, "ro.txt", 5, 0, 0x101}};
    QTest::newRow("an unknown kind is kept (shown, refused later)")
        << QByteArray("0:pipe:0:0:7:\a") << QList<Attachment>{{0, "pipe", 0, 0, 7}};
}

void TestIpmsgFileWire::attachments()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QList<Attachment>, expected);
    QString error;
    const auto decoded = decodeAttachments(bytes, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, expected);
}

void TestIpmsgFileWire::badAttachments_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("only separators") << QByteArray("\a:\a");
    QTest::newRow("file id no number") << QByteArray("x:a:1:0:1:\a");
    QTest::newRow("file id hex (decimal expected)") << QByteArray("1f:a:1:0:1:\a");
    QTest::newRow("empty name") << QByteArray("0::1:0:1:\a");
    QTest::newRow("name never ends") << QByteArray("0:abc");
    QTest::newRow("size not hex") << QByteArray("0:a:zz:0:1:\a");
    QTest::newRow("negative size") << QByteArray("0:a:-1:0:1:\a");
    QTest::newRow("size of 17 digits") << QByteArray("0:a:10000000000000000:0:1:\a");
    QTest::newRow("size over 2^62") << QByteArray("0:a:ffffffffffffffff:0:1:\a");
    QTest::newRow("missing kind") << QByteArray("0:a:1:0:\a");
    QTest::newRow("name of 1025 bytes") << QByteArray("0:" + QByteArray(1025, 'n') + ":1:0:1:\a");
    QByteArray many;
    for (int i = 0; i < 257; ++i)
        many += QByteArray::number(i) + ":f:1:0:1:\a";
    QTest::newRow("257 entries") << many;
}

void TestIpmsgFileWire::badAttachments()
{
    QFETCH(QByteArray, bytes);
    QString error;
    QVERIFY(!decodeAttachments(bytes, &error));
    QVERIFY(!error.isEmpty());
}

// FeiQ writes names in GBK without UTF8OPT: the codec keeps the bytes, the peer's codec reads them.
void TestIpmsgFileWire::gbkNameDecodesWithThePeersCodec()
{
    const auto decoded = decodeAttachments(QByteArray("0:\xb1\xa8\xb8\xe6.txt:400:0:1:\a"));
    QVERIFY(decoded);
    QCOMPARE(decoded->first().name, QByteArray("\xb1\xa8\xb8\xe6.txt"));
    QCOMPARE(textcodec::decode(decoded->first().name, false, TextEncoding::Gbk), QStringLiteral("报告.txt"));
    QCOMPARE(textcodec::decode(decoded->first().name, false, TextEncoding::Auto), QStringLiteral("报告.txt"));
}

void TestIpmsgFileWire::encodesAsIptux()
{
    QCOMPARE(encodeAttachments({{0, "a:b", 0x10, 0x5f, 1}, {1, "dir", 0, 0, 2}}),
             QByteArray("0:a::b:10:5f:1:\a1:dir:0:0:2:\a"));
}

void TestIpmsgFileWire::headers_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ParseStatus>("status");
    QTest::addColumn<Header>("expected");
    QTest::addColumn<int>("consumed");
    // iptux 0.8.3: "%.4x:%s:%.9llx:%lx:14=%lx:16=%lx:" with the size counting the whole header.
    QTest::newRow("iptux file") << QByteArray("0027:a.txt:5:1:14=5f000000:16=5f000000:hello") << ParseStatus::Ok
                                << Header{"a.txt", 5, 1, 0x5f000000} << 39;
    QTest::newRow("iptux RETPARENT") << QByteArray("0015:.:0:3:14=0:16=0:") << ParseStatus::Ok << Header{".", 0, 3, 0}
                                     << 21;
    QTest::newRow("escaped colon, no attributes")
        << QByteArray("000e:b::c:a:1:") << ParseStatus::Ok << Header{"b:c", 10, 1, 0} << 14;
    QTest::newRow("truncated in the size") << QByteArray("00") << ParseStatus::NeedMore << Header{} << 0;
    QTest::newRow("truncated in the name") << QByteArray("0027:a.t") << ParseStatus::NeedMore << Header{} << 0;
    QTest::newRow("size field not hex") << QByteArray("00zz:a:1:1:") << ParseStatus::Error << Header{} << 0;
    QTest::newRow("header over 64 KiB") << QByteArray("10001:a:1:1:") << ParseStatus::Error << Header{} << 0;
    QTest::newRow("no size within 17 bytes") << QByteArray(20, '0') << ParseStatus::Error << Header{} << 0;
    QTest::newRow("size below its fields") << QByteArray("0003:a:1:1:") << ParseStatus::Error << Header{} << 0;
    QTest::newRow("does not end where it says") << QByteArray("000c:a:1:1:xyz") << ParseStatus::Error << Header{} << 0;
    QTest::newRow("negative file size") << QByteArray("000c:a:-1:1:") << ParseStatus::Error << Header{} << 0;
    QTest::newRow("empty name") << QByteArray("000a::1:1::") << ParseStatus::Error << Header{} << 0;
    QTest::newRow("missing kind") << QByteArray("0009:ab:1:") << ParseStatus::Error << Header{} << 0;
}

void TestIpmsgFileWire::headers()
{
    QFETCH(QByteArray, bytes);
    QFETCH(ParseStatus, status);
    QFETCH(Header, expected);
    QFETCH(int, consumed);
    Header h;
    qsizetype used = 0;
    QString error;
    QCOMPARE(parseHeader(bytes, &h, &used, &error), status);
    QCOMPARE(error.isEmpty(), status != ParseStatus::Error);
    if (status == ParseStatus::Ok) {
        QCOMPARE(h, expected);
        QCOMPARE(used, qsizetype(consumed));
    }
}

void TestIpmsgFileWire::encodesHeaders()
{
    QCOMPARE(encodeHeader({"b:c", 10, 1, 0x5f}), QByteArray("0014:b::c:a:1:14=5f:"));
    QCOMPARE(encodeHeader({".", 0, 3, 0}), QByteArray("0010:.:0:3:14=0:"));
}

void TestIpmsgFileWire::requests_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<quint64>("packetNo");
    QTest::addColumn<quint32>("fileId");
    QTest::addColumn<quint64>("offset");
    QTest::newRow("GETFILEDATA") << QByteArray("6790a1b2:0:1000") << true << quint64(0x6790a1b2) << 0u
                                 << quint64(0x1000);
    QTest::newRow("with its NUL") << QByteArray("5:a:0\0", 6) << true << quint64(5) << 10u << quint64(0);
    QTest::newRow("GETDIRFILES without offset") << QByteArray("5:1") << true << quint64(5) << 1u << quint64(0);
    QTest::newRow("only a packet number") << QByteArray("5") << false << quint64(0) << 0u << quint64(0);
    QTest::newRow("four fields") << QByteArray("5:1:2:3") << false << quint64(0) << 0u << quint64(0);
    QTest::newRow("not hex") << QByteArray("g:1:0") << false << quint64(0) << 0u << quint64(0);
    QTest::newRow("file id over 32 bits") << QByteArray("5:100000000:0") << false << quint64(0) << 0u << quint64(0);
}

void TestIpmsgFileWire::requests()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    const auto r = decodeRequest(bytes);
    QCOMPARE(r.has_value(), valid);
    if (!valid)
        return;
    QTEST(r->packetNo, "packetNo");
    QTEST(r->fileId, "fileId");
    QTEST(r->offset, "offset");
}

QTEST_APPLESS_MAIN(TestIpmsgFileWire)
#include "tst_ipmsgfilewire.moc"
