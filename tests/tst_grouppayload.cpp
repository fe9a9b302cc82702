// The group payload codec (grouppayload.h) and the roster's merge (roster.h): round trips, refusals of bad input,
// the bounds, and that copies that saw the same changes in any order end the same.

#include "grouppayload.h"

#include <QRandomGenerator>
#include <QTest>

class TestGroupPayload final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void refuses_data();
    void refuses();
    void namesStayOnOneLine();
    void mergeConverges_data();
    void mergeConverges();
    void leftWinsAtEqualClocks();
    void boundedMembers();
};

namespace {

const QByteArray Id = QByteArray::fromHex("00112233445566778899aabbccddeeff");

grouppayload::Payload text(const QString& t)
{
    grouppayload::Payload p;
    p.id = Id;
    p.name = QStringLiteral("团队 team");
    p.clock = 7;
    p.text = t;
    return p;
}

grouppayload::Payload roster(QList<Roster::Entry> members)
{
    grouppayload::Payload p = text({});
    p.kind = grouppayload::Kind::Roster;
    p.members = std::move(members);
    return p;
}

QByteArray header(const char* kind)
{
    return QByteArray("PGRP/1 ") + kind + ' ' + Id.toHex() + " 7\nteam\n";
}

} // namespace

void TestGroupPayload::roundTrip_data()
{
    QTest::addColumn<grouppayload::Payload>("payload");
    QTest::newRow("text") << text(QStringLiteral("hello"));
    QTest::newRow("empty text") << text(QString());
    QTest::newRow("text with line breaks and Chinese") << text(QStringLiteral("第一行\nsecond line\n"));
    QTest::newRow("roster") << roster({{QString(), QStringLiteral("Alice"), 1, false},
                                       {QStringLiteral("127.0.0.2:2425"), QStringLiteral("Bob"), 3, false},
                                       {QStringLiteral("[::1]:2426"), QStringLiteral("王 五"), 4, true}});
    QTest::newRow("empty roster") << roster({});
}

void TestGroupPayload::roundTrip()
{
    QFETCH(grouppayload::Payload, payload);
    QString error;
    const auto back = grouppayload::decode(grouppayload::encode(payload), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->kind, payload.kind);
    QCOMPARE(back->id, payload.id);
    QCOMPARE(back->name, payload.name);
    QCOMPARE(back->clock, payload.clock);
    QCOMPARE(back->text, payload.text);
    QCOMPARE(back->members, payload.members);
}

void TestGroupPayload::refuses_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("other magic") << QByteArray("PGRP/2 T " + Id.toHex() + " 7\nteam\nhi");
    QTest::newRow("unknown kind") << header("X") + "hi";
    QTest::newRow("short id") << QByteArray("PGRP/1 T 0011 7\nteam\nhi");
    QTest::newRow("id not hex") << QByteArray("PGRP/1 T " + QByteArray(32, 'z') + " 7\nteam\nhi");
    QTest::newRow("clock not a number") << QByteArray("PGRP/1 T " + Id.toHex() + " -1\nteam\nhi");
    QTest::newRow("no name line") << QByteArray("PGRP/1 T " + Id.toHex() + " 7\n");
    QTest::newRow("name too long") << QByteArray("PGRP/1 T " + Id.toHex() + " 7\n" + QByteArray(201, 'n') + "\nhi");
    QTest::newRow("name not UTF-8") << QByteArray("PGRP/1 T " + Id.toHex() + " 7\n\xff\xfe\nhi");
    QTest::newRow("text not UTF-8") << header("T") + "\xc3\x28";
    QTest::newRow("no member count") << header("R");
    QTest::newRow("member count over the bound") << header("R") + "513\n";
    QTest::newRow("fewer members than counted") << header("R") + "2\n1 0 - Alice\n";
    QTest::newRow("member line too short") << header("R") + "1\n1 0 -\n";
    QTest::newRow("left not 0 or 1") << header("R") + "1\n1 2 - Alice\n";
    QTest::newRow("endpoint not ADDRESS:PORT") << header("R") + "1\n1 0 host.example:2425 Alice\n";
    QTest::newRow("endpoint without port") << header("R") + "1\n1 0 127.0.0.1 Alice\n";
    QTest::newRow("member twice") << header("R") + "2\n1 0 127.0.0.1:2425 A\n2 0 127.0.0.1:2425 B\n";
    QTest::newRow("bytes after the list") << header("R") + "1\n1 0 - Alice\nmore";
    QTest::newRow("control character in a name") << header("R") + "1\n1 0 - Al\x1bice\n";
}

void TestGroupPayload::refuses()
{
    QFETCH(QByteArray, bytes);
    QString error;
    QVERIFY(!grouppayload::decode(bytes, &error));
    QVERIFY(!error.isEmpty());
}

void TestGroupPayload::namesStayOnOneLine()
{
    grouppayload::Payload p =
        roster({{QStringLiteral("127.0.0.2:2425"), QStringLiteral("Bob\n1 0 - Mallory"), 3, false}});
    p.name = QString(300, u'名') + u'\n';
    const auto back = grouppayload::decode(grouppayload::encode(p));
    QVERIFY(back);
    QCOMPARE(back->members.size(), 1);
    QCOMPARE(back->members[0].name, QStringLiteral("Bob 1 0 - Mallory"));
    QVERIFY(back->name.toUtf8().size() <= grouppayload::MaxNameBytes);
    QVERIFY(back->name.startsWith(u'名'));
}

void TestGroupPayload::mergeConverges_data()
{
    QTest::addColumn<quint32>("seed");
    for (quint32 seed : {1u, 2u, 3u, 4u, 5u})
        QTest::addRow("seed %u", seed) << seed;
}

// Three copies make changes of their own (adds, leaves) and pass rosters to each other in a random order, with
// repeats; once each has heard every other's last roster, all three are equal.
void TestGroupPayload::mergeConverges()
{
    QFETCH(quint32, seed);
    QRandomGenerator random(seed);
    Roster copies[3];
    for (Roster& r : copies)
        r.merge({{QStringLiteral("10.0.0.1:2425"), QStringLiteral("one"), 1, false}});
    for (int step = 0; step < 200; ++step) {
        Roster& r = copies[random.bounded(3)];
        const QString who = QStringLiteral("10.0.0.%1:2425").arg(random.bounded(2, 12));
        switch (random.bounded(3)) {
        case 0: r.add(who, QStringLiteral("member %1").arg(step)); break;
        case 1: r.leave(who); break;
        default: r.merge(copies[random.bounded(3)].entries()); break;
        }
    }
    for (int round = 0; round < 2; ++round)
        for (int from = 0; from < 3; ++from)
            for (int to = 0; to < 3; ++to)
                copies[to].merge(copies[from].entries());
    QCOMPARE(copies[1].entries(), copies[0].entries());
    QCOMPARE(copies[2].entries(), copies[0].entries());
    QVERIFY(!copies[0].isAheadOf(copies[1].entries()));
}

void TestGroupPayload::leftWinsAtEqualClocks()
{
    const QString bob = QStringLiteral("127.0.0.2:2425");
    Roster a;
    Roster b;
    a.merge({{bob, QStringLiteral("Bob"), 5, false}});
    b.merge({{bob, QStringLiteral("Bob"), 5, true}});
    a.merge(b.entries());
    b.merge(a.entries());
    QVERIFY(!a.isMember(bob));
    QCOMPARE(a.entries(), b.entries());
    // An older copy cannot bring a member back.
    QVERIFY(!a.merge({{bob, QStringLiteral("Bob"), 4, false}}));
    QVERIFY(!a.isMember(bob));
    // A newer add does.
    QVERIFY(a.add(bob, QStringLiteral("Bob")));
    QVERIFY(a.isMember(bob));
    QVERIFY(a.find(bob)->clock > 5);
}

void TestGroupPayload::boundedMembers()
{
    Roster r;
    for (int i = 0; i < Roster::MaxMembers; ++i)
        QVERIFY(r.add(QStringLiteral("10.0.%1.%2:2425").arg(i / 256).arg(i % 256), QStringLiteral("m")));
    QString error;
    QVERIFY(!r.add(QStringLiteral("10.1.0.0:2425"), QStringLiteral("one too many"), &error));
    QVERIFY(error.contains(QString::number(Roster::MaxMembers)));
    // A merged copy cannot grow it past the bound either.
    QVERIFY(!r.merge({{QStringLiteral("10.1.0.1:2425"), QStringLiteral("x"), 999, false}}));
    QCOMPARE(r.members().size(), Roster::MaxMembers);
    // Tombstones are bounded too: leaves and adds beyond MaxEntries forget the oldest.
    for (int i = 0; i < Roster::MaxEntries; ++i) {
        r.leave(r.members().first().endpoint);
        r.add(QStringLiteral("10.2.%1.%2:2425").arg(i / 256).arg(i % 256), QStringLiteral("n"));
    }
    QVERIFY(r.entries().size() <= Roster::MaxEntries);
    QCOMPARE(r.members().size(), Roster::MaxMembers);
    // What goes on the wire stays within the decoder's bound.
    grouppayload::Payload p;
    p.kind = grouppayload::Kind::Roster;
    p.id = Id;
    p.members = r.entries();
    QVERIFY(grouppayload::decode(grouppayload::encode(p)));
}

QTEST_GUILESS_MAIN(TestGroupPayload)
#include "tst_grouppayload.moc"
