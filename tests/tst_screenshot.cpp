// Renders a populated window, as the README shows it: a demo profile with a group thread, a live second Pigeon on
// 127.0.0.1 for Alice, who is added to the group and gets one message for real. Set PIGEON_SCREENSHOT=FILE to keep the
// picture (README: resources/).

#include "bubbledelegate.h"
#include "composeedit.h"
#include "demoprofile.h"
#include "mainwindow.h"
#include "threadview.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QUdpSocket>
#include <QXmlStreamReader>

class TestScreenshot final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void populatedWindow_data();
    void populatedWindow();
    void translationIsComplete();
    void commandLine_data();
    void commandLine();
};

namespace {

// True when the picture is painted in the theme asked for: with the light palette most of it (over half of the sampled
// pixels) is light and some of it (text) dark, with the dark palette the other way round; and it has more than 50
// distinct colours, so no blank or flat fill passes. Light and dark are HSL lightness above 200 and below 80 (of 255).
// A thread painted white under the dark palette fails it (checked by breaking colors::threadBackground).
bool looksPainted(const QImage& image, bool darkTheme)
{
    QSet<QRgb> seen;
    int light = 0;
    int dark = 0;
    int samples = 0;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7) {
            const QColor c = image.pixelColor(x, y);
            seen.insert(c.rgb());
            ++samples;
            light += c.lightness() > 200;
            dark += c.lightness() < 80;
        }
    const int mostly = darkTheme ? dark : light;
    const int some = darkTheme ? light : dark;
    if (mostly <= samples / 2 || some == 0 || seen.size() <= 50) {
        qWarning("light %d, dark %d of %d samples; %lld colours", light, dark, samples, qint64(seen.size()));
        return false;
    }
    return true;
}

// True when the thread (`area` of the picture) has bubbles in two colours, mine and the contact's: two hue groups
// (30 degrees wide) each cover at least 2 % of the area's samples. Colour is HSL saturation above 60 at a lightness
// between 30 and 240 (of 255). Grey bubbles fail it, even though the selection in the list stays blue (checked by
// breaking colors::forPeer and colors::myBubble).
bool bubblesInTwoColours(const QImage& image, const QRect& area)
{
    QMap<int, int> hues; // hue group -> samples
    int samples = 0;
    for (int y = area.top(); y <= area.bottom(); y += 3)
        for (int x = area.left(); x <= area.right(); x += 3) {
            const QColor c = image.pixelColor(x, y);
            ++samples;
            if (c.hslSaturation() > 60 && c.lightness() > 30 && c.lightness() < 240)
                ++hues[c.hslHue() / 30];
        }
    const auto large = std::count_if(hues.cbegin(), hues.cend(), [samples](int n) { return n * 50 >= samples; });
    if (large < 2) {
        QStringList groups;
        for (auto it = hues.cbegin(); it != hues.cend(); ++it)
            groups << QStringLiteral("%1-%2 deg: %3").arg(it.key() * 30).arg(it.key() * 30 + 30).arg(it.value());
        qWarning("%d samples; colour by hue: %s", samples, qPrintable(groups.join(QStringLiteral(", "))));
        return false;
    }
    return true;
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x30));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Base, QColor(0x1f, 0x20, 0x22));
    p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2d, 0x30));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8a, 0x8a));
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3a));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x7b, 0xd8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6f, 0xb3, 0xff));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    return p;
}

quint16 freePort()
{
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

} // namespace

void TestScreenshot::populatedWindow_data()
{
    QTest::addColumn<bool>("dark");
    QTest::addColumn<QString>("variable");
    QTest::newRow("light") << false << QStringLiteral("PIGEON_SCREENSHOT");
    QTest::newRow("dark") << true << QStringLiteral("PIGEON_SCREENSHOT_DARK");
}

void TestScreenshot::populatedWindow()
{
    QFETCH(bool, dark);
    QFETCH(QString, variable);
    const QPalette original = QApplication::palette();
    QApplication::setPalette(dark ? darkPalette() : original);
    const auto restore = qScopeGuard([&original] { QApplication::setPalette(original); });
    QTemporaryDir aliceDir;
    QTemporaryDir myDir;
    QVERIFY(aliceDir.isValid() && myDir.isValid());
    Session alice;
    QVERIFY2(alice.open({aliceDir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Alice"), false}),
             qPrintable(alice.error()));
    QVERIFY(demo::writeProfile(myDir.path(), alice.transport().localEndpoint().port));

    Session me;
    QVERIFY2(me.open({myDir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Me"), false}), qPrintable(me.error()));
    MainWindow window(me);
    window.resize(1040, 700);
    window.show();
    QTRY_COMPARE(me.messenger()->presence(QStringLiteral("Alice")), Presence::Online);
    // The README shows a group thread: Alice is added to the demo group for real, then hears from it.
    QString error;
    QVERIFY2(me.messenger()->addToGroup(demo::DemoGroup, QStringLiteral("Alice"), &error), qPrintable(error));
    QTRY_VERIFY(alice.messenger()->groups().find(demo::DemoGroup));
    window.openConversation(demo::DemoGroup);

    QTest::keyClicks(window.composer(), QStringLiteral("Alice joins us too. See you at three!"));
    QTest::keyClick(window.composer(), Qt::Key_Return);
    const qint64 id =
        window.thread().index(window.thread().rowCount() - 1).data(ConversationModel::IdRole).toLongLong();
    // Delivered to Alice; 王小明 and Chen Jing have no Pigeon behind them here.
    const auto reachedAlice = [&] {
        const QList<Messenger::MemberDelivery> members = me.messenger()->groupDelivery(id);
        return std::any_of(members.cbegin(), members.cend(), [](const Messenger::MemberDelivery& d) {
            return d.name == QStringLiteral("Alice") && d.state == MessageState::Delivered;
        });
    };
    QTRY_VERIFY(reachedAlice());
    QTRY_VERIFY(window.thread()
                    .index(window.thread().rowCount() - 1)
                    .data(ConversationModel::GroupDeliveryRole)
                    .toString()
                    .contains(u'3'));

    const QString path =
        qEnvironmentVariable(variable.toLatin1().constData(), myDir.filePath(QStringLiteral("window.png")));
    QVERIFY(window.saveScreenshot(path));
    const QImage image(path);
    QCOMPARE(image.size(), window.size() * window.devicePixelRatio());
    QVERIFY(looksPainted(image, dark));
    const QWidget* thread = window.threadView()->viewport();
    const QRect area(thread->mapTo(&window, QPoint(0, 0)) * window.devicePixelRatio(),
                     thread->size() * window.devicePixelRatio());
    QVERIFY(bubblesInTwoColours(image, area));
}

void TestScreenshot::translationIsComplete()
{
    QFile ts(QStringLiteral(PIGEON_ZH_CN_TS));
    QVERIFY(ts.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&ts);
    int messages = 0;
    QStringList untranslated;
    QString source;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == u"source") {
            source = xml.readElementText();
        } else if (xml.name() == u"translation") {
            ++messages;
            const bool unfinished = xml.attributes().value(QStringLiteral("type")) == u"unfinished";
            if (unfinished || xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed().isEmpty())
                untranslated << source;
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(messages > 100);
    QVERIFY2(untranslated.isEmpty(), qPrintable(untranslated.join(u'\n')));

    // The compiled catalogue is in the program's resources and the language switch finds it.
    QTranslator translator;
    QVERIFY(translator.load(QLocale(QStringLiteral("zh_CN")), QStringLiteral("pigeon"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QCOMPARE(translator.translate("MainWindow", "&Send"), QStringLiteral("发送(&S)"));
    QCOMPARE(translator.translate("MainWindow", "%n contact(s) online", nullptr, 3), QStringLiteral("%n 位联系人在线"));
    // The console's and the command line's (app/) too.
    QCOMPARE(translator.translate("Console", "  (delivered to %1)"), QStringLiteral("  （已送达 %1）"));
    QCOMPARE(translator.translate("CommandLine", "Try pigeon --help."),
             QStringLiteral("运行 pigeon --help 查看用法。"));
}

void TestScreenshot::commandLine_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("description");
    QTest::newRow("English") << QStringLiteral("en") << QStringLiteral("Pigeon Contacts View Help Send");
    QTest::newRow("Simplified Chinese") << QStringLiteral("zh_CN")
                                        << QStringLiteral("信鸽(P) 联系人(C) 查看(V) 帮助(H) 发送(S)");
}

// What `pigeon --lang L --screenshot FILE` does in each language: it starts, paints a full window in the light theme
// and exits 0, and the picture's description (MainWindow::saveScreenshot) names the menus and the Send button it
// shows in that language.
void TestScreenshot::commandLine()
{
    QFETCH(QString, language);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(demo::writeProfile(dir.path(), 0));
    const QString envName = u"PIGEON_SCREENSHOT_" + language;
    const QString path = qEnvironmentVariable(envName.toLatin1().constData(), dir.filePath(QStringLiteral("cli.png")));
    // The port was free a moment ago; should another process take it first, Pigeon exits with code 2 (cannot
    // listen) and this tries another.
    QProcess pigeon;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    pigeon.setProcessEnvironment(env);
    for (int attempt = 0; attempt < 5; ++attempt) {
        pigeon.start(QStringLiteral(PIGEON_BINARY),
                     {QStringLiteral("--profile"), dir.path(), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                      QStringLiteral("--port"), QString::number(freePort()), QStringLiteral("--lang"), language,
                      QStringLiteral("--screenshot"), path});
        QVERIFY(pigeon.waitForFinished(30'000));
        if (pigeon.exitStatus() != QProcess::NormalExit || pigeon.exitCode() != 2)
            break;
    }
    QFETCH(QString, description);
    QCOMPARE(pigeon.exitStatus(), QProcess::NormalExit);
    QVERIFY2(pigeon.exitCode() == 0, pigeon.readAllStandardError().constData());
    const QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.text(QStringLiteral("Description")), description);
    QVERIFY(looksPainted(image, false));
}

QTEST_MAIN(TestScreenshot)
#include "tst_screenshot.moc"
