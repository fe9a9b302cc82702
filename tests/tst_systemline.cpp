// System lines are stored untranslated and shown in the reader's language (systemline.h): the stored form read back
// in English and, with the zh_CN catalogue installed, in Chinese; arguments with JSON and %N in them; lines of earlier
// versions and unreadable ones shown as stored. The Chinese expected here is written out, not read from the catalogue.

#include "systemline.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTest>
#include <QTranslator>

class TestSystemLine final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rendered_data();
    void rendered();
    void storedAsIs_data();
    void storedAsIs();
};

void TestSystemLine::rendered_data()
{
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QList<QStringList>>("arguments");
    QTest::addColumn<QString>("english");
    QTest::addColumn<QString>("chinese");
    QTest::newRow("no argument") << QByteArray("Messenger") << QByteArray("You left the group.") << QList<QStringList>{}
                                 << u"You left the group."_qs << u"你已退出该群组。"_qs;
    QTest::newRow("a list of names") << QByteArray("Messenger") << QByteArray("You made the group %1 with %2.")
                                     << QList<QStringList>{{u"team"_qs}, {u"Bob"_qs, u"Carol"_qs}}
                                     << u"You made the group team with Bob and Carol."_qs
                                     << u"你创建了群组 team，成员有 Bob和Carol。"_qs;
    // A name may hold what the stored form quotes, and %N that is not filled in again.
    QTest::newRow("hostile name") << QByteArray("ConversationModel") << QByteArray("%1 came online.")
                                  << QList<QStringList>{{u"\"]}, %2 %1 \\ \x01tr"_qs}}
                                  << u"\"]}, %2 %1 \\ \x01tr came online."_qs << u"\"]}, %2 %1 \\ \x01tr 已上线。"_qs;
}

void TestSystemLine::rendered()
{
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, source);
    QFETCH(QList<QStringList>, arguments);
    QFETCH(QString, english);
    QFETCH(QString, chinese);
    const QString stored = systemline::make(context.constData(), source.constData(), arguments);
    QVERIFY(stored != english);
    QLocale::setDefault(QLocale(QLocale::English));
    QCOMPARE(systemline::render(stored), english);

    // The same stored line, read by a Pigeon in Chinese.
    QTranslator translator;
    QVERIFY(translator.load(QLocale(QStringLiteral("zh_CN")), QStringLiteral("pigeon"), QStringLiteral("_"),
                            QStringLiteral(PIGEON_QM_DIR)));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    QLocale::setDefault(QLocale(QStringLiteral("zh_CN")));
    const QString shown = systemline::render(stored);
    QCoreApplication::removeTranslator(&translator);
    QLocale::setDefault(QLocale(QLocale::English));
    QCOMPARE(shown, chinese);
}

void TestSystemLine::storedAsIs_data()
{
    QTest::addColumn<QString>("stored");
    QTest::newRow("an earlier version's English") << u"Bob left."_qs;
    QTest::newRow("an earlier version's Chinese") << u"Bob 退出了群组。"_qs;
    QTest::newRow("not JSON") << u"\x01tr[\"Messenger\", "_qs;
    QTest::newRow("not an array") << u"\x01tr{\"a\": 1}"_qs;
    QTest::newRow("too short") << u"\x01tr[\"Messenger\"]"_qs;
    QTest::newRow("not texts") << u"\x01tr[1, 2]"_qs;
}

void TestSystemLine::storedAsIs()
{
    QFETCH(QString, stored);
    QCOMPARE(systemline::render(stored), stored);
}

QTEST_GUILESS_MAIN(TestSystemLine)
#include "tst_systemline.moc"
