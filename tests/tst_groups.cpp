// Group conversations between three Pigeons on 127.0.0.1, .2 and .3 (issue 12): a group made by one reaches the
// others, everyone's messages reach everyone in order with their senders, a member offline during a change catches
// up when back, a stranger's forged group datagrams are refused, an IP Messenger member gets ordinary messages.

#include "grouppayload.h"
#include "netfixture.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestGroups final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void everyoneSeesEveryoneInOrder();
    void longMessageToTheGroup();
    void offlineMemberCatchesUpOnChanges();
    void leavingIsHeardByAll();
    void strangerIsRefused_data();
    void strangerIsRefused();
    void ipmsgMemberGetsOrdinaryMessages();
    void strangerInvitationsAreBounded();

private:
    // Node i (0..2) on 127.0.0.(i+1), in its own folder; each knows the others as contacts "A", "B", "C".
    std::unique_ptr<PigeonNode> makeNode(int i, quint16 port = 0);
    void startAll();
    // Makes "team" at A with B and C and waits until both have it.
    void makeTeam();
    static QStringList texts(const QList<Message>& thread);

    std::unique_ptr<QTemporaryDir> m_dirs[4];
    std::unique_ptr<PigeonNode> m_nodes[3];
};

namespace {

const QString Key = QStringLiteral("#team");
const QString Names[] = {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"), QStringLiteral("D")};

QHostAddress addressOf(int i)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(i + 1));
}

QList<Message> chat(const QList<Message>& thread)
{
    QList<Message> out;
    for (const Message& m : thread)
        if (!m.isSystem)
            out.append(m);
    return out;
}

// A roster with this Pigeon's own entry under its address, so that two members' copies can be compared.
QList<Roster::Entry> absolute(const Roster& roster, const Endpoint& self)
{
    QList<Roster::Entry> out = roster.entries();
    for (Roster::Entry& e : out)
        if (e.endpoint.isEmpty())
            e.endpoint = self.toString();
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.endpoint < b.endpoint; });
    return out;
}

} // namespace

std::unique_ptr<PigeonNode> TestGroups::makeNode(int i, quint16 port)
{
    auto node = std::make_unique<PigeonNode>(m_dirs[i]->path(), Names[i], port, addressOf(i));
    return node;
}

void TestGroups::init()
{
    for (auto& dir : m_dirs)
        dir = std::make_unique<QTemporaryDir>();
    for (int i = 0; i < 3; ++i) {
        m_nodes[i] = makeNode(i);
        QVERIFY(m_nodes[i]->ok);
    }
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            if (i != j && m_nodes[i]->contacts.find(Names[j]) == std::nullopt)
                QCOMPARE(m_nodes[i]->addContact(Names[j], m_nodes[j]->endpoint()), QString());
}

void TestGroups::cleanup()
{
    for (auto& node : m_nodes)
        node.reset();
    for (auto& dir : m_dirs)
        dir.reset();
}

void TestGroups::startAll()
{
    for (auto& node : m_nodes)
        node->start();
    // Each hears the others' answers to its greeting: it knows they are Pigeons.
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            if (i != j)
                QTRY_COMPARE(m_nodes[i]->messenger->presence(Names[j]), Presence::Online);
}

void TestGroups::makeTeam()
{
    QString error;
    const QString key = m_nodes[0]->messenger->createGroup(QStringLiteral("team"), {Names[1], Names[2]}, &error);
    QVERIFY2(key == Key, qPrintable(error));
    for (int i = 1; i < 3; ++i) {
        QTRY_VERIFY(m_nodes[i]->messenger->groups().find(QStringLiteral("team")));
        QCOMPARE(m_nodes[i]->messenger->groups().find(QStringLiteral("team"))->roster.members().size(), 3);
    }
}

QStringList TestGroups::texts(const QList<Message>& thread)
{
    QStringList out;
    for (const Message& m : chat(thread))
        out.append(m.text);
    return out;
}

void TestGroups::everyoneSeesEveryoneInOrder()
{
    startAll();
    makeTeam();
    if (QTest::currentTestFailed())
        return;
    const QString key = Key;
    QStringList sent;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 3; ++i) {
            const QString text = QStringLiteral("%1 says %2").arg(Names[i]).arg(round);
            QString error;
            const qint64 id = m_nodes[i]->messenger->send(key, text, &error);
            QVERIFY2(id > 0, qPrintable(error));
            // The next one writes after this one reached everyone: the order is the same for all.
            QTRY_COMPARE(m_nodes[i]->states.value(id), MessageState::Delivered);
            const QList<Messenger::MemberDelivery> members = m_nodes[i]->messenger->groupDelivery(id);
            QCOMPARE(members.size(), 2);
            for (const Messenger::MemberDelivery& d : members)
                QCOMPARE(d.state, MessageState::Delivered);
            sent.append(text);
        }
    }
    for (int i = 0; i < 3; ++i) {
        QVERIFY(m_nodes[i]->history.commit());
        const QList<Message> thread = chat(m_nodes[i]->thread(key));
        QCOMPARE(texts(thread), sent);
        for (const Message& m : thread) {
            const int author = Names[0] == m.text.left(1) ? 0 : Names[1] == m.text.left(1) ? 1 : 2;
            if (author == i) {
                QCOMPARE(m.direction, Direction::Outgoing);
                continue;
            }
            QCOMPARE(m.direction, Direction::Incoming);
            QCOMPARE(m.remote, m_nodes[author]->endpoint().toString());
            QCOMPARE(m_nodes[i]->messenger->memberName(key, m.remote), Names[author]);
        }
    }
}

void TestGroups::longMessageToTheGroup()
{
    startAll();
    makeTeam();
    if (QTest::currentTestFailed())
        return;
    const QString key = Key;
    const QString text = QString(20'000, u'群');
    const qint64 id = m_nodes[1]->messenger->send(key, text);
    QVERIFY(id > 0);
    QTRY_COMPARE(m_nodes[1]->states.value(id), MessageState::Delivered);
    for (int i : {0, 2}) {
        QVERIFY(m_nodes[i]->history.commit());
        QCOMPARE(texts(m_nodes[i]->thread(key)), QStringList{text});
    }
    // It went as parts no larger than a long message's parts.
    qsizetype largest = 0;
    for (const RecordingTransport::Sent& d : std::as_const(m_nodes[1]->recorder->sent))
        largest = std::max(largest, d.data.size());
    QVERIFY(largest < 1400);
}

void TestGroups::offlineMemberCatchesUpOnChanges()
{
    startAll();
    makeTeam();
    if (QTest::currentTestFailed())
        return;
    const QString key = Key;
    // C stops (saying so), then A adds D, a Pigeon C has never heard of.
    const quint16 portC = m_nodes[2]->endpoint().port;
    m_nodes[2]->messenger->stop();
    m_nodes[2].reset();
    QTRY_COMPARE(m_nodes[0]->messenger->presence(Names[2]), Presence::Offline);
    auto d = std::make_unique<PigeonNode>(m_dirs[3]->path(), Names[3], 0, QHostAddress(QStringLiteral("127.0.0.4")));
    QVERIFY(d->ok);
    QCOMPARE(d->addContact(Names[0], m_nodes[0]->endpoint()), QString());
    QCOMPARE(m_nodes[0]->addContact(Names[3], d->endpoint()), QString());
    d->start();
    QTRY_COMPARE(m_nodes[0]->messenger->presence(Names[3]), Presence::Online);
    QString error;
    QVERIFY2(m_nodes[0]->messenger->addToGroup(QStringLiteral("team"), Names[3], &error), qPrintable(error));
    QTRY_VERIFY(d->messenger->groups().find(QStringLiteral("team")));
    const QString dAddress = d->endpoint().toString();
    QTRY_VERIFY(m_nodes[1]->messenger->groups().find(QStringLiteral("team"))->roster.isMember(dAddress));

    // C comes back on the same address and port: it learns of D, and D's messages reach it.
    m_nodes[2] = std::make_unique<PigeonNode>(m_dirs[2]->path(), Names[2], portC, addressOf(2));
    QVERIFY(m_nodes[2]->ok);
    QVERIFY(m_nodes[2]->messenger == nullptr);
    m_nodes[2]->start();
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes[2]->messenger->groups().find(QStringLiteral("team"))->roster.isMember(dAddress),
                             10'000);
    // Every member ends with the same roster.
    const auto rosterOf = [&](PigeonNode& node) {
        return absolute(node.messenger->groups().find(QStringLiteral("team"))->roster, node.endpoint());
    };
    const QList<Roster::Entry> expected = rosterOf(*m_nodes[0]);
    QCOMPARE(expected.size(), 4);
    QTRY_VERIFY(rosterOf(*m_nodes[1]) == expected);
    QTRY_VERIFY(rosterOf(*m_nodes[2]) == expected);
    QTRY_VERIFY(rosterOf(*d) == expected);
    const qint64 id = d->messenger->send(key, QStringLiteral("hello from D"));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(d->states.value(id), MessageState::Delivered, 10'000);
    QVERIFY(m_nodes[2]->history.commit());
    QCOMPARE(texts(m_nodes[2]->thread(key)), QStringList{QStringLiteral("hello from D")});
}

void TestGroups::leavingIsHeardByAll()
{
    startAll();
    makeTeam();
    if (QTest::currentTestFailed())
        return;
    const QString key = Key;
    QString error;
    QVERIFY2(m_nodes[2]->messenger->leaveGroup(QStringLiteral("team"), &error), qPrintable(error));
    const QString cAddress = m_nodes[2]->endpoint().toString();
    for (int i : {0, 1})
        QTRY_VERIFY(!m_nodes[i]->messenger->groups().find(QStringLiteral("team"))->roster.isMember(cAddress));
    QVERIFY(!m_nodes[2]->messenger->groups().find(QStringLiteral("team"))->isActive());
    QVERIFY(m_nodes[2]->messenger->send(key, QStringLiteral("still here?"), &error) == 0);
    // A message now goes to the one member left.
    const qint64 id = m_nodes[0]->messenger->send(key, QStringLiteral("just us"));
    QTRY_COMPARE(m_nodes[0]->states.value(id), MessageState::Delivered);
    QCOMPARE(m_nodes[0]->messenger->groupDelivery(id).size(), 1);
}

void TestGroups::strangerIsRefused_data()
{
    QTest::addColumn<bool>("roster");
    QTest::newRow("text") << false;
    QTest::newRow("roster adding itself") << true;
}

// A datagram from an address and port that is no member is refused, whatever group id and names it carries: not
// stored, not acknowledged, the roster unchanged.
void TestGroups::strangerIsRefused()
{
    QFETCH(bool, roster);
    startAll();
    makeTeam();
    if (QTest::currentTestFailed())
        return;
    const QString key = Key;
    PigeonNode& b = *m_nodes[1];
    const GroupBook::Group* group = b.messenger->groups().find(key);
    RawPeer stranger(QByteArrayLiteral("1_pigeon 0.9"));
    QVERIFY(stranger.bound);
    grouppayload::Payload p;
    p.id = group->id;
    p.name = QStringLiteral("team");
    p.clock = group->roster.clock() + 10;
    if (roster) {
        p.kind = grouppayload::Kind::Roster;
        p.members = {{QString(), QStringLiteral("A"), p.clock, false},
                     {b.endpoint().toString(), QStringLiteral("B"), 1, false}};
    } else {
        p.text = QStringLiteral("forged");
    }
    const quint64 no = stranger.send(ipmsg::PigeonGroup | ipmsg::SendCheckOpt, grouppayload::encode(p), b.endpoint());
    // What the stranger sends after it is answered: everything before it was handled.
    stranger.send(ipmsg::GetInfo, {}, b.endpoint());
    QTRY_VERIFY(!stranger.withMode(ipmsg::SendInfo).isEmpty());
    for (const ipmsg::Packet& ack : stranger.withMode(ipmsg::RecvMsg))
        QVERIFY(ack.text().toULongLong() != no);
    QVERIFY(b.history.commit());
    QCOMPARE(texts(b.thread(key)), QStringList());
    QCOMPARE(b.messenger->groups().find(key)->roster.members().size(), 3);
    QVERIFY(!b.messenger->groups().find(key)->roster.find(stranger.endpoint().toString()));
    QVERIFY(b.messenger->stats().dropped > 0);
}

void TestGroups::ipmsgMemberGetsOrdinaryMessages()
{
    startAll();
    RawPeer iptux;
    QVERIFY(iptux.bound);
    iptux.autoAck = true;
    QCOMPARE(m_nodes[0]->addContact(QStringLiteral("Tux"), iptux.endpoint()), QString());
    QTRY_COMPARE(m_nodes[0]->messenger->presence(QStringLiteral("Tux")), Presence::Online);
    QString error;
    const QString key =
        m_nodes[0]->messenger->createGroup(QStringLiteral("mixed"), {Names[1], QStringLiteral("Tux")}, &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const qint64 id = m_nodes[0]->messenger->send(key, QStringLiteral("hi all"));
    QTRY_COMPARE(m_nodes[0]->states.value(id), MessageState::Delivered);
    const QList<ipmsg::Packet> got = iptux.withMode(ipmsg::SendMsg);
    QCOMPARE(got.size(), 1);
    QVERIFY(got[0].has(ipmsg::MulticastOpt));
    QCOMPARE(QString::fromUtf8(got[0].text()), QStringLiteral("[mixed] hi all"));
    // Nothing of the group protocol reaches it.
    QVERIFY(iptux.withMode(ipmsg::PigeonGroup).isEmpty());
    // Its answer is a private message.
    iptux.send(ipmsg::SendMsg | ipmsg::SendCheckOpt, "ok", m_nodes[0]->endpoint());
    QTRY_COMPARE(m_nodes[0]->received.size() > 0 && m_nodes[0]->received.last().peer == QStringLiteral("Tux"), true);
}

// A stranger may invite this Pigeon to some groups, not to as many as it likes: past MaxInvitesPerStranger its
// invitations are refused unacknowledged, so it cannot use up the profile's MaxGroups.
void TestGroups::strangerInvitationsAreBounded()
{
    startAll();
    PigeonNode& b = *m_nodes[1];
    RawPeer stranger(QByteArrayLiteral("1_pigeon 0.9"));
    QVERIFY(stranger.bound);
    QList<quint64> numbers;
    for (int i = 0; i <= GroupBook::MaxInvitesPerStranger; ++i) {
        grouppayload::Payload p;
        p.kind = grouppayload::Kind::Roster;
        p.id = QByteArray(grouppayload::IdBytes, char('a' + i));
        p.name = QStringLiteral("spam %1").arg(i);
        p.clock = 1;
        p.members = {{QString(), QStringLiteral("spammer"), 1, false},
                     {b.endpoint().toString(), QStringLiteral("B"), 1, false}};
        numbers.append(stranger.send(ipmsg::PigeonGroup | ipmsg::SendCheckOpt, grouppayload::encode(p), b.endpoint()));
    }
    stranger.send(ipmsg::GetInfo, {}, b.endpoint());
    QTRY_VERIFY(!stranger.withMode(ipmsg::SendInfo).isEmpty());
    QTRY_COMPARE(stranger.withMode(ipmsg::RecvMsg).size(), GroupBook::MaxInvitesPerStranger);
    for (const ipmsg::Packet& ack : stranger.withMode(ipmsg::RecvMsg))
        QVERIFY(ack.text().toULongLong() != numbers.last());
    QCOMPARE(b.messenger->groups().groups().size(), GroupBook::MaxInvitesPerStranger);
}

QTEST_GUILESS_MAIN(TestGroups)
#include "tst_groups.moc"
