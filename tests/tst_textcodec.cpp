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
    void decodeLegacy_data();
    void decodeLegacy();
    void encodeLegacy_data();
    void encodeLegacy();
    void legacyEncodingFollowsLocale_data();
    void legacyEncodingFollowsLocale();
    void bounded_data();
    void bounded();
    void printable_data();
    void printable();
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
    QTest::newRow("cp932 kanji, 2 bytes each") << QStringLiteral("中文消息") << int(TextEncoding::Cp932) << 3 << 4;
    // Half-width katakana are one byte in CP932 (ｱ is B1), kanji two: a cut must fall between characters.
    QTest::newRow("cp932 kana and kanji") << QStringLiteral("ｱ中ｲ文ｳ") << int(TextEncoding::Cp932) << 2 << 5;
    QTest::newRow("cp932 with ascii") << QStringLiteral("ok 日本語です") << int(TextEncoding::Cp932) << 5 << 3;
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
    QTest::newRow("cp932") << QStringLiteral("cp932") << int(TextEncoding::Cp932);
    QTest::newRow("Shift_JIS") << QStringLiteral("Shift_JIS") << int(TextEncoding::Cp932);
    QTest::newRow("sjis") << QStringLiteral("sjis") << int(TextEncoding::Cp932);
    QTest::newRow("windows-31j") << QStringLiteral("windows-31j") << int(TextEncoding::Cp932);
    QTest::newRow("auto") << QStringLiteral("Auto") << int(TextEncoding::Auto);
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

void TestTextCodec::decodeLegacy_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("expected");
    QTest::addColumn<int>("legacy");
    QTest::addColumn<QString>("text");
    // Issue 18.1: the same bytes are CP932 from a Japanese IP Messenger and GBK from FeiQ; only the peer can tell.
    const QByteArray zhongwen("\x92\x86\x95\xb6\x8f\xc1\x91\xa7");
    QTest::newRow("cp932 peer: 中文消息")
        << zhongwen << int(TextEncoding::Cp932) << int(TextEncoding::Gbk) << QStringLiteral("中文消息");
    QTest::newRow("gbk peer, same bytes")
        << zhongwen << int(TextEncoding::Gbk) << int(TextEncoding::Gbk) << QStringLiteral("拞暥徚懅");
    QTest::newRow("unknown peer, legacy cp932")
        << zhongwen << int(TextEncoding::Auto) << int(TextEncoding::Cp932) << QStringLiteral("中文消息");
    QTest::newRow("unknown peer, legacy gbk")
        << zhongwen << int(TextEncoding::Auto) << int(TextEncoding::Gbk) << QStringLiteral("拞暥徚懅");
    QTest::newRow("unknown peer, valid utf-8 stays utf-8")
        << QByteArray("\xe4\xbd\xa0\xe5\xa5\xbd") << int(TextEncoding::Auto) << int(TextEncoding::Cp932)
        << QStringLiteral("你好");
    QTest::newRow("cp932 half-width kana")
        << QByteArray("\xb1\xb2\xb3") << int(TextEncoding::Cp932) << int(TextEncoding::Gbk) << QStringLiteral("ｱｲｳ");
    QTest::newRow("cp932 wave dash as Windows has it")
        << QByteArray("\x81\x60") << int(TextEncoding::Cp932) << int(TextEncoding::Gbk) << QStringLiteral("～");
    QTest::newRow("cp932 NEC circled one")
        << QByteArray("\x87\x40") << int(TextEncoding::Cp932) << int(TextEncoding::Gbk) << QStringLiteral("①");
    QTest::newRow("cp932 lead byte cut off at the end")
        << QByteArray("ab\x92") << int(TextEncoding::Cp932) << int(TextEncoding::Gbk) << QStringLiteral("ab\ufffd");
    QTest::newRow("cp932 invalid byte") << QByteArray("a\xa0"
                                                      "b")
                                        << int(TextEncoding::Cp932) << int(TextEncoding::Gbk)
                                        << QStringLiteral("a\ufffdb");
}

void TestTextCodec::decodeLegacy()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, expected);
    QFETCH(int, legacy);
    QTEST(textcodec::decode(bytes, false, TextEncoding(expected), TextEncoding(legacy)), "text");
    // UTF8OPT overrides every guess.
    QCOMPARE(textcodec::decode("\xe4\xbd\xa0", true, TextEncoding(expected), TextEncoding(legacy)),
             QStringLiteral("你"));
}

void TestTextCodec::encodeLegacy_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("cp932 中文消息") << QStringLiteral("中文消息") << int(TextEncoding::Cp932)
                                    << QByteArray("\x92\x86\x95\xb6\x8f\xc1\x91\xa7");
    QTest::newRow("cp932 kana and ascii") << QStringLiteral("ｱa") << int(TextEncoding::Cp932)
                                          << QByteArray("\xb1"
                                                        "a");
    // CP932 lacks 鸽 and emoji: a question mark, not ICU's FC FC.
    QTest::newRow("cp932 lacks a character") << QStringLiteral("小鸽😀!") << int(TextEncoding::Cp932)
                                             << QByteArray("\x8f\xac?"
                                                           "?!");
    QTest::newRow("gbk 小鸽子") << QStringLiteral("小鸽子") << int(TextEncoding::Gbk)
                                << QByteArray("\xd0\xa1\xb8\xeb\xd7\xd3");
    QTest::newRow("auto is utf-8") << QStringLiteral("小鸽子") << int(TextEncoding::Auto)
                                   << QByteArray("\xe5\xb0\x8f\xe9\xb8\xbd\xe5\xad\x90");
}

void TestTextCodec::encodeLegacy()
{
    QFETCH(QString, text);
    QFETCH(int, encoding);
    QTEST(textcodec::encode(text, TextEncoding(encoding)), "bytes");
}

void TestTextCodec::legacyEncodingFollowsLocale_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<int>("encoding");
    QTest::newRow("ja_JP") << QStringLiteral("ja_JP") << int(TextEncoding::Cp932);
    QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << int(TextEncoding::Gbk);
    QTest::newRow("zh_TW") << QStringLiteral("zh_TW") << int(TextEncoding::Gbk);
    QTest::newRow("en_US") << QStringLiteral("en_US") << int(TextEncoding::Gbk);
}

void TestTextCodec::legacyEncodingFollowsLocale()
{
    QFETCH(QString, locale);
    QTEST(int(textcodec::legacyEncodingFor(QLocale(locale))), "encoding");
}

void TestTextCodec::bounded_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("length");
    QTest::newRow("short") << QStringLiteral("Li") << 2;
    QTest::newRow("64 exactly") << QString(64, u'x') << 64;
    QTest::newRow("60 000") << QString(60000, u'x') << 64;
    // 63 letters then an emoji: its two halves would straddle the limit, so both go.
    QTest::newRow("no half surrogate pair") << QString(63, u'x') + QStringLiteral("😀😀") << 63;
}

void TestTextCodec::bounded()
{
    QFETCH(QString, text);
    const QString kept = textcodec::bounded(text);
    QTEST(int(kept.size()), "length");
    QVERIFY(text.startsWith(kept));
}

void TestTextCodec::printable_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("ascii") << QStringLiteral("hello, world") << QStringLiteral("hello, world");
    QTest::newRow("chinese and emoji") << QStringLiteral("你好 😀") << QStringLiteral("你好 😀");
    QTest::newRow("tab stays") << QStringLiteral("a\tb") << QStringLiteral("a\tb");
    QTest::newRow("newline indented") << QStringLiteral("a\nb") << QStringLiteral("a\n    b");
    QTest::newRow("escape") << QStringLiteral("a\x1b[2Jb") << QStringLiteral("a^[[2Jb");
    QTest::newRow("bell at the end") << QStringLiteral("ring\x07") << QStringLiteral("ring^G");
    QTest::newRow("delete") << QStringLiteral("a\x7f") << QStringLiteral("a\\u007f");
    QTest::newRow("c1 control") << QString(QChar(0x9b)) + u"31m" << QStringLiteral("\\u009b31m");
    QTest::newRow("no-break space stays") << QString(QChar(0xa0)) << QString(QChar(0xa0));
    QTest::newRow("right-to-left override") << QStringLiteral("abc\u202Edef") << QStringLiteral("abc\\u202edef");
    QTest::newRow("isolate") << QStringLiteral("\u2066x\u2069") << QStringLiteral("\\u2066x\\u2069");
    QTest::newRow("empty") << QString() << QString();
}

void TestTextCodec::printable()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(textcodec::printable(text), expected);
}

QTEST_APPLESS_MAIN(TestTextCodec)
#include "tst_textcodec.moc"
