// Desktop notifications through org.freedesktop.Notifications on a real session bus (dbus-run-session, see
// tests/CMakeLists.txt) served by tests/dbus/notificationserver.py, which reports every call and clicks a
// notification on request. Real sessions for Alice and Bob send to the window's session over 127.0.0.1.

#include "desktopnotifier.h"
#include "mainwindow.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestNotifications final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void notifiesReplacesAndOpens();

private:
    QJsonObject nextCall();

    QProcess m_server;
};

void TestNotifications::initTestCase()
{
    QVERIFY2(QDBusConnection::sessionBus().isConnected(), "no session bus: run under dbus-run-session");
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // Debian's own Python: python3-dbus and python3-gi are installed for it.
    m_server.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(PIGEON_NOTIFICATION_SERVER)});
    QCOMPARE(nextCall().value(u"method").toString(), QStringLiteral("ready"));
    QVERIFY(QDBusConnection::sessionBus().interface()->isServiceRegistered(
        QStringLiteral("org.freedesktop.Notifications")));
}

void TestNotifications::cleanupTestCase()
{
    m_server.closeWriteChannel();
    QVERIFY(m_server.waitForFinished(10'000));
}

// The next call the service reported, waiting for it with the event loop running.
QJsonObject TestNotifications::nextCall()
{
    [this] {
        QTRY_VERIFY_WITH_TIMEOUT(m_server.canReadLine(), 10'000);
    }();
    return QJsonDocument::fromJson(m_server.readLine()).object();
}

void TestNotifications::notifiesReplacesAndOpens()
{
    QTemporaryDir meDir, aliceDir, bobDir;
    Session me, alice, bob;
    QVERIFY(me.open({meDir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Me"), false}));
    QVERIFY(alice.open({aliceDir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Alice"), false}));
    QVERIFY(bob.open({bobDir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Bob"), false}));
    const QString host = QStringLiteral("127.0.0.1");
    const quint16 mePort = me.transport().localEndpoint().port;
    QVERIFY(me.contacts().add({QStringLiteral("Alice"), host, alice.transport().localEndpoint().port}).isEmpty());
    QVERIFY(me.contacts().add({QStringLiteral("Bob"), host, bob.transport().localEndpoint().port}).isEmpty());
    QVERIFY(alice.contacts().add({QStringLiteral("Me"), host, mePort}).isEmpty());
    QVERIFY(bob.contacts().add({QStringLiteral("Me"), host, mePort}).isEmpty());

    MainWindow window(me);
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.openConversation(QStringLiteral("Bob"));

    // Sender, first line (escaped: the service reads markup), the app icon, a default action.
    QVERIFY(alice.messenger()->send(QStringLiteral("Me"), QStringLiteral("Lunch at <12>?\nsecond line")) > 0);
    const QJsonObject first = nextCall();
    QCOMPARE(first.value(u"method").toString(), QStringLiteral("Notify"));
    QCOMPARE(first.value(u"app_name").toString(), QStringLiteral("Pigeon"));
    QCOMPARE(first.value(u"replaces_id").toInt(), 0);
    QCOMPARE(first.value(u"app_icon").toString(), QStringLiteral("pigeon"));
    QCOMPARE(first.value(u"summary").toString(), QStringLiteral("Alice"));
    QCOMPARE(first.value(u"body").toString(), QStringLiteral("Lunch at &lt;12&gt;?"));
    QVERIFY(first.value(u"actions").toVariant().toStringList().contains(QStringLiteral("default")));
    QCOMPARE(first.value(u"hints").toObject().value(u"desktop-entry").toString(), QStringLiteral("pigeon"));
    const int aliceId = first.value(u"id").toInt();

    // The next message of that conversation replaces it.
    QVERIFY(alice.messenger()->send(QStringLiteral("Me"), QStringLiteral("or at one")) > 0);
    const QJsonObject second = nextCall();
    QCOMPARE(second.value(u"replaces_id").toInt(), aliceId);
    QCOMPARE(second.value(u"body").toString(), QStringLiteral("or at one"));

    // None for the conversation on screen: Bob's message is shown, and the next call is Alice's again.
    const int bobRows = window.thread().rowCount();
    QVERIFY(bob.messenger()->send(QStringLiteral("Me"), QStringLiteral("you see this already")) > 0);
    QTRY_COMPARE(window.thread().rowCount(), bobRows + 1);
    QVERIFY(alice.messenger()->send(QStringLiteral("Me"), QStringLiteral("third")) > 0);
    const QJsonObject third = nextCall();
    QCOMPARE(third.value(u"summary").toString(), QStringLiteral("Alice"));
    QCOMPARE(third.value(u"body").toString(), QStringLiteral("third"));

    // Clicking it opens Alice's conversation.
    m_server.write("invoke " + QByteArray::number(aliceId) + " default\n");
    QTRY_COMPARE(window.currentPeer(), QStringLiteral("Alice"));
    QVERIFY(window.isActiveWindow());
    // Its conversation is on screen now: the notification is taken away.
    const QJsonObject closed = nextCall();
    QCOMPARE(closed.value(u"method").toString(), QStringLiteral("CloseNotification"));
    QCOMPARE(closed.value(u"id").toInt(), aliceId);

    // A notification from an unknown id or another action opens nothing.
    m_server.write("invoke 999 default\n");
    m_server.write("invoke " + QByteArray::number(aliceId) + " other\n");
    QVERIFY(bob.messenger()->send(QStringLiteral("Me"), QStringLiteral("new one")) > 0);
    const QJsonObject fromBob = nextCall();
    QCOMPARE(fromBob.value(u"summary").toString(), QStringLiteral("Bob"));
    QCOMPARE(fromBob.value(u"replaces_id").toInt(), 0);
    QCOMPARE(window.currentPeer(), QStringLiteral("Alice"));
}

QTEST_MAIN(TestNotifications)
#include "tst_notifications.moc"
