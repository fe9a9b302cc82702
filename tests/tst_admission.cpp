#include "admission.h"

#include <QTest>

namespace {

Endpoint at(int host, quint16 port = 2425)
{
    return Endpoint{QHostAddress(QStringLiteral("10.0.%1.%2").arg(host / 250).arg(host % 250 + 1)), port};
}

} // namespace

// Admission on a fake clock: rate limits, --contacts-only and the strangers-per-hour cap.
class TestAdmission final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void contactsAreAlwaysAdmitted();
    void contactsOnlyRefusesStrangers();
    void strangerOverItsRateIsLimited();
    void awaitedStrangerIsNeverLimited();
    void strangersPerHour();

private:
    qint64 m_now = 0;
    std::unique_ptr<Admission> m_admission;
};

void TestAdmission::init()
{
    m_now = 1000;
    m_admission = std::make_unique<Admission>([this] { return m_now; });
    Admission::Limits limits;
    limits.strangers.rate = 10;
    limits.strangers.burst = 5;
    limits.newStrangersPerHour = 3;
    m_admission->setLimits(limits);
}

void TestAdmission::contactsAreAlwaysAdmitted()
{
    m_admission->setContactsOnly(true);
    for (int i = 0; i < 10; ++i)
        QVERIFY(m_admission->admit(at(i), true));
    QCOMPARE(m_admission->strangers(), 0);
    QCOMPARE(m_admission->rateSources(), 0);
}

void TestAdmission::contactsOnlyRefusesStrangers()
{
    QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::Pass);
    m_admission->setContactsOnly(true);
    QVERIFY(m_admission->isContactsOnly());
    QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::Refused);
    QCOMPARE(m_admission->screen(at(1), true), Admission::Verdict::Refused);
}

void TestAdmission::strangerOverItsRateIsLimited()
{
    // A burst of 5, then nothing until tokens refill at 10/s: one every 100 ms.
    for (int i = 0; i < 5; ++i)
        QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::Pass);
    QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::RateLimited);
    QCOMPARE(m_admission->screen(at(2), false), Admission::Verdict::Pass); // another address has its own
    m_now += 100;
    QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::Pass);
    QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::RateLimited);
}

void TestAdmission::awaitedStrangerIsNeverLimited()
{
    for (int i = 0; i < 5; ++i)
        m_admission->screen(at(1), false);
    QCOMPARE(m_admission->screen(at(1), false), Admission::Verdict::RateLimited);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(m_admission->screen(at(1), true), Admission::Verdict::Pass);
}

void TestAdmission::strangersPerHour()
{
    QVERIFY(m_admission->admit(at(1), false));
    QVERIFY(m_admission->admit(at(2), false));
    QVERIFY(m_admission->admit(at(3, 2426), false));
    QVERIFY(!m_admission->admit(at(4), false));
    QVERIFY(!m_admission->admit(at(3, 2427), false)); // another port is another stranger
    QVERIFY(m_admission->admit(at(2), false));        // one already admitted stays admitted
    QCOMPARE(m_admission->strangers(), 3);
    m_now += Admission::StrangerWindowMs;
    QVERIFY(!m_admission->admit(at(4), false)); // not yet more than an hour
    m_now += 1;
    QVERIFY(m_admission->admit(at(4), false));
    QCOMPARE(m_admission->strangers(), 1);
}

QTEST_GUILESS_MAIN(TestAdmission)
#include "tst_admission.moc"
