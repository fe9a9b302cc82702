#include "consoleprocess.h"
#include "contactbook.h"
#include "testfiles.h"

#include <QFile>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

namespace {

const QHostAddress Loopback(QStringLiteral("127.0.0.1"));

quint16 freePort()
{
    QUdpSocket probe;
    probe.bind(Loopback, 0);
    return probe.localPort();
}

// Each console listens on 127.0.0.1: the lines it prints name its peers there.
struct Console : ConsoleProcess {
    Console()
        : ConsoleProcess(Listen::Loopback)
    {
    }
};

// A console in a temporary profile of its own, and a script on a socket of 127.0.0.1 that writes to it as a peer
// would (plain text or IPMsg datagrams).
struct ConsoleAndScript {
    QTemporaryDir dir;
    Console c;
    QUdpSocket script;

    bool start(const QStringList& extra = {}) { return script.bind(Loopback, 0) && c.start(dir.path(), extra); }
    // Sends `datagram` from the script to the console.
    void send(const QByteArray& datagram) { script.writeDatagram(datagram, Loopback, c.port()); }
};

// Reads what the console sent the IPMsg client `script` so far: appends to `notices` the extension (the packet number
// and a NUL) of each READMSG (command 48: a sealed message was opened), in order, and answers an entry (BR_ENTRY, low
// byte 0x01) with ANSENTRY as an IP Messenger client does.
void readNotices(QUdpSocket& script, QList<QByteArray>& notices)
{
    while (script.hasPendingDatagrams()) {
        const QNetworkDatagram d = script.receiveDatagram();
        const QByteArray data = d.data();
        const QList<QByteArray> fields = data.split(':');
        if (fields.size() >= 5 && (fields[4].toUInt() & 0xffU) == 0x01U)
            script.writeDatagram(QByteArray("1:1006:u:h:3:u\0", 15), d.senderAddress(), quint16(d.senderPort()));
        if (fields.size() >= 6 && fields[4] == "48")
            notices.append(data.mid(data.indexOf(":48:") + 4));
    }
}

} // namespace

// The console front end as a person or a script uses it: a real process, real sockets on 127.0.0.1.
class TestConsole final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chatsWithPlainSocket();
    void chatsWithNetcat();
    void chatsWithAnotherConsole();
    void takenPortExitsNonZero();
    void badArguments_data();
    void badArguments();
    void escapeSequencesAreShownNotRun();
    void lineEndsAreLineBreaks_data();
    void lineEndsAreLineBreaks();
    void emptyLineSendsNothing();
    void retryAfterUnresolvableHost();
    void brokenContactsFileIsReported();
    void contactsSubcommand();
    void groupChatBetweenThreeConsoles();
    void cp932ContactReadsShiftJis();
    void legacyEncodingReadsStrangers_data();
    void legacyEncodingReadsStrangers();
    void sealedMessageOpensWithOpen();
    void openNumberedSendsOneReadNotice();
    void sealedMessageOpensAfterRestart();
    void contactsShowsIpv6InBrackets();
    void toWithoutANameSaysHow();
    void addRefusesATakenEndpoint_data();
    void addRefusesATakenEndpoint();
    void startLineNamesAllAddresses();
    void searchCommand();
};

void TestConsole::chatsWithPlainSocket()
{
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    t.send(QStringLiteral("hello 你好\n").toUtf8());
    const QString who = QStringLiteral("127.0.0.1:%1").arg(script.localPort());
    QTRY_VERIFY(c.output().contains(QRegularExpression(
        QStringLiteral(R"(\[\d\d:\d\d:\d\d\] )") + QRegularExpression::escape(who) + QStringLiteral(": hello 你好"))));
    // Not a terminal: no color codes.
    QVERIFY(!c.output().contains(u'\x1b'));
    c.type(QStringLiteral("reply from the console"));
    QTRY_VERIFY(script.hasPendingDatagrams());
    const QNetworkDatagram reply = script.receiveDatagram();
    QCOMPARE(reply.data(), QByteArray("reply from the console"));
    QCOMPARE(reply.senderPort(), int(c.port()));
    QCOMPARE(c.finish(), 0);
}

void TestConsole::chatsWithNetcat()
{
    const QString nc = QStandardPaths::findExecutable(QStringLiteral("nc"));
    if (nc.isEmpty())
        QFAIL("nc is not installed (./pigeon.sh test installs netcat-openbsd)");
    QTemporaryDir dir;
    Console c;
    QVERIFY(c.start(dir.path()));
    QProcess netcat;
    netcat.start(nc, {QStringLiteral("-u"), QStringLiteral("127.0.0.1"), QString::number(c.port())});
    QVERIFY(netcat.waitForStarted(5000));
    netcat.write(QStringLiteral("hello from nc 你好\n").toUtf8());
    QTRY_VERIFY(c.output().contains(QStringLiteral(": hello from nc 你好")));
    c.type(QStringLiteral("hello back, nc"));
    QByteArray got;
    QTRY_VERIFY((got += netcat.readAllStandardOutput()).contains("hello back, nc"));
    netcat.kill();
    netcat.waitForFinished(5000);
    QCOMPARE(c.finish(), 0);
}

void TestConsole::chatsWithAnotherConsole()
{
    QTemporaryDir aDir;
    QTemporaryDir bDir;
    Console a;
    Console b;
    QVERIFY(b.start(bDir.path(), {QStringLiteral("--name"), QStringLiteral("Bob")}));
    QVERIFY(a.start(aDir.path(), {QStringLiteral("--name"), QStringLiteral("Alice")}));
    a.type(QStringLiteral("/add Bob 127.0.0.1:%1").arg(b.port()));
    QTRY_VERIFY(a.output().contains(QStringLiteral("Added Bob")));
    a.type(QStringLiteral("/to Bob"));
    a.type(QStringLiteral("hi Bob 你好"));
    QTRY_VERIFY(b.output().contains(QStringLiteral("Alice? (127.0.0.1:%1): hi Bob 你好").arg(a.port())));
    QTRY_VERIFY(a.output().contains(QStringLiteral("(delivered to Bob)")));
    // Bob replies to whoever wrote last without naming anyone.
    b.type(QStringLiteral("hi Alice"));
    QTRY_VERIFY(a.output().contains(QStringLiteral("Bob (127.0.0.1:%1): hi Alice").arg(b.port())));
    QTRY_VERIFY(b.output().contains(QStringLiteral("(delivered to 127.0.0.1:%1)").arg(a.port())));
    a.type(QStringLiteral("/contacts"));
    QTRY_VERIFY(a.output().contains(QStringLiteral("Bob  127.0.0.1:%1  online").arg(b.port())));
    a.type(QStringLiteral("/quit"));
    QVERIFY(a.process.waitForFinished(15000));
    QCOMPARE(a.process.exitCode(), 0);
    QCOMPARE(b.finish(), 0);
}

void TestConsole::takenPortExitsNonZero()
{
    QUdpSocket holder;
    QVERIFY(holder.bind(Loopback, 0));
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PIGEON_BINARY),
            {QStringLiteral("--console"), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
             QStringLiteral("--port"), QString::number(holder.localPort()), QStringLiteral("--profile"), dir.path()});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("127.0.0.1:%1").arg(holder.localPort())), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("--port")), qPrintable(err));
}

void TestConsole::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("port zero") << QStringList{QStringLiteral("--port"), QStringLiteral("0")}
                               << QStringLiteral("--port must be a number from 1 to 65535");
    QTest::newRow("port too big") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                                  << QStringLiteral("--port must be a number from 1 to 65535");
    QTest::newRow("port not a number") << QStringList{QStringLiteral("--port"), QStringLiteral("abc")}
                                       << QStringLiteral("--port must be");
    QTest::newRow("bad bind") << QStringList{QStringLiteral("--bind"), QStringLiteral("999.1.1.1")}
                              << QStringLiteral("--bind needs an IP address");
    QTest::newRow("long name") << QStringList{QStringLiteral("--name"), QString(65, u'n')}
                               << QStringLiteral("longer than 64");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("frobnicate");
    QTest::newRow("legacy encoding utf-8") << QStringList{QStringLiteral("--legacy-encoding"), QStringLiteral("utf-8")}
                                           << QStringLiteral("--legacy-encoding must be gbk or cp932");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("launch")} << QStringLiteral("unknown command");
}

void TestConsole::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(PIGEON_BINARY),
            QStringList{QStringLiteral("--console"), QStringLiteral("--profile"), dir.path()} + arguments);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 1);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(message), qPrintable(err));
}

void TestConsole::escapeSequencesAreShownNotRun()
{
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    t.send("evil \x1b]0;pwned\x07\x1b[2J done");
    QTRY_VERIFY(c.output().contains(QStringLiteral("evil ^[]0;pwned^G^[[2J done")));
    QVERIFY(!c.output().contains(u'\x1b'));
    QCOMPARE(c.finish(), 0);
}

void TestConsole::lineEndsAreLineBreaks_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("shown"); // from the colon after the sender to the end of what is printed
    QTest::newRow("plain CRLF") << QByteArray("alpha\r\nbeta\r\ngamma\r\n")
                                << QStringLiteral(": alpha\n    beta\n    gamma\n");
    QTest::newRow("plain lone CR") << QByteArray("one\rtwo") << QStringLiteral(": one\n    two\n");
    QTest::newRow("plain trailing LF") << QByteArray("hello\n") << QStringLiteral(": hello\n");
    QTest::newRow("plain blank line kept") << QByteArray("a\n\nb\n") << QStringLiteral(": a\n    \n    b\n");
    QTest::newRow("other controls escaped")
        << QByteArray("bell\x07\r\nnext\x0b") << QStringLiteral(": bell^G\n    next^K\n");
    QTest::newRow("IP Messenger CRLF") << QByteArray("1:301:tester:testbox:32:one\r\ntwo\r\n") + QByteArray(1, '\0')
                                       << QStringLiteral(": one\n    two\n");
    QTest::newRow("IP Messenger trailing LF")
        << QByteArray("1:302:tester:testbox:32:hello\n") + QByteArray(1, '\0') << QStringLiteral(": hello\n");
}

void TestConsole::lineEndsAreLineBreaks()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QString, shown);
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    QCOMPARE(script.writeDatagram(datagram, Loopback, c.port()), datagram.size());
    QTRY_VERIFY(c.output().contains(shown.left(shown.indexOf(u'\n'))));
    QCOMPARE(c.finish(), 0);
    const QString out = c.output();
    QVERIFY2(out.contains(shown), qPrintable(out));
    // No indented empty line after the message, and no carriage return shown as ^M.
    QVERIFY2(!out.contains(shown + QStringLiteral("    \n")), qPrintable(out));
    QVERIFY(!out.contains(QStringLiteral("^M")));
}

void TestConsole::emptyLineSendsNothing()
{
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    t.send("first");
    QTRY_VERIFY(c.output().contains(QStringLiteral(": first")));
    c.type(QString());
    c.type(QStringLiteral("   "));
    c.type(QStringLiteral("real"));
    QTRY_VERIFY(script.hasPendingDatagrams());
    QCOMPARE(script.receiveDatagram().data(), QByteArray("real"));
    QCOMPARE(c.finish(), 0);
    QVERIFY(!script.hasPendingDatagrams());
}

// A contact whose host name does not resolve (.invalid never does, RFC 6761): the message fails with the lookup's
// reason instead of waiting (issue 16), and /retry looks the name up again and fails the same way.
void TestConsole::retryAfterUnresolvableHost()
{
    QTemporaryDir dir;
    Console c;
    QVERIFY(c.start(dir.path()));
    c.type(QStringLiteral("/retry"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("Nobody to send to yet: /to NAME picks someone.")));
    c.type(QStringLiteral("/add Nowhere nowhere.invalid"));
    c.type(QStringLiteral("/to Nowhere"));
    c.type(QStringLiteral("anyone there?"));
    const QString failed = QStringLiteral("could not deliver to Nowhere");
    QTRY_COMPARE_WITH_TIMEOUT(c.output().count(failed), 1, 20'000);
    QVERIFY2(c.output().contains(QStringLiteral("The host name \"nowhere.invalid\" could not be resolved")),
             qPrintable(c.output()));
    c.type(QStringLiteral("/retry"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("Sending 1 failed message(s) to Nowhere again.")));
    QTRY_COMPARE_WITH_TIMEOUT(c.output().count(failed), 2, 20'000);
    c.type(QStringLiteral("/retry"));
    QTRY_VERIFY(c.output().count(QStringLiteral("Sending 1 failed message(s) to Nowhere again.")) == 2);
    QTRY_COMPARE_WITH_TIMEOUT(c.output().count(failed), 3, 20'000);
    // A refused /retry (nobody picked) made the exit code say some input was refused.
    QCOMPARE(c.finish(), 3);
}

void TestConsole::brokenContactsFileIsReported()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("contacts.ini"));
    QVERIFY(writeFile(path, "[Bob]\nport = nine\n"));
    Console c;
    QVERIFY(c.start(dir.path()));
    QTRY_VERIFY(c.output().contains(path));
    QVERIFY(c.output().contains(QStringLiteral("line 2")));
    c.type(QStringLiteral("/add Carol 127.0.0.1:9"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("contacts cannot be changed")));
    QCOMPARE(c.finish(), 3); // the refused /add: Console::RefusedInputExit
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("[Bob]\nport = nine\n"));
}

void TestConsole::contactsSubcommand()
{
    QTemporaryDir dir;
    const auto run = [&](const QStringList& args, QString* out = nullptr) {
        QProcess p;
        p.start(QStringLiteral(PIGEON_BINARY),
                QStringList{QStringLiteral("contacts")} + args + QStringList{QStringLiteral("--profile"), dir.path()});
        p.waitForFinished(10000);
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        return p.exitCode();
    };
    QCOMPARE(
        run({QStringLiteral("add"), QStringLiteral("王五"), QStringLiteral("127.0.0.1:2426"), QStringLiteral("gbk")}),
        0);
    QCOMPARE(run({QStringLiteral("add"), QStringLiteral("nc"), QStringLiteral("::1"), QStringLiteral("plain")}), 0);
    QString out;
    QCOMPARE(run({QStringLiteral("add"), QStringLiteral("bad"), QStringLiteral("127.0.0.1:99999")}, &out), 1);
    QVERIFY2(out.contains(QStringLiteral("port")), qPrintable(out));
    QCOMPARE(run({QStringLiteral("add"), QStringLiteral("王五"), QStringLiteral("127.0.0.1")}, &out), 1);
    QVERIFY2(out.contains(QStringLiteral("already")), qPrintable(out));
    QCOMPARE(run({QStringLiteral("list")}, &out), 0);
    // A contact added without an encoding is auto (issue 18.2).
    QCOMPARE(out, QStringLiteral("王五\t127.0.0.1\t2426\tipmsg\tgbk\nnc\t::1\t2425\tplain\tauto\n"));
    QCOMPARE(run({QStringLiteral("remove"), QStringLiteral("nc")}), 0);
    QCOMPARE(run({QStringLiteral("remove"), QStringLiteral("nc")}), 1);
    QCOMPARE(run({QStringLiteral("list")}, &out), 0);
    QCOMPARE(out, QStringLiteral("王五\t127.0.0.1\t2426\tipmsg\tgbk\n"));
}

void TestConsole::searchCommand()
{
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    t.send(QStringLiteral("明天下午开会").toUtf8());
    t.send(QStringLiteral("Meeting notes attached").toUtf8());
    QTRY_VERIFY(c.output().contains(QStringLiteral(": Meeting notes attached")));
    const qsizetype before = c.output().size();
    c.type(QStringLiteral("/search 会"));
    c.type(QStringLiteral("/search MEETING"));
    c.type(QStringLiteral("/search nowhere"));
    const QString who = QStringLiteral("127.0.0.1:%1").arg(script.localPort());
    QTRY_VERIFY(c.output().contains(QStringLiteral("No message contains \"nowhere\".")));
    const QString found = c.output().mid(before);
    QVERIFY2(found.contains(QRegularExpression(QStringLiteral(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d\] )") +
                                               QRegularExpression::escape(who) + QStringLiteral(": 明天下午开会\n"))),
             qPrintable(found));
    QVERIFY2(found.contains(who + QStringLiteral(": Meeting notes attached\n")), qPrintable(found));
    QCOMPARE(found.count(QStringLiteral("明天下午开会")), 1);
    QCOMPARE(found.count(QStringLiteral("Meeting notes attached")), 1);
    c.type(QStringLiteral("/search"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("Usage: /search TEXT")));
    QCOMPARE(c.finish(), 3);
}

// Issue 12: /group makes a group of three consoles; each message is printed as "GROUP › SENDER (ADDRESS:PORT): TEXT"
// by the others, a reply goes to the group, and the sender hears how many members it reached.
void TestConsole::groupChatBetweenThreeConsoles()
{
    QTemporaryDir dirs[3];
    Console a;
    Console b;
    Console c;
    QVERIFY(b.start(dirs[1].path(), {QStringLiteral("--name"), QStringLiteral("Bob")}));
    QVERIFY(c.start(dirs[2].path(), {QStringLiteral("--name"), QStringLiteral("Carol")}));
    QVERIFY(a.start(dirs[0].path(), {QStringLiteral("--name"), QStringLiteral("Alice")}));
    a.type(QStringLiteral("/add Bob 127.0.0.1:%1").arg(b.port()));
    a.type(QStringLiteral("/add Carol 127.0.0.1:%1").arg(c.port()));
    QTRY_VERIFY(a.output().contains(QStringLiteral("* Carol is online")));
    QTRY_VERIFY(a.output().contains(QStringLiteral("* Bob is online")));
    a.type(QStringLiteral("/group team Bob Carol"));
    QTRY_VERIFY(a.output().contains(QStringLiteral("Made the group #team")));
    QTRY_VERIFY(b.output().contains(QStringLiteral("Alice added you to the group team")));
    QTRY_VERIFY(c.output().contains(QStringLiteral("Alice added you to the group team")));
    a.type(QStringLiteral("hello team"));
    // Alice is no contact of theirs: named as she claims, with a '?'.
    const QString fromAlice = QStringLiteral("team \u203a Alice? (127.0.0.1:%1): hello team").arg(a.port());
    QTRY_VERIFY(b.output().contains(fromAlice));
    QTRY_VERIFY(c.output().contains(fromAlice));
    QTRY_VERIFY(a.output().contains(QStringLiteral("(#team: delivered to 2 of 2: ")));
    // Bob answers whoever wrote last: the group.
    b.type(QStringLiteral("hi from Bob"));
    const QString fromBob = QStringLiteral("team \u203a Bob%1 (127.0.0.1:%2): hi from Bob");
    QTRY_VERIFY(a.output().contains(fromBob.arg(QString()).arg(b.port())));
    QTRY_VERIFY(c.output().contains(fromBob.arg(QStringLiteral("?")).arg(b.port())));
    c.type(QStringLiteral("/groups"));
    QTRY_VERIFY(c.output().contains(QStringLiteral("#team  ")));
    QVERIFY(c.output().contains(QStringLiteral("Bob (127.0.0.1:%1)").arg(b.port())));
    c.type(QStringLiteral("/group leave team"));
    QTRY_VERIFY(a.output().contains(QStringLiteral("Carol left.")));
    QCOMPARE(a.finish(), 0);
    QCOMPARE(b.finish(), 0);
    QCOMPARE(c.finish(), 0);
}

void TestConsole::cp932ContactReadsShiftJis()
{
    // Issue 18.1: the same bytes are GBK-valid; a contact added with cp932 reads them as Japanese text.
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    c.type(QStringLiteral("/add taro 127.0.0.1:%1 cp932").arg(script.localPort()));
    c.type(QStringLiteral("/contacts"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("taro  127.0.0.1:%1").arg(script.localPort())), c.out.constData());
    QVERIFY2(c.output().contains(QStringLiteral(" cp932")), c.out.constData());
    t.send(QByteArray("1:1001:u:h:288:\x92\x86\x95\xb6\x8f\xc1\x91\xa7\0", 24));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("taro (127.0.0.1:%1): 中文消息").arg(script.localPort())),
                 c.out.constData());
    QCOMPARE(c.finish(), 0);
}

void TestConsole::legacyEncodingReadsStrangers_data()
{
    QTest::addColumn<QString>("legacy");
    QTest::addColumn<QString>("shown");
    // Issue 18.2: unflagged text from a stranger that is not UTF-8 is read in the legacy encoding, which
    // --legacy-encoding sets: 92 86 95 b6 8f c1 91 a7 is 中文消息 in CP932 and 拞暥徚懅 in GBK.
    QTest::newRow("cp932") << QStringLiteral("cp932") << QStringLiteral("中文消息");
    QTest::newRow("gbk") << QStringLiteral("gbk") << QStringLiteral("拞暥徚懅");
}

void TestConsole::legacyEncodingReadsStrangers()
{
    QFETCH(QString, legacy);
    QFETCH(QString, shown);
    ConsoleAndScript t;
    QVERIFY(t.start({QStringLiteral("--legacy-encoding"), legacy}));
    auto& [dir, c, script] = t;
    t.send(QByteArray("1:1001:u:h:288:\x92\x86\x95\xb6\x8f\xc1\x91\xa7\0", 24));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("127.0.0.1:%1: ").arg(script.localPort()) + shown),
                 c.out.constData());
    QCOMPARE(c.finish(), 0);
}

void TestConsole::sealedMessageOpensWithOpen()
{
    // Issue 18.4: SENDMSG|SENDCHECKOPT|SECRETOPT (0x320 = 800) is shown sealed; /open shows it and sends READMSG
    // (0x30 = 48) with its packet number.
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    t.send(QByteArray("1:1003:u:h:800:the sealed text\0", 31));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("sealed message 1; /open 1 to read it")), c.out.constData());
    QVERIFY(!c.output().contains(QStringLiteral("the sealed text")));
    c.type(QStringLiteral("/open"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("the sealed text")), c.out.constData());
    QList<QByteArray> notices;
    QTRY_VERIFY((readNotices(script, notices), notices.contains(QByteArray("1003\0", 5))));
    c.type(QStringLiteral("/open"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("No sealed message is waiting.")), c.out.constData());
    c.finish();
}

void TestConsole::openNumberedSendsOneReadNotice()
{
    // Issue 18.4: two sealed messages (SENDMSG|SENDCHECKOPT|SECRETOPT = 800) from one peer; /open 2 opens the second
    // and sends READMSG (48) for packet 1004 alone, the first stays sealed until /open opens it (READMSG for 1003).
    ConsoleAndScript t;
    QVERIFY(t.start());
    auto& [dir, c, script] = t;
    t.send(QByteArray("1:1003:u:h:800:first sealed\0", 29));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("sealed message 1; /open 1")), c.out.constData());
    t.send(QByteArray("1:1004:u:h:800:second sealed\0", 30));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("sealed message 2; /open 2")), c.out.constData());
    QList<QByteArray> notices;
    c.type(QStringLiteral("/open 2"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("second sealed")), c.out.constData());
    QVERIFY(!c.output().contains(QStringLiteral("first sealed")));
    c.type(QStringLiteral("/open 2"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("No sealed message 2 is waiting.")), c.out.constData());
    c.type(QStringLiteral("/open"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("first sealed")), c.out.constData());
    QTRY_VERIFY((readNotices(script, notices), notices.size() >= 2));
    QCOMPARE(notices, (QList<QByteArray>{QByteArray("1004\0", 5), QByteArray("1003\0", 5)}));
    c.finish();
}

void TestConsole::startLineNamesAllAddresses()
{
    // Issue 15.3: listening on all addresses, the first line says "*:PORT" (it said "*PORT").
    QTemporaryDir dir;
    const quint16 port = freePort();
    QProcess pigeon;
    pigeon.start(QStringLiteral(PIGEON_BINARY), {QStringLiteral("--console"), QStringLiteral("--port"),
                                                 QString::number(port), QStringLiteral("--profile"), dir.path()});
    QVERIFY(pigeon.waitForStarted(5000));
    QByteArray out;
    QTRY_VERIFY2((out += pigeon.readAllStandardOutput()).contains("listening"), out.constData());
    QVERIFY2(out.contains(QByteArray("UDP *:" + QByteArray::number(port) + " as")), out.constData());
    pigeon.closeWriteChannel();
    QVERIFY(pigeon.waitForFinished(10000));
}

// The seal is kept in the history: a sealed message that arrived before a restart is still there to /open (and its
// sender still told) in the next run, as the window keeps it.
void TestConsole::sealedMessageOpensAfterRestart()
{
    QTemporaryDir dir;
    QUdpSocket script;
    QVERIFY(script.bind(Loopback, 0));
    {
        Console c;
        QVERIFY(c.start(dir.path()));
        script.writeDatagram(QByteArray("1:1005:u:h:800:kept under seal\0", 31), Loopback, c.port());
        QTRY_VERIFY2(c.output().contains(QStringLiteral("sealed message 1; /open 1 to read it")), c.out.constData());
        QCOMPARE(c.finish(), 0);
    }
    while (script.hasPendingDatagrams())
        script.receiveDatagram();
    Console c;
    QVERIFY(c.start(dir.path()));
    c.type(QStringLiteral("/open"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral(": kept under seal")), c.out.constData());
    QVERIFY2(!c.output().contains(QStringLiteral("No sealed message")), c.out.constData());
    // Not heard from in this run, the sender is greeted first (a Pigeon's notice would have to be sealed); it
    // answers as an IP Messenger client does, and then the notice goes.
    QList<QByteArray> notices;
    QTRY_VERIFY((readNotices(script, notices), notices.contains(QByteArray("1005\0", 5))));
    c.type(QStringLiteral("/open"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("No sealed message is waiting.")), c.out.constData());
    QCOMPARE(c.finish(), 3);
}

// /contacts writes an address as /add and /to take it back: an IPv6 one in brackets before its port.
void TestConsole::contactsShowsIpv6InBrackets()
{
    QTemporaryDir dir;
    Console c;
    QVERIFY(c.start(dir.path()));
    c.type(QStringLiteral("/add six [::1]:2426"));
    c.type(QStringLiteral("/add four 127.0.0.1:2427"));
    c.type(QStringLiteral("/contacts"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("  four  127.0.0.1:2427  ")), c.out.constData());
    QVERIFY2(c.output().contains(QStringLiteral("  six  [::1]:2426  ")), c.out.constData());
    QCOMPARE(c.finish(), 0);
}

// "/to" alone is a question, not a contact named "": the console says what /to takes, and /help names groups too.
void TestConsole::toWithoutANameSaysHow()
{
    QTemporaryDir dir;
    Console c;
    QVERIFY(c.start(dir.path()));
    c.type(QStringLiteral("/to"));
    c.type(QStringLiteral("/help"));
    QTRY_VERIFY2(c.output().contains(QStringLiteral("Usage: /to NAME, /to ADDRESS:PORT or /to GROUP")),
                 c.out.constData());
    QTRY_VERIFY2(c.output().contains(QStringLiteral("  /to NAME|ADDR:PORT|GROUP ")), c.out.constData());
    QVERIFY2(!c.output().contains(QStringLiteral("No contact named \"\"")), c.out.constData());
    QCOMPARE(c.finish(), 3);
}

void TestConsole::addRefusesATakenEndpoint_data()
{
    QTest::addColumn<QString>("add"); // PORT: this console's own port
    QTest::addColumn<QString>("said");
    QTest::newRow("this Pigeon") << QStringLiteral("/add me 127.0.0.1:PORT")
                                 << QStringLiteral("127.0.0.1:PORT is this Pigeon itself: it cannot be a contact.");
    QTest::newRow("this Pigeon, as IPv4-mapped IPv6")
        << QStringLiteral("/add me [::ffff:127.0.0.1]:PORT")
        << QStringLiteral("127.0.0.1:PORT is this Pigeon itself: it cannot be a contact.");
    QTest::newRow("Bob's address and port") << QStringLiteral("/add Robert 127.0.0.1:9")
                                            << QStringLiteral("The contact \"Bob\" has this address and port already.");
}

// A second contact at an address:port, or this Pigeon's own, is refused with the reason and not stored.
void TestConsole::addRefusesATakenEndpoint()
{
    QFETCH(QString, add);
    QFETCH(QString, said);
    QTemporaryDir dir;
    Console c;
    QVERIFY(c.start(dir.path()));
    const QString port = QString::number(c.port());
    c.type(QStringLiteral("/add Bob 127.0.0.1:9"));
    c.type(QString(add).replace(QStringLiteral("PORT"), port));
    c.type(QStringLiteral("/contacts"));
    QTRY_VERIFY2(c.output().contains(QString(said).replace(QStringLiteral("PORT"), port)), c.out.constData());
    QTRY_VERIFY2(c.output().contains(QStringLiteral("  Bob  127.0.0.1:9  ")), c.out.constData());
    QCOMPARE(c.finish(), 3);
    ContactBook book;
    QVERIFY(book.load(dir.filePath(QStringLiteral("contacts.ini"))));
    QCOMPARE(book.contacts().size(), 1);
}

QTEST_GUILESS_MAIN(TestConsole)
#include "tst_console.moc"
