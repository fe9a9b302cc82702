// Bad input at the edges of the pigeon executable: each bad argument, address, port, name, host or over-long message
// gets a clear message and a non-zero exit code. Nothing here sends a datagram anywhere.

#include "pigeonrun.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

class TestCliErrors final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rejected_data();
    void rejected();
    void portInUse();
    void contactAtOwnPort_data();
    void contactAtOwnPort();
    void withoutDisplay_data();
    void withoutDisplay();

private:
};

namespace {

Run pigeon(const QString& profile, QStringList args, const QByteArray& input = {})
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_qs, profile);
    env.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
    env.insert(u"NO_COLOR"_qs, u"1"_qs);
    return runPigeon(QStringList{u"--profile"_qs, profile} + args, input, env);
}

} // namespace

void TestCliErrors::rejected_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<bool>("onStderr"); // else on standard output (the console's own messages)
    QTest::addColumn<QString>("message");
    const QStringList listen = privateListenArgs();
    const QString port = listen.last();
    const QStringList console = QStringList{u"--console"_qs} + listen;
    const QString longName(65, u'n');

    QTest::addRow("port 0") << QStringList{u"--console"_qs, u"--port"_qs, u"0"_qs} << QByteArray() << 1 << true
                            << u"--port must be a number from 1 to 65535, not \"0\""_qs;
    QTest::addRow("port 70000") << QStringList{u"--console"_qs, u"--port"_qs, u"70000"_qs} << QByteArray() << 1 << true
                                << u"--port must be a number from 1 to 65535"_qs;
    QTest::addRow("port abc") << QStringList{u"--port"_qs, u"abc"_qs} << QByteArray() << 1 << true << u"not \"abc\""_qs;
    QTest::addRow("port without a value") << QStringList{u"--console"_qs, u"--port"_qs} << QByteArray() << 1 << true
                                          << u"Missing value after '--port'"_qs;
    QTest::addRow("bind to no address") << QStringList{u"--console"_qs, u"--bind"_qs, u"999.1.1.1"_qs} << QByteArray()
                                        << 1 << true << u"--bind needs an IP address"_qs;
    QTest::addRow("bind to a host name") << QStringList{u"--bind"_qs, u"nosuch.invalid"_qs} << QByteArray() << 1 << true
                                         << u"--bind needs an IP address"_qs;
    // 192.0.2.1 (TEST-NET-1) is on no interface here: binding fails before anything could be sent.
    QTest::addRow("bind to an address of another machine")
        << QStringList{u"--console"_qs, u"--bind"_qs, u"192.0.2.1"_qs, u"--port"_qs, port} << QByteArray() << 2 << true
        << u"that address does not belong to this machine"_qs;
    QTest::addRow("name over 64 characters") << QStringList{u"--console"_qs, u"--name"_qs, longName} << QByteArray()
                                             << 1 << true << u"--name is longer than 64 characters"_qs;
    QTest::addRow("empty name") << QStringList{u"--console"_qs, u"--name"_qs, u""_qs} << QByteArray() << 1 << true
                                << u"--name needs a nickname, not an empty one"_qs;
    QTest::addRow("name of spaces") << QStringList{u"--console"_qs, u"--name"_qs, u"  "_qs} << QByteArray() << 1 << true
                                    << u"--name needs a nickname"_qs;
    QTest::addRow("unknown language") << QStringList{u"--console"_qs, u"--lang"_qs, u"xx"_qs} << QByteArray() << 1
                                      << true << u"--lang must be en or zh_CN, not \"xx\""_qs;
    QTest::addRow("unknown language for the window")
        << QStringList{u"--lang"_qs, u"fr"_qs} << QByteArray() << 1 << true << u"--lang must be en or zh_CN"_qs;
    QTest::addRow("search followed by an option")
        << QStringList{u"history"_qs, u"--search"_qs, u"--last"_qs, u"2"_qs} << QByteArray() << 1 << true
        << u"missing TEXT after '--search' (\"--last\" is an option"_qs;
    QTest::addRow("unknown option") << QStringList{u"--console"_qs, u"--frobnicate"_qs} << QByteArray() << 1 << true
                                    << u"Unknown option 'frobnicate'"_qs;
    QTest::addRow("unknown command") << QStringList{u"frobnicate"_qs} << QByteArray() << 1 << true
                                     << u"unknown command \"frobnicate\""_qs;
    QTest::addRow("unknown command with an argument") << QStringList{u"history2"_qs, u"Bob"_qs} << QByteArray() << 1
                                                      << true << u"unknown command \"history2\"\nTry pigeon --help."_qs;
    QTest::addRow("unknown command after options")
        << QStringList{u"--name"_qs, u"Me"_qs, u"contact"_qs} << QByteArray() << 1 << true
        << u"unknown command \"contact\"\nTry pigeon --help."_qs;

    const auto contacts = [](QStringList args) {
        return QStringList{u"contacts"_qs} + args;
    };
    QTest::addRow("contact port out of range")
        << contacts({u"add"_qs, u"Bob"_qs, u"127.0.0.1:99999"_qs}) << QByteArray() << 1 << true
        << u"port must be a number from 1 to 65535"_qs;
    QTest::addRow("contact host that is no host name")
        << contacts({u"add"_qs, u"Bob"_qs, u"bad_host!"_qs}) << QByteArray() << 1 << true
        << u"\"bad_host!\" is not an IP address or a host name"_qs;
    QTest::addRow("contact host that does not resolve")
        << contacts({u"add"_qs, u"Bob"_qs, u"nosuch.invalid"_qs}) << QByteArray() << 1 << true
        << u"the host name \"nosuch.invalid\" does not resolve"_qs;
    QTest::addRow("contact name over 64 characters") << contacts({u"add"_qs, longName, u"127.0.0.1"_qs}) << QByteArray()
                                                     << 1 << true << u"The name is longer than 64 characters"_qs;
    QTest::addRow("contact without a host")
        << contacts({u"add"_qs, u"Bob"_qs}) << QByteArray() << 1 << true << u"usage: pigeon contacts"_qs;
    QTest::addRow("contact option unknown") << contacts({u"add"_qs, u"Bob"_qs, u"127.0.0.1"_qs, u"tcp"_qs})
                                            << QByteArray() << 1 << true << u"Unknown option \"tcp\""_qs;
    QTest::addRow("removing no contact") << contacts({u"remove"_qs, u"Nobody"_qs}) << QByteArray() << 1 << true
                                         << u"There is no contact named \"Nobody\""_qs;

    // The console goes on after a refused line, and says so in its exit code at the end.
    QTest::addRow("message over the limit")
        << console << QByteArray("/to 127.0.0.1:9\n" + QByteArray(70'000, 'x') + "\n") << 3 << false
        << u"The message is longer than one datagram can carry (65507 bytes)."_qs;
    QTest::addRow("message over 1 MiB for IPMsg")
        << console << QByteArray("/to 127.0.0.1:2425\n" + QByteArray((1 << 20) + 1, 'x') + "\n") << 3 << false
        << u"The message is longer than 1 MiB."_qs;
    QTest::addRow("no one to write to") << console << QByteArray("hello?\n") << 3 << false
                                        << u"No one to send to yet"_qs;
    QTest::addRow("writing to no contact")
        << console << QByteArray("/to Nobody\n") << 3 << false << u"No contact named \"Nobody\""_qs;
    QTest::addRow("unknown console command")
        << console << QByteArray("/frobnicate\n") << 3 << false << u"Unknown command /frobnicate"_qs;
    QTest::addRow("console contact with a bad port") << console << QByteArray("/add Bob 127.0.0.1:0\n") << 3 << false
                                                     << u"The port must be a number from 1 to 65535."_qs;
}

void TestCliErrors::rejected()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(int, exitCode);
    QFETCH(bool, onStderr);
    QFETCH(QString, message);
    QTemporaryDir profile;
    const Run run = pigeon(profile.path(), args, input);
    QCOMPARE(run.exitCode, exitCode);
    const QString& where = onStderr ? run.err : run.out;
    QVERIFY2(where.contains(message), qPrintable(u"stdout: "_qs + run.out + u"\nstderr: "_qs + run.err));
}

void TestCliErrors::portInUse()
{
    QUdpSocket taken;
    QVERIFY(taken.bind(QHostAddress(QHostAddress::LocalHost), 0));
    QTemporaryDir profile;
    const Run run = pigeon(profile.path(), {u"--console"_qs, u"--bind"_qs, u"127.0.0.1"_qs, u"--port"_qs,
                                            QString::number(taken.localPort())});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(u"cannot listen on UDP 127.0.0.1:"_qs + QString::number(taken.localPort())),
             qPrintable(run.err));
    QVERIFY2(run.err.contains(u"another Pigeon"_qs), qPrintable(run.err));
}

void TestCliErrors::contactAtOwnPort_data()
{
    QTest::addColumn<QByteArray>("settings"); // the profile's settings.ini
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("refused");
    const QByteArray recorded("[network]\nport=47312\n");
    const QByteArray boundToOne("[network]\nport=47312\nbind=127.0.0.2\n");
    const auto add = [](const QString& at) {
        return QStringList{u"contacts"_qs, u"add"_qs, u"Me"_qs, at};
    };
    QTest::addRow("--port, on 127.0.0.1")
        << QByteArray() << QStringList{u"--port"_qs, u"47311"_qs} + add(u"127.0.0.1:47311"_qs) << true;
    QTest::addRow("recorded port, on another loopback address") << recorded << add(u"127.0.0.9:47312"_qs) << true;
    QTest::addRow("recorded port, on ::1") << recorded << add(u"[::1]:47312"_qs) << true;
    QTest::addRow("recorded port, another port") << recorded << add(u"127.0.0.1:47313"_qs) << false;
    QTest::addRow("bound to one address, that one") << boundToOne << add(u"127.0.0.2:47312"_qs) << true;
    QTest::addRow("bound to one address, another one") << boundToOne << add(u"127.0.0.3:47312"_qs) << false;
    // Nothing recorded: the default port may be another Pigeon's on this machine.
    QTest::addRow("default port, nothing recorded") << QByteArray() << add(u"127.0.0.1"_qs) << false;
}

// `pigeon contacts add` has no running socket to ask, so it refuses the port this profile listens on (--port, or
// the one it recorded) at an address of this machine, as the window's contact dialog refuses the socket's own.
void TestCliErrors::contactAtOwnPort()
{
    QFETCH(QByteArray, settings);
    QFETCH(QStringList, args);
    QFETCH(bool, refused);
    QTemporaryDir profile;
    if (!settings.isEmpty()) {
        QFile ini(profile.filePath(u"settings.ini"_qs));
        QVERIFY(ini.open(QIODevice::WriteOnly) && ini.write(settings) == settings.size());
    }
    const Run run = pigeon(profile.path(), args);
    QCOMPARE(run.exitCode, refused ? 1 : 0);
    QCOMPARE(run.err.contains(u"is this Pigeon itself"_qs), refused);
    const Run list = pigeon(profile.path(), {u"contacts"_qs, u"list"_qs});
    QCOMPARE(list.out.startsWith(u"Me\t"_qs), !refused);
}

void TestCliErrors::withoutDisplay_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message"); // on standard error; empty: none expected
    const QString noDisplay = u"pigeon: no graphical display; run `pigeon --console` for the terminal"_qs;
    QTest::addRow("the window") << QStringList() << 1 << noDisplay;
    QTest::addRow("the window on a port")
        << QStringList{u"--port"_qs, u"4000"_qs, u"--name"_qs, u"Me"_qs} << 1 << noDisplay;
    QTest::addRow("a screenshot") << QStringList{u"--screenshot"_qs, u"shot.png"_qs} << 1 << noDisplay;
    QTest::addRow("an unknown command") << QStringList{u"history2"_qs, u"Bob"_qs} << 1
                                        << u"unknown command \"history2\""_qs;
    QTest::addRow("contacts need no display") << QStringList{u"contacts"_qs, u"list"_qs} << 0 << QString();
    QTest::addRow("the version needs no display") << QStringList{u"--version"_qs} << 0 << QString();
    QTest::addRow("the console needs no display")
        << QStringList{u"--console"_qs} + privateListenArgs() << 0 << QString();
}

// Without DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM Qt would abort in QApplication (status 134).
void TestCliErrors::withoutDisplay()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    QTemporaryDir profile;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_qs, profile.path());
    for (const QString& name : {u"DISPLAY"_qs, u"WAYLAND_DISPLAY"_qs, u"QT_QPA_PLATFORM"_qs})
        env.remove(name);
    const Run run = runPigeon(QStringList{u"--profile"_qs, profile.path()} + args, {}, env);
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.err));
    if (message.isEmpty())
        QVERIFY2(!run.err.contains(u"display"_qs), qPrintable(run.err));
    else
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
}

QTEST_GUILESS_MAIN(TestCliErrors)
#include "tst_cli_errors.moc"
