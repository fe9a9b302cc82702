// Away and busy the IP Messenger way: what entry packets carry (literal bytes), what peers' entry packets say, the
// automatic answer once per away period and never to an automatic answer, two away Pigeons on loopback that do not
// answer each other in a loop, and the status kept across a restart.

#include "fakeengine.h"
#include "messenger.h"
#include "packets.h"
#include "session.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

// A datagram or field written out byte by byte, NULs included (without the literal's own terminating NUL).
template <qsizetype N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

const Endpoint AliceAt{QHostAddress(QStringLiteral("127.0.0.1")), 2425};
const Endpoint StrangerAt{QHostAddress(QStringLiteral("127.0.0.9")), 2425};

Session::Options loopback(const QTemporaryDir& dir, const QString& nick)
{
    Session::Options o;
    o.profileDir = dir.path();
    o.bind = QHostAddress(QStringLiteral("127.0.0.1"));
    o.port = 0;
    o.nick = nick;
    return o;
}

QList<Message> autoAnswers(History& history, const QString& peer, Direction direction)
{
    QList<Message> out;
    for (const Message& m : history.conversation(peer, 1e300, 1000))
        if (m.isAutoReply && m.direction == direction)
            out.append(m);
    return out;
}

} // namespace

class TestPresenceStatus final : public QObject, private FakeEngine {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void entryPacketsCarryTheStatus_data();
    void entryPacketsCarryTheStatus();
    void changeGoesOutAsBrAbsence();
    void peerStatusFromEntry_data();
    void peerStatusFromEntry();
    void answeredOncePerAwayPeriod();
    void notAnswered_data();
    void notAnswered();
    void absenceInfoIsTheText_data();
    void absenceInfoIsTheText();
    void twoAwayPigeonsDoNotLoop();
    void statusSurvivesRestart();
};

void TestPresenceStatus::init()
{
    // UTF-8 chosen for Alice, so that the bytes below do not depend on the system locale's legacy encoding.
    QCOMPARE(openProfile(
                 {{QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), 2425, Protocol::IpMsg, TextEncoding::Utf8}}),
             QString());
    makeMessenger(Identity{QStringLiteral("me"), {}, "me", "here"}, *Endpoint::parse(QStringLiteral("127.0.0.1:2426")));
}

void TestPresenceStatus::cleanup()
{
    closeEngine();
}

void TestPresenceStatus::entryPacketsCarryTheStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("text");
    QTest::addColumn<quint32>("brEntry"); // the greeting's command
    QTest::addColumn<QByteArray>("extension");
    // BR_ENTRY = 0x01, CAPUTF8OPT = 0x01000000, ABSENCEOPT = 0x100.
    QTest::addRow("online") << int(Status::Online) << QString() << 0x01000001u
                            << bytes("me\0\0\nUN:me\nHN:here\nNN:me\nGN:\n");
    QTest::addRow("away with a text") << int(Status::Away) << u"at lunch"_qs << 0x01000101u
                                      << bytes("me[at lunch]\0\0\nUN:me\nHN:here\nNN:me[at lunch]\nGN:\n"
                                               "PS:away:at lunch\n");
    QTest::addRow("busy, no text") << int(Status::Busy) << QString() << 0x01000101u
                                   << bytes("me[Busy]\0\0\nUN:me\nHN:here\nNN:me[Busy]\nGN:\nPS:busy:\n");
    QTest::addRow("Chinese, two lines, brackets")
        << int(Status::Away) << u"开会 [3楼]\n下午回来"_qs << 0x01000101u
        << bytes("me[\xe5\xbc\x80\xe4\xbc\x9a (3\xe6\xa5\xbc)]\0\0\nUN:me\nHN:here\n"
                 "NN:me[\xe5\xbc\x80\xe4\xbc\x9a (3\xe6\xa5\xbc)]\nGN:\n"
                 "PS:away:\xe5\xbc\x80\xe4\xbc\x9a [3\xe6\xa5\xbc] \xe4\xb8\x8b\xe5\x8d\x88\xe5\x9b\x9e\xe6\x9d\xa5\n");
}

void TestPresenceStatus::entryPacketsCarryTheStatus()
{
    QFETCH(int, status);
    QFETCH(QString, text);
    QFETCH(quint32, brEntry);
    QFETCH(QByteArray, extension);
    // Set before start(), as Session does with the status the profile kept: the very first greeting carries it.
    m_messenger->setStatus(Status(status), text);
    m_messenger->start();
    const QList<ipmsg::Packet> greetings = sentTo(*m_transport, AliceAt, ipmsg::BrEntry);
    QCOMPARE(greetings.size(), 1);
    QCOMPARE(greetings.first().command, brEntry);
    QCOMPARE(greetings.first().extension, extension);
    // The answer to someone's entry: ANSENTRY (0x03) with the same options and the same nickname field.
    m_transport->deliver(ipmsgPacket(1000, ipmsg::BrEntry | ipmsg::CapUtf8Opt,
                                     ipmsg::buildEntry(u"Alice"_qs, {}, "alice", "laptop"), "alice", "laptop"),
                         AliceAt);
    QTRY_COMPARE(sentTo(*m_transport, AliceAt, ipmsg::AnsEntry).size(), 1);
    const ipmsg::Packet answer = sentTo(*m_transport, AliceAt, ipmsg::AnsEntry).first();
    QCOMPARE(answer.command, (brEntry & ~0xffu) | 0x03u);
    QCOMPARE(answer.extension, extension);
}

void TestPresenceStatus::changeGoesOutAsBrAbsence()
{
    m_messenger->start();
    m_transport->deliver(
        ipmsgPacket(1000, ipmsg::AnsEntry, ipmsg::buildEntry(u"Alice"_qs, {}, "alice", "laptop"), "alice", "laptop"),
        AliceAt);
    QTRY_COMPARE(m_messenger->presence(u"Alice"_qs), Presence::Online);
    QSignalSpy changed(m_messenger.get(), &Messenger::statusChanged);

    m_messenger->setStatus(Status::Away, u"back at 3"_qs);
    QList<ipmsg::Packet> absence = sentTo(*m_transport, AliceAt, ipmsg::BrAbsence);
    QCOMPARE(absence.size(), 1);
    QCOMPARE(absence.first().command, 0x01000104u); // BR_ABSENCE | ABSENCEOPT | CAPUTF8OPT
    QCOMPARE(ipmsg::parseEntry(absence.first().extension).nick, QByteArray("me[back at 3]"));
    QCOMPARE(changed.size(), 1);
    // The same status again is no change: nothing goes out.
    m_messenger->setStatus(Status::Away, u"back at 3"_qs);
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::BrAbsence).size(), 1);
    QCOMPARE(changed.size(), 1);

    m_messenger->setStatus(Status::Online);
    absence = sentTo(*m_transport, AliceAt, ipmsg::BrAbsence);
    QCOMPARE(absence.size(), 2);
    QCOMPARE(absence.last().command, 0x01000004u); // no ABSENCEOPT
    QCOMPARE(absence.last().extension, bytes("me\0\0\nUN:me\nHN:here\nNN:me\nGN:\n"));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.last().first().value<PeerStatus>(), PeerStatus{});
}

void TestPresenceStatus::peerStatusFromEntry_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("nick");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("text");
    // IP Messenger 4: ABSENCEOPT, the title in both nickname fields (legacy one in CP932, here ASCII).
    QTest::addRow("IP Messenger, absent") << bytes("1:1001:taro:pc:16777475:taro[Meeting]\0Dev\0\nUN:taro\nHN:pc\n"
                                                   "NN:taro[\xe4\xbc\x9a\xe8\xad\xb0\xe4\xb8\xad]\nGN:Dev\n\0")
                                          << u"taro"_qs << int(Status::Away) << u"会議中"_qs;
    // iptux 0.8.3's entry layout: nick, group, icon, encoding.
    QTest::addRow("iptux, absent") << bytes("1_iptux 0.8.3:7:li:box:259:li[out]\0\0icon-qq.png\0utf-8\0") << u"li"_qs
                                   << int(Status::Away) << u"out"_qs;
    QTest::addRow("Pigeon, busy") << bytes("1_pigeon 0.1.0:1001:bo:h:16777475:bo[Busy]\0\0\nUN:bo\nHN:h\n"
                                           "NN:bo[Busy]\nGN:\nPS:busy:\n\0")
                                  << u"bo"_qs << int(Status::Busy) << QString();
    QTest::addRow("Pigeon, away, long text")
        << bytes("1_pigeon 0.1.0:1001:bo:h:16777475:bo[gone to the dentist, "
                 "then t\xe2\x80\xa6]\0\0\nUN:bo\nHN:h\nNN:bo[x]\nGN:\n"
                 "PS:away:gone to the dentist, then to the bank\n\0")
        << u"bo"_qs << int(Status::Away) << u"gone to the dentist, then to the bank"_qs;
    QTest::addRow("back: no ABSENCEOPT") << bytes("1:1001:taro:pc:4:taro\0Dev\0") << u"taro"_qs << int(Status::Online)
                                         << QString();
    QTest::addRow("brackets without ABSENCEOPT are a name")
        << bytes("1:1001:x:pc:1:x[admin]\0\0") << u"x[admin]"_qs << int(Status::Online) << QString();
    QTest::addRow("ABSENCEOPT without a title")
        << bytes("1:1001:x:pc:259:x\0\0") << u"x"_qs << int(Status::Away) << QString();
    QTest::addRow("hostile title") << bytes("1:1001:x:pc:259:x[\x1b]2J\x07hi]\0\0") << u"x"_qs << int(Status::Away)
                                   << u"]2J hi"_qs;
}

void TestPresenceStatus::peerStatusFromEntry()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QString, nick);
    QFETCH(int, status);
    QFETCH(QString, text);
    m_messenger->start();
    QSignalSpy changed(m_messenger.get(), &Messenger::peerStatusChanged);
    m_transport->deliver(datagram, AliceAt);
    QTRY_COMPARE(m_messenger->presence(u"Alice"_qs), Presence::Online);
    QCOMPARE(m_messenger->nickOf(u"Alice"_qs), nick);
    const PeerStatus expected{Status(status), text};
    QCOMPARE(m_messenger->peerStatus(u"Alice"_qs), expected);
    // Only a change is announced; Online is what a peer is until it says otherwise.
    QCOMPARE(changed.size(), status == int(Status::Online) ? 0 : 1);
    if (!changed.isEmpty()) {
        QCOMPARE(changed.first().at(0).toString(), u"Alice"_qs);
        QCOMPARE(changed.first().at(1).value<PeerStatus>(), expected);
    }
    // A peer that left has no status.
    m_transport->deliver(ipmsgPacket(1002, ipmsg::BrExit, "x"), AliceAt);
    QTRY_COMPARE(m_messenger->presence(u"Alice"_qs), Presence::Offline);
    QCOMPARE(m_messenger->peerStatus(u"Alice"_qs), PeerStatus{});
}

void TestPresenceStatus::answeredOncePerAwayPeriod()
{
    m_messenger->start();
    m_messenger->setStatus(Status::Away, u"at lunch, 你好"_qs);
    const auto write = [this](quint64 no, const Endpoint& from, const QByteArray& text) {
        m_transport->deliver(ipmsgPacket(no, ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt, text), from);
        QTRY_COMPARE(acksTo(*m_transport, from).count(no), 1);
    };
    write(1001, AliceAt, "hi");
    QList<ipmsg::Packet> answers = sentTo(*m_transport, AliceAt, ipmsg::SendMsg);
    QCOMPARE(answers.size(), 1);
    // SENDMSG | AUTORETOPT | UTF8OPT, without SENDCHECKOPT: never acknowledged, never answered.
    QCOMPARE(answers.first().command, 0x00802020u);
    QCOMPARE(answers.first().text(), QByteArray("at lunch, \xe4\xbd\xa0\xe5\xa5\xbd"));
    const QList<Message> stored = autoAnswers(*m_history, u"Alice"_qs, Direction::Outgoing);
    QCOMPARE(stored.size(), 1);
    QCOMPARE(stored.first().text, u"at lunch, 你好"_qs);
    QCOMPARE(stored.first().state, MessageState::Sent);
    QCOMPARE(stored.first().packetNo, answers.first().packetNo);

    // Once per person: Alice again gets nothing; a stranger gets its own answer.
    write(1002, AliceAt, "are you there?");
    write(1003, StrangerAt, "hello");
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 1);
    QCOMPARE(sentTo(*m_transport, StrangerAt, ipmsg::SendMsg).size(), 1);
    // A plain-text peer (nc -u) gets the bare text, once.
    const Endpoint netcat = *Endpoint::parse(u"127.0.0.10:5000"_qs);
    const auto plainSent = [&] {
        QList<QByteArray> out;
        for (const FakeTransport::Sent& sent : m_transport->sent)
            if (sent.to == netcat)
                out.append(sent.data);
        return out;
    };
    m_transport->deliver("anyone there?\n", netcat);
    QTRY_COMPARE(plainSent(), QList<QByteArray>{"at lunch, \xe4\xbd\xa0\xe5\xa5\xbd"});
    m_transport->deliver("hello?\n", netcat);
    QTRY_COMPARE(m_history->conversationSize(netcat.toString()), 3);
    QCOMPARE(plainSent().size(), 1);

    // Back and away again: a new period, a new answer.
    m_messenger->setStatus(Status::Online);
    write(1004, AliceAt, "ping");
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 1);
    m_messenger->setStatus(Status::Away, u"at lunch, 你好"_qs);
    write(1005, AliceAt, "ping again");
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 2);
    QCOMPARE(autoAnswers(*m_history, u"Alice"_qs, Direction::Outgoing).size(), 2);
}

void TestPresenceStatus::notAnswered_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<bool>("acked");
    // IP Messenger's own absence answer: SENDMSG (0x20) | AUTORETOPT (0x2000) = 8224, no SENDCHECKOPT.
    QTest::addRow("an automatic answer") << int(Status::Away) << u"away"_qs
                                         << bytes("1:1001:taro:pc:8224:I am out until 3\0") << false;
    QTest::addRow("an automatic answer asking for an ack")
        << int(Status::Away) << u"away"_qs << bytes("1:1001:taro:pc:8480:I am out until 3\0") << false;
    QTest::addRow("a broadcast") << int(Status::Away) << u"away"_qs << bytes("1:1001:taro:pc:1312:to everyone\0")
                                 << false;
    QTest::addRow("busy") << int(Status::Busy) << u"in a call"_qs << bytes("1:1001:taro:pc:288:hi\0") << true;
    QTest::addRow("away without a text") << int(Status::Away) << QString() << bytes("1:1001:taro:pc:288:hi\0") << true;
    QTest::addRow("online") << int(Status::Online) << QString() << bytes("1:1001:taro:pc:288:hi\0") << true;
}

void TestPresenceStatus::notAnswered()
{
    QFETCH(int, status);
    QFETCH(QString, text);
    QFETCH(QByteArray, datagram);
    QFETCH(bool, acked);
    m_messenger->start();
    m_messenger->setStatus(Status(status), text);
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    m_transport->deliver(datagram, AliceAt);
    QTRY_COMPARE(added.size(), 1);
    const Message got = added.first().first().value<Message>();
    QCOMPARE(got.direction, Direction::Incoming);
    // Stored and shown as what it is.
    QCOMPARE(got.isAutoReply, datagram.contains(":8224:") || datagram.contains(":8480:"));
    QCOMPARE(m_history->message(got.id)->isAutoReply, got.isAutoReply);
    if (acked)
        QTRY_COMPARE(acksTo(*m_transport, AliceAt), QList<quint64>{1001});
    // Past the commit (the message is stored and announced), nothing answered it, and no ack for what wants none.
    QVERIFY(!m_history->hasUncommitted());
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 0);
    QCOMPARE(acksTo(*m_transport, AliceAt).size(), acked ? 1 : 0);
    QCOMPARE(autoAnswers(*m_history, u"Alice"_qs, Direction::Outgoing).size(), 0);
}

void TestPresenceStatus::absenceInfoIsTheText_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("answer");
    QTest::addRow("online") << int(Status::Online) << QString() << bytes("Not absence mode");
    QTest::addRow("away") << int(Status::Away) << u"出差，周五回"_qs
                          << bytes("\xe5\x87\xba\xe5\xb7\xae\xef\xbc\x8c\xe5\x91\xa8\xe4\xba\x94\xe5\x9b\x9e");
    QTest::addRow("busy") << int(Status::Busy) << u"on a call"_qs << bytes("on a call");
    QTest::addRow("away without a text") << int(Status::Away) << QString() << bytes("Not absence mode");
}

void TestPresenceStatus::absenceInfoIsTheText()
{
    QFETCH(int, status);
    QFETCH(QString, text);
    QFETCH(QByteArray, answer);
    m_messenger->start();
    m_messenger->setStatus(Status(status), text);
    // GETABSENCEINFO (0x50 = 80) from a UTF-8 capable IP Messenger is answered with SENDABSENCEINFO (0x51).
    m_transport->deliver(bytes("1:1001:taro:pc:16777219:taro\0\0"), AliceAt);
    m_transport->deliver(bytes("1:1002:taro:pc:80:\0"), AliceAt);
    QTRY_COMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendAbsenceInfo).size(), 1);
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendAbsenceInfo).first().text(), answer);
}

void TestPresenceStatus::twoAwayPigeonsDoNotLoop()
{
    QTemporaryDir aDir;
    QTemporaryDir bDir;
    Session a;
    Session b;
    QVERIFY2(a.open(loopback(aDir, u"Alice"_qs)), qPrintable(a.error()));
    QVERIFY2(b.open(loopback(bDir, u"Bob"_qs)), qPrintable(b.error()));
    const quint16 aPort = a.transport().localEndpoint().port;
    const quint16 bPort = b.transport().localEndpoint().port;
    QVERIFY(a.contacts().add({u"Bob"_qs, u"127.0.0.1"_qs, bPort}).isEmpty());
    QVERIFY(b.contacts().add({u"Alice"_qs, u"127.0.0.1"_qs, aPort}).isEmpty());
    QTRY_COMPARE(a.messenger()->presence(u"Bob"_qs), Presence::Online);
    QTRY_COMPARE(b.messenger()->presence(u"Alice"_qs), Presence::Online);

    a.messenger()->setStatus(Status::Away, u"Alice is out"_qs);
    b.messenger()->setStatus(Status::Away, u"Bob is out"_qs);
    // Each sees the other away, with the whole text.
    QTRY_COMPARE(a.messenger()->peerStatus(u"Bob"_qs), (PeerStatus{Status::Away, u"Bob is out"_qs}));
    QTRY_COMPARE(b.messenger()->peerStatus(u"Alice"_qs), (PeerStatus{Status::Away, u"Alice is out"_qs}));

    const qint64 first = a.messenger()->send(u"Bob"_qs, u"are you there?"_qs);
    QVERIFY(first > 0);
    QTRY_COMPARE(autoAnswers(a.history(), u"Bob"_qs, Direction::Incoming).size(), 1);
    QCOMPARE(autoAnswers(a.history(), u"Bob"_qs, Direction::Incoming).first().text, u"Bob is out"_qs);
    // Alice's side has stored Bob's answer and not answered it. Were an answer of hers on its way, it would reach Bob
    // before her next message (one socket to one socket on loopback); once that one is delivered, nothing more comes.
    const qint64 second = a.messenger()->send(u"Bob"_qs, u"hello?"_qs);
    QTRY_COMPARE(a.history().message(second)->state, MessageState::Delivered);
    QTRY_COMPARE(a.history().message(first)->state, MessageState::Delivered);
    QCOMPARE(autoAnswers(b.history(), u"Alice"_qs, Direction::Incoming).size(), 0);
    QCOMPARE(autoAnswers(a.history(), u"Bob"_qs, Direction::Outgoing).size(), 0);
    QCOMPARE(autoAnswers(b.history(), u"Alice"_qs, Direction::Outgoing).size(), 1);
    QCOMPARE(autoAnswers(a.history(), u"Bob"_qs, Direction::Incoming).size(), 1);
    QCOMPARE(b.history().conversationSize(u"Alice"_qs), 3); // two messages, one automatic answer
}

void TestPresenceStatus::statusSurvivesRestart()
{
    QTemporaryDir dir;
    {
        Session s;
        QVERIFY2(s.open(loopback(dir, u"Alice"_qs)), qPrintable(s.error()));
        QCOMPARE(s.messenger()->status(), PeerStatus{});
        s.messenger()->setStatus(Status::Busy, u"in a call"_qs);
        s.close();
    }
    {
        Session s;
        QVERIFY2(s.open(loopback(dir, u"Alice"_qs)), qPrintable(s.error()));
        QCOMPARE(s.messenger()->status(), (PeerStatus{Status::Busy, u"in a call"_qs}));
        QVERIFY(!s.messenger()->isStatusAutomatic());
        // An automatic away is the idle timer's, not the user's: it is not kept.
        s.messenger()->setStatus(Status::Online);
        s.messenger()->setStatus(Status::Away, u"idle"_qs, true);
        s.close();
    }
    Session s;
    QVERIFY2(s.open(loopback(dir, u"Alice"_qs)), qPrintable(s.error()));
    QCOMPARE(s.messenger()->status(), PeerStatus{});
}

QTEST_GUILESS_MAIN(TestPresenceStatus)
#include "tst_presencestatus.moc"
