#include "upgradeprogress.h"

#include "history.h"

#include <QApplication>
#include <QFile>
#include <QProgressDialog>
#include <QTemporaryDir>
#include <QTest>

// The progress dialog of a history upgrade at start-up, offscreen, on the profile the first release wrote
// (tests/data/README.md): it is on screen while the upgrade runs, goes to 100 % and away, and an open that
// upgrades nothing shows nothing.
class TestUpgradeProgress final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void upgradeShowsProgress();
    void noUpgradeShowsNothing();

private:
    static bool progressDialogVisible();
};

bool TestUpgradeProgress::progressDialogVisible()
{
    const QWidgetList widgets = QApplication::topLevelWidgets();
    return std::any_of(widgets.cbegin(), widgets.cend(),
                       [](QWidget* w) { return qobject_cast<QProgressDialog*>(w) && w->isVisible(); });
}

void TestUpgradeProgress::upgradeShowsProgress()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    QVERIFY(QFile::copy(QStringLiteral(PIGEON_TEST_DATA "/firstrelease-history.sqlite"), path));
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner));
    History history;
    {
        const UpgradeProgress progress(history);
        QVERIFY2(history.open(path), qPrintable(history.error()));
        QVERIFY(progress.wasShown());
        const QList<int> shown = progress.shown();
        QVERIFY2(shown.size() >= 2, qPrintable(QString::number(shown.size())));
        QVERIFY(std::is_sorted(shown.cbegin(), shown.cend()));
        QVERIFY(shown.first() < 100);
        QCOMPARE(shown.last(), 100);
        QVERIFY(!progressDialogVisible()); // closed at 100 %
    }
    // Every conversation of the first release is there after it.
    QCOMPARE(history.conversations().size(), 3);
    QCOMPARE(history.conversationSize(QStringLiteral("Alice")) + history.conversationSize(QStringLiteral("王小明")) +
                 history.conversationSize(QStringLiteral("127.0.0.9:40001")),
             14);
}

void TestUpgradeProgress::noUpgradeShowsNothing()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    for (int open = 0; open < 2; ++open) { // a new file, then the same file again
        History history;
        const UpgradeProgress progress(history);
        QVERIFY2(history.open(path), qPrintable(history.error()));
        QVERIFY(!progress.wasShown());
        QVERIFY(!progressDialogVisible());
    }
}

QTEST_MAIN(TestUpgradeProgress)
#include "tst_upgradeprogress.moc"
