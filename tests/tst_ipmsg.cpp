#include "ipmsg.h"

#include <QTest>

using namespace ipmsg;

namespace {
// A byte string literal with its embedded NULs, without its terminating one.
template <qsizetype N>
QByteArray raw(const char (&s)[N])
{
    return QByteArray(s, N - 1);
}
} // namespace

class TestIpMsg final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void decodeValid_data();
    void decodeValid();
    void decodeInvalid_data();
    void decodeInvalid();
    void roundTrip_data();
    void roundTrip();
    void encodeSanitizesHeaderFields();
    void hugeDatagram();
    void entryExtension_data();
    void entryExtension();
    void buildEntryParsesBack();
    void buildEntryInPeersEncoding_data();
    void buildEntryInPeersEncoding();
    void strangersFieldsAreBounded_data();
    void strangersFieldsAreBounded();
    void packetNumbersIncrease();
};

void TestIpMsg::decodeValid_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<quint64>("packetNo");
    QTest::addColumn<QByteArray>("user");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<quint32>("command");
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("protocol example") << raw("1:1732230000:alice:laptop:288:hello\0") << QByteArray("1")
                                      << quint64(1732230000) << QByteArray("alice") << QByteArray("laptop")
                                      << quint32(288) << QByteArray("hello");
    QTest::newRow("iptux entry") << raw("1_iptux 0.8.3:4:root:vm:259:iptuxbot\0qa\0icon-tux.png\0utf-8\0")
                                 << QByteArray("1_iptux 0.8.3") << quint64(4) << QByteArray("root") << QByteArray("vm")
                                 << quint32(259) << QByteArray("iptuxbot");
    QTest::newRow("FeiQ version field") << QByteArray(
                                               "1_lbt6_0#128#001122334455#0#0#0#4001#9:1700000001:li:PC-LI:32:hi")
                                        << QByteArray("1_lbt6_0#128#001122334455#0#0#0#4001#9") << quint64(1700000001)
                                        << QByteArray("li") << QByteArray("PC-LI") << quint32(32) << QByteArray("hi");
    QTest::newRow("colon inside text") << raw("1:5:u:h:32:time is 12:30: ok\0") << QByteArray("1") << quint64(5)
                                       << QByteArray("u") << QByteArray("h") << quint32(32)
                                       << QByteArray("time is 12:30: ok");
    QTest::newRow("no trailing NUL") << QByteArray("1:6:u:h:32:plain") << QByteArray("1") << quint64(6)
                                     << QByteArray("u") << QByteArray("h") << quint32(32) << QByteArray("plain");
    QTest::newRow("empty extension") << QByteArray("1:7:u:h:1:") << QByteArray("1") << quint64(7) << QByteArray("u")
                                     << QByteArray("h") << quint32(1) << QByteArray();
    QTest::newRow("empty user and host") << QByteArray("1:8:::3:x") << QByteArray("1") << quint64(8) << QByteArray()
                                         << QByteArray() << quint32(3) << QByteArray("x");
    QTest::newRow("UTF8OPT SENDMSG with Chinese")
        << raw("1:9:wang:pc:8388896:\xe4\xbd\xa0\xe5\xa5\xbd\0") << QByteArray("1") << quint64(9) << QByteArray("wang")
        << QByteArray("pc") << quint32(0x800120) << QByteArray("\xe4\xbd\xa0\xe5\xa5\xbd");
    QTest::newRow("largest 32-bit command")
        << QByteArray("1:1:u:h:4294967295:") << QByteArray("1") << quint64(1) << QByteArray("u") << QByteArray("h")
        << quint32(0xffffffff) << QByteArray();
}

void TestIpMsg::decodeValid()
{
    QFETCH(QByteArray, datagram);
    const DecodeResult r = decode(datagram);
    QVERIFY2(r.packet, qPrintable(r.error));
    QVERIFY(r.error.isEmpty());
    QTEST(r.packet->version, "version");
    QTEST(r.packet->packetNo, "packetNo");
    QTEST(r.packet->user, "user");
    QTEST(r.packet->host, "host");
    QTEST(r.packet->command, "command");
    QTEST(r.packet->text(), "text");
}

void TestIpMsg::decodeInvalid_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty datagram") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("plain text") << QByteArray("hello there\n") << QStringLiteral("fields");
    QTest::newRow("missing fields") << QByteArray("1:2:u:h") << QStringLiteral("fields");
    QTest::newRow("four colons") << QByteArray("1:2:u:h:32") << QStringLiteral("fields");
    QTest::newRow("version 2") << QByteArray("2:1:u:h:32:x") << QStringLiteral("version");
    QTest::newRow("version 10") << QByteArray("10:1:u:h:32:x") << QStringLiteral("version");
    QTest::newRow("empty version") << QByteArray(":1:u:h:32:x") << QStringLiteral("version");
    QTest::newRow("non-numeric packet number") << QByteArray("1:abc:u:h:32:x") << QStringLiteral("packet number");
    QTest::newRow("negative packet number") << QByteArray("1:-5:u:h:32:x") << QStringLiteral("packet number");
    QTest::newRow("empty packet number") << QByteArray("1::u:h:32:x") << QStringLiteral("packet number");
    QTest::newRow("packet number overflow")
        << QByteArray("1:99999999999999999999:u:h:32:x") << QStringLiteral("packet number");
    QTest::newRow("non-numeric command") << QByteArray("1:1:u:h:SEND:x") << QStringLiteral("command");
    QTest::newRow("command over 32 bits") << QByteArray("1:1:u:h:4294967296:x") << QStringLiteral("command");
    QTest::newRow("binary garbage") << raw("\x00\xff\xfe:\x01") << QStringLiteral("fields");
}

void TestIpMsg::decodeInvalid()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QString, reason);
    const DecodeResult r = decode(datagram);
    QVERIFY(!r.packet);
    QVERIFY2(r.error.contains(reason), qPrintable(r.error));
}

void TestIpMsg::roundTrip_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<quint64>("packetNo");
    QTest::addColumn<quint32>("command");
    QTest::addColumn<QByteArray>("extension");
    QTest::newRow("sendmsg") << QByteArray("1_pigeon 0.1.0") << quint64(1732230000)
                             << (SendMsg | SendCheckOpt | Utf8Opt) << QByteArray("hello: world");
    QTest::newRow("entry with NULs") << QByteArray("1") << quint64(1) << (BrEntry | CapUtf8Opt)
                                     << raw("nick\0group\0\nUN:u\n");
    QTest::newRow("600-byte text") << QByteArray("1") << quint64(42) << SendMsg << QByteArray(600, 'x');
    QTest::newRow("empty extension") << QByteArray("1") << quint64(0) << RecvMsg << QByteArray();
}

void TestIpMsg::roundTrip()
{
    Packet p;
    QFETCH(QByteArray, version);
    QFETCH(quint64, packetNo);
    QFETCH(quint32, command);
    QFETCH(QByteArray, extension);
    p.version = version;
    p.packetNo = packetNo;
    p.user = "user";
    p.host = "host";
    p.command = command;
    p.extension = extension;
    const QByteArray bytes = encode(p);
    QVERIFY(bytes.endsWith('\0'));
    const DecodeResult r = decode(bytes);
    QVERIFY2(r.packet, qPrintable(r.error));
    QCOMPARE(r.packet->version, version);
    QCOMPARE(r.packet->packetNo, packetNo);
    QCOMPARE(r.packet->command, command);
    QCOMPARE(r.packet->extension, extension);
    QCOMPARE(r.packet->mode(), command & 0xffu);
}

void TestIpMsg::encodeSanitizesHeaderFields()
{
    Packet p;
    p.user = "evil:user";
    p.host = raw("h\0st");
    p.command = SendMsg;
    p.extension = "x";
    const DecodeResult r = decode(encode(p));
    QVERIFY(r.packet);
    QCOMPARE(r.packet->user, QByteArray("evil_user"));
    QCOMPARE(r.packet->host, QByteArray("h_st"));
    QCOMPARE(r.packet->text(), QByteArray("x"));
}

void TestIpMsg::hugeDatagram()
{
    // The largest UDP payload: decoding must neither truncate nor choke.
    const QByteArray header("1:77:u:h:32:");
    const QByteArray datagram = header + QByteArray(65507 - header.size(), 'a');
    QCOMPARE(datagram.size(), 65507);
    const DecodeResult r = decode(datagram);
    QVERIFY(r.packet);
    QCOMPARE(r.packet->text().size(), 65507 - header.size());
}

void TestIpMsg::entryExtension_data()
{
    QTest::addColumn<QByteArray>("extension");
    QTest::addColumn<QByteArray>("nick");
    QTest::addColumn<QByteArray>("group");
    QTest::addColumn<QString>("utf8Nick");
    QTest::addColumn<QByteArray>("declaredEncoding");
    QTest::newRow("iptux") << raw("iptuxbot\0qa\0icon-tux.png\0utf-8\0") << QByteArray("iptuxbot") << QByteArray("qa")
                           << QString() << QByteArray("utf-8");
    QTest::newRow("iptux, encoding in capitals") << raw("Li\0group\0icon.png\0UTF-8\0") << QByteArray("Li")
                                                 << QByteArray("group") << QString() << QByteArray("utf-8");
    QTest::newRow("IPMsg 4 with UTF-8 block")
        << raw("Taro\0Dev\0\nUN:taro\nHN:pc1\nNN:\xe5\xa4\xaa\xe9\x83\x8e\nGN:Dev\n") << QByteArray("Taro")
        << QByteArray("Dev") << QStringLiteral("太郎") << QByteArray();
    QTest::newRow("FeiQ, GBK nick") << raw("\xd0\xa1\xcd\xf5\0\0") << QByteArray("\xd0\xa1\xcd\xf5") << QByteArray()
                                    << QString() << QByteArray();
    QTest::newRow("nick only") << QByteArray("solo") << QByteArray("solo") << QByteArray() << QString() << QByteArray();
    QTest::newRow("empty") << QByteArray() << QByteArray() << QByteArray() << QString() << QByteArray();
}

void TestIpMsg::entryExtension()
{
    QFETCH(QByteArray, extension);
    const EntryInfo info = parseEntry(extension);
    QTEST(info.nick, "nick");
    QTEST(info.group, "group");
    QTEST(info.utf8Nick, "utf8Nick");
    QTEST(info.declaredEncoding, "declaredEncoding");
}

void TestIpMsg::buildEntryParsesBack()
{
    const QByteArray ext = buildEntry(QStringLiteral("小明"), QStringLiteral("实验室"), "xm", "lab-pc");
    const EntryInfo info = parseEntry(ext);
    QCOMPARE(info.utf8Nick, QStringLiteral("小明"));
    QCOMPARE(info.utf8Group, QStringLiteral("实验室"));
    QCOMPARE(QString::fromUtf8(info.nick), QStringLiteral("小明"));
}

void TestIpMsg::buildEntryInPeersEncoding_data()
{
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QByteArray>("extension");
    // Issue 15.4: FeiQ reads the first field in GBK. IPMsg 4's UTF-8 block follows in every encoding.
    const QByteArray block("\nUN:xm\nHN:lab\nNN:\xe5\xb0\x8f\xe9\xb8\xbd\xe5\xad\x90\nGN:\n");
    QTest::newRow("gbk") << int(TextEncoding::Gbk) << raw("\xd0\xa1\xb8\xeb\xd7\xd3\0\0") + block;
    QTest::newRow("utf-8") << int(TextEncoding::Utf8) << raw("\xe5\xb0\x8f\xe9\xb8\xbd\xe5\xad\x90\0\0") + block;
    // CP932 has 小 and 子 but not the simplified 鸽.
    QTest::newRow("cp932") << int(TextEncoding::Cp932) << raw("\x8f\xac?\x8e\x71\0\0") + block;
}

void TestIpMsg::buildEntryInPeersEncoding()
{
    QFETCH(int, encoding);
    QTEST(buildEntry(QStringLiteral("小鸽子"), QString(), "xm", "lab", TextEncoding(encoding)), "extension");
}

void TestIpMsg::strangersFieldsAreBounded_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<int>("userBytes");
    QTest::addColumn<int>("nickBytes");
    QTest::addColumn<int>("utf8NickChars");
    // Issue 15.7: 60 000-byte names cost at most 256 bytes (64 characters once decoded) from the decoder on.
    const QByteArray huge(60000, 'n');
    QTest::newRow("entry nick and group") << QByteArray("1:1:u:h:1:") + huge + '\0' + huge + '\0' << 1 << 256 << 0;
    QTest::newRow("user, host, version") << QByteArray("1_") + huge + ":1:" + huge + ':' + huge + raw(":1:Li\0g\0")
                                         << 256 << 2 << 0;
    QTest::newRow("IPMsg 4 UTF-8 block") << raw("1:1:u:h:1:Li\0g\0\nUN:u\nHN:h\nNN:") + huge + "\nGN:" + huge +
                                                raw("\n\0")
                                         << 1 << 2 << 64;
    QTest::newRow("short names stay whole") << raw("1:1:user:h:1:Li\0g\0\nNN:Li\n\0") << 4 << 2 << 2;
}

void TestIpMsg::strangersFieldsAreBounded()
{
    QFETCH(QByteArray, datagram);
    const DecodeResult r = decode(datagram);
    QVERIFY(r.packet);
    QVERIFY(r.packet->version.size() <= 256);
    QTEST(int(r.packet->user.size()), "userBytes");
    QVERIFY(r.packet->host.size() <= 256);
    const EntryInfo info = parseEntry(r.packet->extension);
    QTEST(int(info.nick.size()), "nickBytes");
    QVERIFY(info.group.size() <= 256);
    QTEST(int(info.utf8Nick.size()), "utf8NickChars");
    QVERIFY(info.utf8Group.size() <= 64);
}

void TestIpMsg::packetNumbersIncrease()
{
    PacketNumbers numbers(0);
    const quint64 a = numbers.next();
    QVERIFY(a >= quint64(QDateTime::currentSecsSinceEpoch()) - 1);
    const quint64 b = numbers.reserve(5);
    QCOMPARE(b, a + 1);
    QCOMPARE(numbers.next(), b + 5);
    // A floor from the last run that is ahead of the clock is respected.
    // The clock is read once: a second that changes between two reads must not change the expected number.
    const quint64 floor = quint64(QDateTime::currentSecsSinceEpoch()) + 1000;
    PacketNumbers ahead(floor);
    QCOMPARE(ahead.next(), floor + 1);
}

QTEST_APPLESS_MAIN(TestIpMsg)
#include "tst_ipmsg.moc"
