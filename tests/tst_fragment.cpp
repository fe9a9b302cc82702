#include "fragment.h"

#include <QRandomGenerator>
#include <QTest>

class TestFragment final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void decodeInvalid_data();
    void decodeInvalid();
    void reassembleShuffled();
    void duplicatesAndMismatch();
    void limits();
    void timeout();
};

void TestFragment::roundTrip_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("empty") << 0;
    QTest::newRow("one byte") << 1;
    QTest::newRow("exactly one part") << int(fragment::PartBytes);
    QTest::newRow("one part and a byte") << int(fragment::PartBytes) + 1;
    QTest::newRow("1 MiB") << int(fragment::MaxMessageBytes);
}

void TestFragment::roundTrip()
{
    QFETCH(int, size);
    QByteArray text(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        text[i] = char('a' + i % 26);
    const QList<QByteArray> parts = fragment::split(text);
    QVERIFY(parts.size() <= fragment::MaxParts);
    Reassembler r;
    const Endpoint from{QHostAddress::LocalHost, 2425};
    Reassembler::Result result;
    for (int i = 0; i < parts.size(); ++i) {
        QVERIFY(parts[i].size() <= fragment::PartBytes);
        const QByteArray wire = fragment::encode({77, i, int(parts.size()), parts[i]});
        const auto part = fragment::decode(wire);
        QVERIFY(part);
        result = r.add(from, *part, 0);
        QCOMPARE(result.outcome, i + 1 == parts.size() ? Reassembler::Outcome::Complete : Reassembler::Outcome::Stored);
    }
    QCOMPARE(result.text, text);
    QCOMPARE(r.pending(), 0);
    QCOMPARE(r.heldBytes(), 0);
}

void TestFragment::decodeInvalid_data()
{
    QTest::addColumn<QByteArray>("extension");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("no header") << QByteArray("hello");
    QTest::newRow("two fields") << QByteArray("1:2:data");
    QTest::newRow("non-numeric") << QByteArray("1:x:3:data");
    QTest::newRow("index not below count") << QByteArray("1:3:3:data");
    QTest::newRow("zero count") << QByteArray("1:0:0:data");
    QTest::newRow("count over the limit") << QByteArray("1:0:100000:data");
    QTest::newRow("part too long") << QByteArray("1:0:2:") + QByteArray(fragment::PartBytes + 1, 'x');
}

void TestFragment::decodeInvalid()
{
    QFETCH(QByteArray, extension);
    QString error;
    QVERIFY(!fragment::decode(extension, &error));
    QVERIFY(!error.isEmpty());
}

void TestFragment::reassembleShuffled()
{
    const QByteArray text = QByteArray(10 * fragment::PartBytes + 17, 'z') + "end";
    const QList<QByteArray> parts = fragment::split(text);
    QList<int> order(parts.size());
    std::iota(order.begin(), order.end(), 0);
    QRandomGenerator random(42);
    std::shuffle(order.begin(), order.end(), random);
    Reassembler r;
    const Endpoint from{QHostAddress::LocalHost, 1};
    QByteArray whole;
    for (int i : order) {
        const auto result = r.add(from, {5, i, int(parts.size()), parts[i]}, 10);
        if (result.outcome == Reassembler::Outcome::Complete)
            whole = result.text;
    }
    QCOMPARE(whole, text);
}

void TestFragment::duplicatesAndMismatch()
{
    Reassembler r;
    const Endpoint a{QHostAddress::LocalHost, 1};
    const Endpoint b{QHostAddress::LocalHost, 2};
    QCOMPARE(r.add(a, {9, 0, 3, "x"}, 0).outcome, Reassembler::Outcome::Stored);
    QCOMPARE(r.add(a, {9, 0, 3, "x"}, 0).outcome, Reassembler::Outcome::Duplicate);
    QCOMPARE(r.add(a, {9, 1, 4, "y"}, 0).outcome, Reassembler::Outcome::Refused);
    // The same message number from another sender is another message.
    QCOMPARE(r.add(b, {9, 1, 3, "y"}, 0).outcome, Reassembler::Outcome::Stored);
    QCOMPARE(r.pending(), 2);
}

void TestFragment::limits()
{
    Reassembler::Limits limits;
    limits.maxPending = 3;
    limits.maxPendingPerSource = 2;
    limits.maxBytes = 10;
    Reassembler r(limits);
    const Endpoint a{QHostAddress::LocalHost, 1};
    const Endpoint b{QHostAddress::LocalHost, 2};
    QCOMPARE(r.add(a, {1, 0, 2, "1234"}, 0).outcome, Reassembler::Outcome::Stored);
    QCOMPARE(r.add(a, {2, 0, 2, "1234"}, 0).outcome, Reassembler::Outcome::Stored);
    const auto perSource = r.add(a, {3, 0, 2, "1"}, 0);
    QCOMPARE(perSource.outcome, Reassembler::Outcome::Refused);
    QVERIFY(!perSource.error.isEmpty());
    const auto tooMuch = r.add(b, {4, 0, 2, "12345"}, 0);
    QCOMPARE(tooMuch.outcome, Reassembler::Outcome::Refused);
    QVERIFY(r.heldBytes() <= limits.maxBytes);
    QCOMPARE(r.add(b, {5, 0, 2, "12"}, 0).outcome, Reassembler::Outcome::Stored);
    QCOMPARE(r.add(b, {6, 0, 2, "1"}, 0).outcome, Reassembler::Outcome::Refused);
    QCOMPARE(r.pending(), 3);
}

void TestFragment::timeout()
{
    Reassembler::Limits limits;
    limits.timeoutMs = 1000;
    Reassembler r(limits);
    const Endpoint a{QHostAddress::LocalHost, 1};
    QCOMPARE(r.add(a, {1, 0, 2, "half"}, 0).outcome, Reassembler::Outcome::Stored);
    QCOMPARE(r.expire(500), 0);
    QCOMPARE(r.expire(1501), 1);
    QCOMPARE(r.pending(), 0);
    QCOMPARE(r.heldBytes(), 0);
    // The late second half starts a new, incomplete message: the first half is gone for good.
    QCOMPARE(r.add(a, {1, 1, 2, "rest"}, 1600).outcome, Reassembler::Outcome::Stored);
}

QTEST_APPLESS_MAIN(TestFragment)
#include "tst_fragment.moc"
