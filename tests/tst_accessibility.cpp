// Keyboard and screen readers (issue 14): every control Tab reaches in the main window has an accessible name, and
// the window renders at device pixel ratio 2 (QT_SCALE_FACTOR=2) with twice the pixels of ratio 1.

#include "demoprofile.h"
#include "mainwindow.h"

#include <QAccessible>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

class TestAccessibility final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void focusChainHasNames();
    void crispAtScale2();
};

void TestAccessibility::focusChainHasNames()
{
    QTemporaryDir dir;
    QVERIFY(demo::writeProfile(dir.path(), 0));
    Session me;
    QVERIFY2(me.open({dir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Me"), false}), qPrintable(me.error()));
    MainWindow window(me);
    window.show();
    window.openConversation(QStringLiteral("Alice"));
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QStringList unnamed;
    int reached = 0;
    QWidget* w = &window;
    do {
        w = w->nextInFocusChain();
        if (!w->isVisible() || !w->isEnabled() || !(w->focusPolicy() & Qt::TabFocus) || !window.isAncestorOf(w))
            continue;
        ++reached;
        QAccessibleInterface* a = QAccessible::queryAccessibleInterface(w);
        if (!a || a->text(QAccessible::Name).trimmed().isEmpty())
            unnamed << QString::fromLatin1(w->metaObject()->className()) + u' ' + w->objectName();
    } while (w != &window);
    // The search box, the list, the thread, the compose box at least.
    QVERIFY2(reached >= 4, qPrintable(QString::number(reached)));
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(u", ")));
}

void TestAccessibility::crispAtScale2()
{
    QTemporaryDir dir;
    QVERIFY(demo::writeProfile(dir.path(), 0));
    QSize sizes[2];
    for (int scale : {1, 2}) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QT_SCALE_FACTOR"), QString::number(scale));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), dir.path());
        QUdpSocket probe; // a free port, given back before pigeon binds it
        QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
        const QString port = QString::number(probe.localPort());
        probe.close();
        QProcess pigeon;
        pigeon.setProcessEnvironment(env);
        const QString file = dir.filePath(QStringLiteral("scale%1.png").arg(scale));
        pigeon.start(QStringLiteral(PIGEON_BINARY),
                     {QStringLiteral("--profile"), dir.path(), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                      QStringLiteral("--port"), port, QStringLiteral("--screenshot"), file});
        QVERIFY(pigeon.waitForFinished(30'000));
        QVERIFY2(pigeon.exitCode() == 0, pigeon.readAllStandardError().constData());
        const QImage image(file);
        QVERIFY(!image.isNull());
        sizes[scale - 1] = image.size();
    }
    // Every logical pixel is drawn with 2 x 2 device pixels, not scaled up afterwards.
    QCOMPARE(sizes[1], sizes[0] * 2);
    if (const QString keep = qEnvironmentVariable("PIGEON_SCREENSHOT_HIDPI"); !keep.isEmpty())
        QFile::copy(dir.filePath(QStringLiteral("scale2.png")), keep);
}

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
