// The console and the command line in the language asked for (--lang) or, without it, the locale's: a real pigeon
// process, its greeting, /help, a refused command and a delivery notice (to a script that speaks IP Messenger on
// 127.0.0.1), `pigeon --help` and option errors, and a group's system line that `pigeon history` shows in its own
// language whatever the language that stored it. The expected words are written out here, not read from the catalogue.

#include "ipmsg.h"
#include "pigeonrun.h"

#include <QNetworkDatagram>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

namespace {

// An environment whose locale is `locale` (LANGUAGE, which would take precedence for messages, removed).
QProcessEnvironment withLocale(const QString& locale)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), locale);
    env.remove(QStringLiteral("LANGUAGE"));
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    return env;
}

// The next IPMsg packet the script's socket receives (within 10 s), or an empty one.
ipmsg::Packet next(QUdpSocket& socket)
{
    if (!socket.hasPendingDatagrams() && !QTest::qWaitFor([&] { return socket.hasPendingDatagrams(); }, 10000))
        return {};
    return ipmsg::decode(socket.receiveDatagram().data()).packet.value_or(ipmsg::Packet{});
}

} // namespace

class TestConsoleLanguage final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void console_data();
    void console();
    void commandLine_data();
    void commandLine();
    void systemLineInReadersLanguage_data();
    void systemLineInReadersLanguage();
};

void TestConsoleLanguage::console_data()
{
    QTest::addColumn<QStringList>("lang");
    QTest::addColumn<QString>("locale");
    QTest::addColumn<QString>("greeting");
    QTest::addColumn<QString>("help");      // /help's line for /quit
    QTest::addColumn<QString>("unknown");   // what /frobnicate is told
    QTest::addColumn<QString>("delivered"); // %1: the peer
    const QStringList zhCN{QStringLiteral("--lang"), QStringLiteral("zh_CN")};
    const QStringList en{QStringLiteral("--lang"), QStringLiteral("en")};
    const QString zhGreeting = QStringLiteral("信鸽正以 Me 的身份在 UDP ");
    const QString zhHelp = QStringLiteral("  /quit                退出（输入结束时也会退出）\n");
    const QString zhUnknown = QStringLiteral("未知命令 /frobnicate；/help 可列出所有命令。\n");
    const QString zhDelivered = QStringLiteral("  （已送达 %1）\n");
    const QString enGreeting = QStringLiteral("Pigeon listening on UDP ");
    const QString enHelp = QStringLiteral("  /quit                leave (so does end of input)\n");
    const QString enUnknown = QStringLiteral("Unknown command /frobnicate; /help lists them.\n");
    const QString enDelivered = QStringLiteral("  (delivered to %1)\n");
    QTest::newRow("--lang zh_CN") << zhCN << QStringLiteral("C.UTF-8") << zhGreeting << zhHelp << zhUnknown
                                  << zhDelivered;
    QTest::newRow("zh_CN locale") << QStringList() << QStringLiteral("zh_CN.UTF-8") << zhGreeting << zhHelp << zhUnknown
                                  << zhDelivered;
    QTest::newRow("--lang en in a zh_CN locale")
        << en << QStringLiteral("zh_CN.UTF-8") << enGreeting << enHelp << enUnknown << enDelivered;
    QTest::newRow("C locale") << QStringList() << QStringLiteral("C.UTF-8") << enGreeting << enHelp << enUnknown
                              << enDelivered;
}

void TestConsoleLanguage::console()
{
    QFETCH(QStringList, lang);
    QFETCH(QString, locale);
    QFETCH(QString, greeting);
    QFETCH(QString, help);
    QFETCH(QString, unknown);
    QFETCH(QString, delivered);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList listen = privateListenArgs();
    const QHostAddress address(listen.at(1));
    const quint16 port = quint16(listen.at(3).toUInt());
    QProcess console;
    QByteArray out;
    const auto output = [&] {
        out += console.readAllStandardOutput();
        return QString::fromUtf8(out);
    };
    const auto type = [&](const QString& line) {
        console.write((line + u'\n').toUtf8());
    };
    console.setProcessEnvironment(withLocale(locale));
    console.start(QStringLiteral(PIGEON_BINARY),
                  QStringList{QStringLiteral("--console"), QStringLiteral("--profile"), dir.path(),
                              QStringLiteral("--name"), QStringLiteral("Me")} +
                      listen + lang);
    QVERIFY(console.waitForStarted(5000));
    QTRY_VERIFY2_WITH_TIMEOUT(output().startsWith(greeting), qPrintable(output()), 10000);

    type(QStringLiteral("/help"));
    QTRY_VERIFY2(output().contains(help), qPrintable(output()));
    type(QStringLiteral("/frobnicate"));
    QTRY_VERIFY2(output().contains(unknown), qPrintable(output()));

    // Bob, an IP Messenger client, enters (BR_ENTRY | CAPUTF8OPT), is written to and confirms (RECVMSG).
    QUdpSocket bob;
    QVERIFY(bob.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0));
    const QString bobAddress = QStringLiteral("127.0.0.1:%1").arg(bob.localPort());
    QVERIFY(bob.writeDatagram(QByteArray("1:100:bob:pc:16777217:Bob\0\0", 27), address, port) > 0);
    QCOMPARE(next(bob).mode(), ipmsg::AnsEntry);
    type(u"/to "_qs + bobAddress);
    type(QStringLiteral("hi"));
    // Before the message, an entry may come (the console announcing itself to a new partner).
    ipmsg::Packet p = next(bob);
    for (int i = 0; i < 5 && p.mode() != ipmsg::SendMsg && p.command != 0; ++i)
        p = next(bob);
    QCOMPARE(p.mode(), ipmsg::SendMsg);
    const QByteArray confirmation = "1:101:bob:pc:33:" + QByteArray::number(p.packetNo) + '\0';
    QVERIFY(bob.writeDatagram(confirmation, address, port) > 0);
    QTRY_VERIFY2(output().contains(delivered.arg(bobAddress)), qPrintable(output()));

    console.closeWriteChannel();
    QVERIFY(console.waitForFinished(20000));
    output();
    QCOMPARE(console.exitCode(), 3); // the refused /frobnicate
}

void TestConsoleLanguage::commandLine_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("locale");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("said");   // on standard output, or on standard error when the exit code is not 0
    QTest::addColumn<QString>("unsaid"); // the same words in the other language
    const QString zhConsole = QStringLiteral("  --console                     在终端中聊天，不打开窗口。\n");
    const QString enConsole =
        QStringLiteral("  --console                     Chat in the terminal instead of a window.\n");
    const QString zhPort = QStringLiteral("pigeon: --port 必须是 1 到 65535 之间的数字，而不是“0”\n");
    const QString enPort = QStringLiteral("pigeon: --port must be a number from 1 to 65535, not \"0\"\n");
    const QString zhCommand = QStringLiteral("pigeon: 未知命令“frobnicate”\n运行 pigeon --help 查看用法。\n");
    const QString enCommand = QStringLiteral("pigeon: unknown command \"frobnicate\"\nTry pigeon --help.\n");
    QTest::newRow("--help --lang zh_CN") << QStringList{QStringLiteral("--help"), QStringLiteral("--lang"),
                                                        QStringLiteral("zh_CN")}
                                         << QStringLiteral("C.UTF-8") << 0 << zhConsole << enConsole;
    QTest::newRow("--help, zh_CN locale")
        << QStringList{QStringLiteral("--help")} << QStringLiteral("zh_CN.UTF-8") << 0 << zhConsole << enConsole;
    QTest::newRow("--help --lang=en, zh_CN locale")
        << QStringList{QStringLiteral("--help"), QStringLiteral("--lang=en")} << QStringLiteral("zh_CN.UTF-8") << 0
        << enConsole << zhConsole;
    // An option refused before --lang is read in the command line's order, still in that language.
    QTest::newRow("bad --port, then --lang zh_CN")
        << QStringList{QStringLiteral("--console"), QStringLiteral("--port"), QStringLiteral("0"),
                       QStringLiteral("--lang"), QStringLiteral("zh_CN")}
        << QStringLiteral("C.UTF-8") << 1 << zhPort << enPort;
    QTest::newRow("bad --port, C locale")
        << QStringList{QStringLiteral("--console"), QStringLiteral("--port"), QStringLiteral("0")}
        << QStringLiteral("C.UTF-8") << 1 << enPort << zhPort;
    QTest::newRow("unknown command, zh_CN locale")
        << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("zh_CN.UTF-8") << 1 << zhCommand << enCommand;
}

void TestConsoleLanguage::commandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, locale);
    QFETCH(int, exitCode);
    QFETCH(QString, said);
    QFETCH(QString, unsaid);
    const Run run = runPigeon(arguments, {}, withLocale(locale));
    QCOMPARE(run.exitCode, exitCode);
    const QString& text = exitCode == 0 ? run.out : run.err;
    QVERIFY2(text.contains(said), qPrintable(text));
    QVERIFY2(!text.contains(unsaid), qPrintable(text));
}

void TestConsoleLanguage::systemLineInReadersLanguage_data()
{
    QTest::addColumn<QString>("writer"); // the language of the console that stores the line
    QTest::addColumn<QString>("reader"); // the language of `pigeon history`
    QTest::addColumn<QString>("line");
    const QString english = QStringLiteral("] team \u203a * You made the group team with bob.\n");
    const QString chinese = QStringLiteral("] team \u203a * 你创建了群组 team，成员有 bob。\n");
    QTest::newRow("stored in English, read in Chinese") << u"en"_qs << u"zh_CN"_qs << chinese;
    QTest::newRow("stored in Chinese, read in English") << u"zh_CN"_qs << u"en"_qs << english;
    QTest::newRow("stored in Chinese, read in Chinese") << u"zh_CN"_qs << u"zh_CN"_qs << chinese;
}

// A group's system line is stored untranslated: `pigeon history` shows it in its own language, whatever the language
// of the console that made the group. Bob is a plain-text contact (no roster goes to him, so /quit does not wait).
void TestConsoleLanguage::systemLineInReadersLanguage()
{
    QFETCH(QString, writer);
    QFETCH(QString, reader);
    QFETCH(QString, line);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QUdpSocket bob;
    QVERIFY(bob.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0));
    const QByteArray input = "/add bob 127.0.0.1:" + QByteArray::number(bob.localPort()) + " plain\n/group team bob\n";
    const QProcessEnvironment env = withLocale(QStringLiteral("C.UTF-8"));
    const Run made = runPigeon(QStringList{QStringLiteral("--console"), QStringLiteral("--profile"), dir.path(),
                                           QStringLiteral("--lang"), writer} +
                                   privateListenArgs(),
                               input, env);
    QCOMPARE(made.exitCode, 0);
    const Run history = runPigeon({QStringLiteral("history"), QStringLiteral("team"), QStringLiteral("--profile"),
                                   dir.path(), QStringLiteral("--lang"), reader},
                                  {}, env);
    QCOMPARE(history.exitCode, 0);
    QVERIFY2(history.out.contains(line), qPrintable(history.out + history.err));
}

QTEST_GUILESS_MAIN(TestConsoleLanguage)
#include "tst_console_language.moc"
