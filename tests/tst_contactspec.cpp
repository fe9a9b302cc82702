#include "contactspec.h"
#include "endpoint.h"

#include <QTest>

// The one parser of `NAME HOST[:PORT] [plain] [gbk]` (console /add, pigeon contacts add) and of ports.
class TestContactSpec final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsePort_data();
    void parsePort();
    void parse_data();
    void parse();
    void refused_data();
    void refused();
};

void TestContactSpec::parsePort_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("port"); // 0: refused
    QTest::addRow("lowest") << u"1"_qs << 1;
    QTest::addRow("IP Messenger's") << u"2425"_qs << 2425;
    QTest::addRow("highest") << u"65535"_qs << 65535;
    QTest::addRow("spaces around") << u" 2426 "_qs << 2426;
    QTest::addRow("leading zeros") << u"02425"_qs << 2425;
    QTest::addRow("zero") << u"0"_qs << 0;
    QTest::addRow("one past the highest") << u"65536"_qs << 0;
    QTest::addRow("far too big") << u"4294967297"_qs << 0;
    QTest::addRow("negative") << u"-1"_qs << 0;
    QTest::addRow("plus sign") << u"+2425"_qs << 0;
    QTest::addRow("letters") << u"abc"_qs << 0;
    QTest::addRow("hex") << u"0x10"_qs << 0;
    QTest::addRow("empty") << QString() << 0;
    QTest::addRow("space inside") << u"24 25"_qs << 0;
}

void TestContactSpec::parsePort()
{
    QFETCH(QString, text);
    QFETCH(int, port);
    const auto parsed = ::parsePort(text);
    QCOMPARE(parsed.has_value(), port != 0);
    if (port)
        QCOMPARE(int(*parsed), port);
}

void TestContactSpec::parse_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("plain");
    QTest::addColumn<bool>("gbk");
    QTest::addRow("IPv4, default port") << QStringList{u"Bob"_qs, u"192.0.2.7"_qs} << u"192.0.2.7"_qs << 2425 << false
                                        << false;
    QTest::addRow("IPv4 and port") << QStringList{u"Bob"_qs, u"192.0.2.7:2426"_qs} << u"192.0.2.7"_qs << 2426 << false
                                   << false;
    QTest::addRow("host name and port") << QStringList{u"Bob"_qs, u"bob.lan:9000"_qs} << u"bob.lan"_qs << 9000 << false
                                        << false;
    QTest::addRow("bare IPv6") << QStringList{u"Bob"_qs, u"fe80::1"_qs} << u"fe80::1"_qs << 2425 << false << false;
    QTest::addRow("IPv6 in brackets with port")
        << QStringList{u"Bob"_qs, u"[2001:db8::7]:2500"_qs} << u"2001:db8::7"_qs << 2500 << false << false;
    QTest::addRow("IPv6 in brackets") << QStringList{u"Bob"_qs, u"[::1]"_qs} << u"::1"_qs << 2425 << false << false;
    QTest::addRow("plain") << QStringList{u"nc"_qs, u"127.0.0.1:9000"_qs, u"plain"_qs} << u"127.0.0.1"_qs << 9000
                           << true << false;
    QTest::addRow("gbk, any case") << QStringList{u"Feiq"_qs, u"10.0.0.2"_qs, u"GBK"_qs} << u"10.0.0.2"_qs << 2425
                                   << false << true;
    QTest::addRow("cp932 by an alias") << QStringList{u"Ipmsg"_qs, u"10.0.0.4"_qs, u"Shift_JIS"_qs} << u"10.0.0.4"_qs
                                       << 2425 << false << false;
    QTest::addRow("both, either order") << QStringList{u"Old"_qs, u"10.0.0.3"_qs, u"gbk"_qs, u"Plain"_qs}
                                        << u"10.0.0.3"_qs << 2425 << true << true;
}

void TestContactSpec::parse()
{
    QFETCH(QStringList, words);
    QString error;
    const auto c = ContactSpec::parse(words, &error);
    QVERIFY2(c, qPrintable(error));
    QCOMPARE(c->name, words[0]);
    QTEST(c->host, "host");
    QTEST(int(c->port), "port");
    QTEST(c->protocol == Protocol::PlainText, "plain");
    QTEST(c->encoding == TextEncoding::Gbk, "gbk");
}

void TestContactSpec::refused_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QString>("error");
    QTest::addRow("no host") << QStringList{u"Bob"_qs} << u"needs a name and a host"_qs;
    QTest::addRow("port 0") << QStringList{u"Bob"_qs, u"192.0.2.7:0"_qs} << u"from 1 to 65535"_qs;
    QTest::addRow("port too big") << QStringList{u"Bob"_qs, u"192.0.2.7:70000"_qs} << u"from 1 to 65535"_qs;
    QTest::addRow("port not a number") << QStringList{u"Bob"_qs, u"192.0.2.7:http"_qs} << u"from 1 to 65535"_qs;
    QTest::addRow("empty port") << QStringList{u"Bob"_qs, u"192.0.2.7:"_qs} << u"from 1 to 65535"_qs;
    QTest::addRow("bracket not closed") << QStringList{u"Bob"_qs, u"[::1:2425"_qs} << u"[ADDRESS]:PORT"_qs;
    QTest::addRow("junk after bracket") << QStringList{u"Bob"_qs, u"[::1]x"_qs} << u"[ADDRESS]:PORT"_qs;
    QTest::addRow("bad port after bracket") << QStringList{u"Bob"_qs, u"[::1]:0"_qs} << u"from 1 to 65535"_qs;
    QTest::addRow("unknown option") << QStringList{u"Bob"_qs, u"192.0.2.7"_qs, u"tcp"_qs}
                                    << u"Unknown option \"tcp\": use one of plain, auto, utf-8, gbk, cp932"_qs;
}

void TestContactSpec::refused()
{
    QFETCH(QStringList, words);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!ContactSpec::parse(words, &why));
    QVERIFY2(why.contains(error), qPrintable(why));
}

QTEST_GUILESS_MAIN(TestContactSpec)
#include "tst_contactspec.moc"
