#include "textcodec.h"

#include <QTest>

class TestTextCodec final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void decode_data();
    void decode();
    void decodeFromGbkPeer();
    void encodeGbk();
    void split_data();
    void split();
    void encodingNames_data();
    void encodingNames();
};

void TestTextCodec::decode_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("flagged");
    QTest::addColumn<QString>("expected");
    QTest::newRow("ascii") << QByteArray("hello") << false << QStringLiteral("hello");
    QTest::newRow("utf-8 unflagged (iptux)")
        << QByteArray("\xe4\xbd\xa0\xe5\xa5\xbd") << false << QStringLiteral("你好");
    QTest::newRow("utf-8 flagged") << QByteArray("\xe4\xbd\xa0\xe5\xa5\xbd") << true << QStringLiteral("你好");
    QTest::newRow("gbk (FeiQ)") << QByteArray("\xc4\xe3\xba\xc3") << false << QStringLiteral("你好");
    QTest::newRow("gbk mixed with ascii") << QByteArray("ok \xd6\xd0\xce\xc4") << false << QStringLiteral("ok 中文");
    QTest::newRow("emoji") << QByteArray("\xf0\x9f\x98\x80") << false << QStringLiteral("😀");
    QTest::newRow("empty") << QByteArray() << false << QString();
}

void TestTextCodec::decodeFromGbkPeer()
{
    // D2 BB is 一 in GBK and valid UTF-8 (U+04BB) as well: a peer marked GBK settles it.
    QCOMPARE(textcodec::decode("\xd2\xbb", false, TextEncoding::Gbk), QStringLiteral("一"));
    QCOMPARE(textcodec::decode("\xd2\xbb", false), QStringLiteral("\u04bb"));
    QCOMPARE(textcodec::decode("\xe4\xb8\x80", true, TextEncoding::Gbk), QStringLiteral("一"));
}

void TestTextCodec::decode()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, flagged);
    QTEST(textcodec::decode(bytes, flagged), "expected");
}

void TestTextCodec::encodeGbk()
{
    QCOMPARE(textcodec::encode(QStringLiteral("你好"), TextEncoding::Gbk), QByteArray("\xc4\xe3\xba\xc3"));
    QCOMPARE(textcodec::encode(QStringLiteral("你好"), TextEncoding::Utf8), QByteArray("\xe4\xbd\xa0\xe5\xa5\xbd"));
    // Round trip through GBK, including text GBK lacks (GB18030 covers every code point).
    const QString text = QStringLiteral("飞鸽传书 ok 😀");
    QCOMPARE(textcodec::decode(textcodec::encode(text, TextEncoding::Gbk)), text);
}

void TestTextCodec::split_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<int>("parts");
    QTest::newRow("fits") << QStringLiteral("short") << int(TextEncoding::Utf8) << 8 << 1;
    QTest::newRow("ascii exact") << QStringLiteral("abcdefgh") << int(TextEncoding::Utf8) << 4 << 2;
    QTest::newRow("utf-8 Chinese, 3 bytes each") << QStringLiteral("一二三四五") << int(TextEncoding::Utf8) << 7 << 3;
    QTest::newRow("utf-8 emoji, 4 bytes each") << QStringLiteral("😀😀😀") << int(TextEncoding::Utf8) << 5 << 3;
    QTest::newRow("gbk Chinese, 2 bytes each") << QStringLiteral("一二三四五") << int(TextEncoding::Gbk) << 3 << 5;
    QTest::newRow("gbk mixed") << QStringLiteral("a一b二c三") << int(TextEncoding::Gbk) << 4 << 3;
}

void TestTextCodec::split()
{
    QFETCH(QString, text);
    QFETCH(int, encoding);
    QFETCH(int, maxBytes);
    const QList<QByteArray> parts = textcodec::split(text, TextEncoding(encoding), maxBytes);
    QTEST(int(parts.size()), "parts");
    QString joined;
    for (const QByteArray& part : parts) {
        QVERIFY(part.size() <= maxBytes);
        QVERIFY(!part.isEmpty());
        // Every part decodes on its own: no character was cut.
        const QString piece = textcodec::decode(part, false, TextEncoding(encoding));
        QVERIFY(!piece.contains(QChar::ReplacementCharacter));
        joined += piece;
    }
    QCOMPARE(joined, text);
}

void TestTextCodec::encodingNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("encoding");
    QTest::newRow("utf-8") << QStringLiteral("utf-8") << int(TextEncoding::Utf8);
    QTest::newRow("UTF8") << QStringLiteral("UTF8") << int(TextEncoding::Utf8);
    QTest::newRow("gbk") << QStringLiteral(" GBK ") << int(TextEncoding::Gbk);
    QTest::newRow("gb2312") << QStringLiteral("gb2312") << int(TextEncoding::Gbk);
    QTest::newRow("unknown") << QStringLiteral("latin1") << -1;
}

void TestTextCodec::encodingNames()
{
    QFETCH(QString, name);
    QFETCH(int, encoding);
    const auto parsed = textcodec::encodingFromName(name);
    QCOMPARE(parsed ? int(*parsed) : -1, encoding);
    if (parsed)
        QCOMPARE(textcodec::encodingFromName(textcodec::encodingName(*parsed)), parsed);
}

QTEST_APPLESS_MAIN(TestTextCodec)
#include "tst_textcodec.moc"
