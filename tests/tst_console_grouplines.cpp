// Group conversations in the console and in `pigeon history` as a newcomer meets them (issue 12): every line of a
// group says which group it belongs to ("GROUP › SENDER (ADDRESS:PORT): TEXT", "GROUP › * Bob left."), in the live
// console, in /search, in `pigeon history` and in `pigeon history --search`; and a group whose name holds a space
// ("team (2)", as Pigeon names a second group called "team") can be added to and left from the console.

#include "consoleprocess.h"
#include "pigeonrun.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

namespace {

QProcessEnvironment noColor()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
    return env;
}

// Alice and Bob, consoles with profiles of their own and named so.
struct AliceAndBob {
    QTemporaryDir aliceDir;
    QTemporaryDir bobDir;
    ConsoleProcess alice;
    ConsoleProcess bob;

    // Starts Bob, then Alice; Alice adds Bob and waits (10 s) until she sees him online.
    bool start()
    {
        if (!bob.start(bobDir.path(), {QStringLiteral("--name"), QStringLiteral("Bob")}) ||
            !alice.start(aliceDir.path(), {QStringLiteral("--name"), QStringLiteral("Alice")}))
            return false;
        alice.type(QStringLiteral("/add Bob ") + bob.endpoint());
        return QTest::qWaitFor([this] { return alice.output().contains(QStringLiteral("* Bob is online")); }, 10000);
    }
};

// Alice, a console, and her contact Bob, who is only a socket on 127.0.0.1: a contact's address is all /group needs
// of a member.
struct AliceAndBobsAddress {
    QTemporaryDir dir;
    ConsoleProcess alice;
    QUdpSocket bob;

    bool start()
    {
        if (!alice.start(dir.path(), {QStringLiteral("--name"), QStringLiteral("Alice")}) ||
            !bob.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0))
            return false;
        alice.type(QStringLiteral("/add Bob 127.0.0.1:%1").arg(bob.localPort()));
        return true;
    }
};

} // namespace

class TestConsoleGroupLines final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void linesNameTheGroupAndTheSender();
    void groupNameWithASpace();
    void groupCommandChecksItsWords_data();
    void groupCommandChecksItsWords();
    void toRefusesAGroupLeft();
    void saysWhoAGroupMessageWaitsFor();
};

void TestConsoleGroupLines::linesNameTheGroupAndTheSender()
{
    AliceAndBob two;
    QVERIFY2(two.start(), qPrintable(two.alice.output()));
    auto& [aliceDir, bobDir, alice, bob] = two;
    alice.type(QStringLiteral("/group team Bob"));
    // Bob's line about the invitation names the group it happened in.
    QTRY_VERIFY_WITH_TIMEOUT(
        bob.output().contains(QStringLiteral("] team \u203a * Alice added you to the group team.")), 10000);
    bob.type(QStringLiteral("见面 at noon"));
    const QString fromBob = QStringLiteral(" team \u203a Bob (%1): 见面 at noon\n").arg(bob.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(alice.output().contains(fromBob), 10000);
    QVERIFY2(alice.output().contains(QStringLiteral("] team \u203a * You made the group team with Bob.")),
             qPrintable(alice.output()));

    // Alice writes to the group now; a file cannot go to it, and she is told so rather than "no contact #team".
    alice.type(QStringLiteral("/send ") + QStringLiteral(PIGEON_BINARY));
    QTRY_VERIFY2(alice.output().contains(
                     QStringLiteral("Files go to one person, not to a group: /to NAME picks a member of #team.")),
                 qPrintable(alice.output()));

    const qsizetype before = alice.output().size();
    alice.type(QStringLiteral("/search 见面"));
    QTRY_VERIFY(alice.output().mid(before).contains(QStringLiteral("Messages with \"见面\"")));
    QTRY_VERIFY2(alice.output().mid(before).contains(QRegularExpression(
                     QStringLiteral(R"(\n\[\d{4}-\d\d-\d\d \d\d:\d\d\])") + QRegularExpression::escape(fromBob))),
                 qPrintable(alice.output().mid(before)));
    QCOMPARE(alice.finish(), 3); // the refused /send
    QCOMPARE(bob.finish(), 0);

    // The same lines from the stored history, as the console printed them.
    const QStringList profile{QStringLiteral("--profile"), aliceDir.path()};
    const Run history =
        runPigeon(QStringList{QStringLiteral("history"), QStringLiteral("#team")} + profile, {}, noColor());
    QCOMPARE(history.exitCode, 0);
    QVERIFY2(history.out.contains(fromBob), qPrintable(history.out));
    QVERIFY2(history.out.contains(QStringLiteral("] team \u203a * You made the group team with Bob.\n")),
             qPrintable(history.out));
    // The group named as /to takes it, without its '#'.
    const Run named =
        runPigeon(QStringList{QStringLiteral("history"), QStringLiteral("team")} + profile, {}, noColor());
    QCOMPARE(named.exitCode, 0);
    QCOMPARE(named.out, history.out);
    const Run found =
        runPigeon(QStringList{QStringLiteral("history"), QStringLiteral("--search"), QStringLiteral("noon")} + profile,
                  {}, noColor());
    QCOMPARE(found.exitCode, 0);
    QVERIFY2(found.out.contains(fromBob), qPrintable(found.out));
    QCOMPARE(found.out.count(u'\n'), 1);
}

void TestConsoleGroupLines::groupNameWithASpace()
{
    AliceAndBob two;
    QVERIFY2(two.start(), qPrintable(two.alice.output()));
    auto& [aliceDir, bobDir, alice, bob] = two;
    QUdpSocket carol; // only needs an address: a member is added to the list before it answers
    QVERIFY(carol.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0));
    alice.type(QStringLiteral("/add Carol 127.0.0.1:%1").arg(carol.localPort()));
    alice.type(QStringLiteral("/group team Bob"));
    alice.type(QStringLiteral("/group team Bob"));
    QTRY_VERIFY(alice.output().contains(QStringLiteral("Made the group #team (2)")));

    alice.type(QStringLiteral("/group add team (2) Carol"));
    QTRY_VERIFY2(alice.output().contains(QStringLiteral("Added Carol to team (2).")), qPrintable(alice.output()));
    alice.type(QStringLiteral("/group leave #team (2)"));
    QTRY_VERIFY2(alice.output().contains(QStringLiteral("You left #team (2).")), qPrintable(alice.output()));
    alice.type(QStringLiteral("/groups"));
    QTRY_VERIFY2(alice.output().contains(QRegularExpression(QStringLiteral(R"(#team \(2\)  .*Carol.*\(you left\))"))),
                 qPrintable(alice.output()));
    QVERIFY2(!alice.output().contains(QStringLiteral("Usage: /group")), qPrintable(alice.output()));
    // Bob heard both: Carol joined his "team (2)", and Alice left it.
    QTRY_VERIFY_WITH_TIMEOUT(bob.output().contains(QStringLiteral("team (2) \u203a * Alice left.")), 10000);
    QVERIFY2(bob.output().contains(QStringLiteral("team (2) \u203a * Carol joined.")), qPrintable(bob.output()));
    QCOMPARE(alice.finish(), 0);
    QCOMPARE(bob.finish(), 0);
}

void TestConsoleGroupLines::groupCommandChecksItsWords_data()
{
    QTest::addColumn<QString>("command"); // SELF: this console's own ADDRESS:PORT
    QTest::addColumn<QString>("said");
    QTest::newRow("this Pigeon as a member") << QStringLiteral("/group mine SELF")
                                             << QStringLiteral("SELF is this Pigeon itself: you are a member of your "
                                                               "groups already.");
    QTest::newRow("this Pigeon added") << QStringLiteral("/group add ok SELF")
                                       << QStringLiteral("SELF is this Pigeon itself");
    QTest::newRow("name of 65 characters") << QStringLiteral("/group %1 Bob").arg(QString(65, u'n'))
                                           << QStringLiteral("A group's name is at most 64 characters.");
    QTest::newRow("name of 64 characters") << QStringLiteral("/group %1 Bob").arg(QString(64, u'n'))
                                           << QStringLiteral("Made the group #%1;").arg(QString(64, u'n'));
    QTest::newRow("name written with its #")
        << QStringLiteral("/group #lab Bob") << QStringLiteral("Made the group #lab; now writing to it.");
    QTest::newRow("only #") << QStringLiteral("/group # Bob") << QStringLiteral("A group needs a name.");
}

// /group refuses what cannot work, with the reason, and makes nothing then.
void TestConsoleGroupLines::groupCommandChecksItsWords()
{
    QFETCH(QString, command);
    QFETCH(QString, said);
    AliceAndBobsAddress two;
    QVERIFY(two.start());
    ConsoleProcess& alice = two.alice;
    alice.type(QStringLiteral("/group ok Bob"));
    QTRY_VERIFY(alice.output().contains(QStringLiteral("Made the group #ok;")));
    alice.type(QString(command).replace(QStringLiteral("SELF"), alice.endpoint()));
    const QString expected = QString(said).replace(QStringLiteral("SELF"), alice.endpoint());
    QTRY_VERIFY2(alice.output().contains(expected), qPrintable(alice.output()));
    const bool refused = !said.startsWith(QStringLiteral("Made"));
    alice.type(QStringLiteral("/groups"));
    QTRY_VERIFY(alice.output().contains(QStringLiteral("#ok  ")));
    // A refused command leaves the one group there was; no member is this Pigeon.
    QCOMPARE(alice.output().count(QRegularExpression(QStringLiteral("\n  #"))), refused ? 1 : 2);
    QVERIFY2(!alice.output().contains(QStringLiteral("(") + alice.endpoint() + u')'), qPrintable(alice.output()));
    QCOMPARE(alice.finish(), refused ? 3 : 0);
}

// /to a group this Pigeon left refuses there, with the reason, instead of picking it and then refusing every line.
void TestConsoleGroupLines::toRefusesAGroupLeft()
{
    AliceAndBobsAddress two;
    QVERIFY(two.start());
    ConsoleProcess& alice = two.alice;
    alice.type(QStringLiteral("/group 团队 Bob"));
    QTRY_VERIFY(alice.output().contains(QStringLiteral("Made the group #团队;")));
    alice.type(QStringLiteral("/group leave 团队"));
    QTRY_VERIFY2(alice.output().contains(QStringLiteral("You left 团队.")), qPrintable(alice.output()));
    alice.type(QStringLiteral("/to Bob"));
    alice.type(QStringLiteral("/to 团队"));
    QTRY_VERIFY2(alice.output().contains(QStringLiteral("You left #团队: nothing can be sent to it any more.")),
                 qPrintable(alice.output()));
    QVERIFY2(!alice.output().contains(QStringLiteral("Now writing to #团队")), qPrintable(alice.output()));
    QCOMPARE(alice.finish(), 3); // a line was refused
}

// A group message whose copy for a member is queued (that member not heard from: offline, or never answered) says
// so, once, naming the member; the member that answered gets it as usual.
void TestConsoleGroupLines::saysWhoAGroupMessageWaitsFor()
{
    AliceAndBob two;
    QVERIFY2(two.start(), qPrintable(two.alice.output()));
    auto& [aliceDir, bobDir, alice, bob] = two;
    QUdpSocket carol; // bound, so nothing is refused, but it never answers
    QVERIFY(carol.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0));
    alice.type(QStringLiteral("/add carol 127.0.0.1:%1").arg(carol.localPort()));
    alice.type(QStringLiteral("/group lab Bob carol"));
    QTRY_VERIFY(alice.output().contains(QStringLiteral("Made the group #lab;")));
    alice.type(QStringLiteral("hello lab"));
    QTRY_VERIFY_WITH_TIMEOUT(bob.output().contains(QStringLiteral(": hello lab")), 10000);
    QTRY_VERIFY2(alice.output().contains(QStringLiteral("  (#lab: waiting for carol)")), qPrintable(alice.output()));
    QCOMPARE(alice.output().count(QStringLiteral("waiting for")), 1);
    QVERIFY2(!alice.output().contains(QStringLiteral("waiting for Bob")), qPrintable(alice.output()));
    alice.process.kill(); // its message to carol stays queued: it would not quit on its own before carol answers
    alice.process.waitForFinished(5000);
    QCOMPARE(bob.finish(), 0);
}

QTEST_GUILESS_MAIN(TestConsoleGroupLines)
#include "tst_console_grouplines.moc"
