// Pigeon's GUI benchmarks, offscreen (QT_QPA_PLATFORM=offscreen). Each prints one line of key=value pairs.
//
//   pigeon_bench_gui thread N   a conversation of N messages: time until the first screen of it is painted after
//                               the contact is picked, then the peak RSS once it has been scrolled end to end, then
//                               the window resized in steps with the whole thread loaded: the worst and mean time
//                               per step until the rows are laid out again and painted (ms)
//   pigeon_bench_gui start      process start to the main window shown, empty profile (measured from outside);
//                               also the pigeon executable from start to exit with --screenshot
//   pigeon_bench_gui window DIR (internal) starts the GUI on DIR and says "shown" once the window is painted

#include "benchutil.h"

#include "contactbook.h"
#include "history.h"
#include "mainwindow.h"
#include "profile.h"
#include "session.h"

#include <QAbstractItemView>
#include <QAbstractScrollArea>
#include <QApplication>
#include <QFileInfo>
#include <QListView>
#include <QProcess>
#include <QScrollBar>
#include <QUdpSocket>
#include <QWindow>

namespace {

constexpr int DeadlineMs = 120'000;

Session::Options loopbackOptions(const QString& dir)
{
    Session::Options o;
    o.profileDir = dir;
    o.bind = QHostAddress(QStringLiteral("127.0.0.1"));
    o.port = 0;
    return o;
}

// Fills a profile with one contact and a conversation of n messages, both ways, as the engine stores them.
void makeThread(const QString& dir, qint64 n)
{
    Profile profile(dir);
    QString error;
    if (!profile.ensureExists(&error))
        bench::fail(error.toUtf8());
    ContactBook contacts;
    contacts.load(profile.contactsPath());
    if (const QString why = contacts.add({QStringLiteral("alice"), QStringLiteral("127.0.0.2"), 2425}); !why.isEmpty())
        bench::fail(why.toUtf8());
    History history;
    if (!history.open(profile.historyPath()))
        bench::fail(history.error().toUtf8());
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - n * 1000;
    for (qint64 i = 0; i < n; ++i) {
        Message m;
        m.peer = QStringLiteral("alice");
        m.direction = i % 3 == 0 ? Direction::Outgoing : Direction::Incoming;
        m.state = m.direction == Direction::Outgoing ? MessageState::Delivered : MessageState::Received;
        m.text = QStringLiteral("message %1: ").arg(i) +
                 QString(int(20 + (i * 7919) % 180), u'x').replace(QStringLiteral("xxxxxxx"), QStringLiteral("lorem "));
        m.time = QDateTime::fromMSecsSinceEpoch(start + i * 1000, Qt::UTC);
        m.remote = QStringLiteral("127.0.0.2:2425");
        m.packetNo = quint64(1732230000 + i);
        if (!history.append(m))
            bench::fail(history.error().toUtf8());
        if (i % 10000 == 9999)
            history.commit();
    }
    history.commit();
}

// The widget that shows the conversation: the largest scroll area that is not the contact list.
QAbstractScrollArea* threadView(QWidget* window, QAbstractItemView* contacts)
{
    QAbstractScrollArea* best = nullptr;
    for (QAbstractScrollArea* area : window->findChildren<QAbstractScrollArea*>()) {
        if (area == contacts || !area->isVisible())
            continue;
        if (!best || area->width() * area->height() > best->width() * best->height())
            best = area;
    }
    return best;
}

// Shows the window and returns once the platform has exposed it (10 s at most).
void showAndWait(MainWindow& window)
{
    window.show();
    QElapsedTimer wait;
    wait.start();
    while (!window.windowHandle() || !window.windowHandle()->isExposed()) {
        if (wait.elapsed() > 10'000)
            bench::fail("the window was never shown");
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    }
}

int runThread(qint64 n)
{
    QTemporaryDir dir(bench::scratchTemplate());
    makeThread(dir.path(), n);
    Session session;
    if (!session.open(loopbackOptions(dir.path())))
        bench::fail(session.error().toUtf8());
    MainWindow window(session);
    showAndWait(window);
    QApplication::processEvents();
    // The contact list: whichever view lists "alice" (the GUI may put a proxy model between it and ContactBook).
    QAbstractItemView* contacts = nullptr;
    QModelIndex alice;
    for (QAbstractItemView* itemView : window.findChildren<QAbstractItemView*>()) {
        QAbstractItemModel* model = itemView->model();
        const QModelIndexList hits =
            model && model->rowCount() > 0
                ? model->match(model->index(0, 0), Qt::DisplayRole, QStringLiteral("alice"), 1, Qt::MatchStartsWith)
                : QModelIndexList();
        if (!hits.isEmpty()) {
            contacts = itemView;
            alice = hits.first();
            break;
        }
    }
    if (!contacts)
        bench::fail("no view lists the contact");
    const bench::Memory before = bench::memory();

    // What a click on the contact does, then everything the window does before the thread is on the screen.
    QElapsedTimer clock;
    clock.start();
    contacts->setCurrentIndex(alice);
    Q_EMIT contacts->clicked(alice);
    QApplication::processEvents();
    QAbstractScrollArea* view = threadView(&window, contacts);
    if (!view)
        bench::fail("no view shows the conversation");
    view->viewport()->repaint();
    const double openMs = double(clock.nsecsElapsed()) / 1e6;

    // Scroll to the oldest message (a lazy view fetches more each time it reaches the top), then down to the newest
    // ten pages at a time, painting at every stop.
    QScrollBar* bar = view->verticalScrollBar();
    QElapsedTimer scrolling;
    scrolling.start();
    int steps = 0;
    for (int unchanged = 0; unchanged < 3 && clock.elapsed() < DeadlineMs; ++steps) {
        const int previousMax = bar->maximum();
        const int previousValue = bar->value();
        bar->setValue(bar->minimum());
        QApplication::processEvents();
        view->viewport()->repaint();
        unchanged = (bar->value() == previousValue && bar->maximum() == previousMax) ? unchanged + 1 : 0;
    }
    const bool reachedTop = clock.elapsed() < DeadlineMs;
    while (bar->value() < bar->maximum() && clock.elapsed() < DeadlineMs) {
        bar->setValue(bar->value() + 10 * std::max(1, bar->pageStep()));
        QApplication::processEvents();
        view->viewport()->repaint();
        ++steps;
    }
    const double scrollMs = double(scrolling.nsecsElapsed()) / 1e6;
    const bench::Memory after = bench::memory();

    // Resizing with everything loaded, as a user drags the window's edge: narrower and wider by turns, each step
    // timed until the rows are laid out at the new width and the screen is painted.
    auto* items = qobject_cast<QAbstractItemView*>(view);
    constexpr int ResizeSteps = 12;
    double worstResizeMs = 0;
    double totalResizeMs = 0;
    const QSize original = window.size();
    for (int i = 0; i < ResizeSteps; ++i) {
        QElapsedTimer step;
        step.start();
        window.resize(original.width() - 40 * (i % 4 + 1), original.height());
        QApplication::processEvents();
        if (items)
            items->doItemsLayout();
        view->viewport()->repaint();
        const double ms = double(step.nsecsElapsed()) / 1e6;
        worstResizeMs = std::max(worstResizeMs, ms);
        totalResizeMs += ms;
    }
    const int rows = items && items->model() ? items->model()->rowCount() : -1;
    bench::emitLine("figure=gui_thread n=" + QByteArray::number(n) + " view=" + view->metaObject()->className() +
                    " rows_loaded=" + QByteArray::number(rows) + " scroll_steps=" + QByteArray::number(steps) +
                    " scroll_ms=" + QByteArray::number(scrollMs, 'f', 0) +
                    " open_ms=" + QByteArray::number(openMs, 'f', 1) +
                    " rss_before_mb=" + QByteArray::number(double(before.rssKb) / 1024, 'f', 1) +
                    " peak_mb=" + QByteArray::number(double(after.peakKb) / 1024, 'f', 1) +
                    " reached_top=" + QByteArray(reachedTop ? "1" : "0") +
                    " resize_worst_ms=" + QByteArray::number(worstResizeMs, 'f', 1) +
                    " resize_mean_ms=" + QByteArray::number(totalResizeMs / ResizeSteps, 'f', 1));
    // The smoke run checks what was measured: the whole thread loaded, scrolled from its top to its bottom.
    if (!reachedTop)
        bench::fail("gui_thread: the top of the thread was not reached in time");
    if (rows != n)
        bench::fail("gui_thread: " + QByteArray::number(rows) + " rows loaded, not " + QByteArray::number(n));
    if (bar->value() != bar->maximum())
        bench::fail("gui_thread: the bottom of the thread was not reached in time");
    return 0;
}

// The child of runStart: what the pigeon executable does to start the GUI, then "shown" once it is painted.
int runWindow(const QString& dir)
{
    Session session;
    if (!session.open(loopbackOptions(dir)))
        bench::fail(session.error().toUtf8());
    MainWindow window(session);
    showAndWait(window);
    window.repaint();
    bench::emitLine("shown");
    return 0;
}

int runStart()
{
    QTemporaryDir dir(bench::scratchTemplate());
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer clock;
    clock.start();
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("window"), dir.path()});
    while (!child.canReadLine() && clock.elapsed() < 30'000)
        if (!child.waitForReadyRead(1000) && child.state() != QProcess::Running)
            break;
    const double shownMs = double(clock.nsecsElapsed()) / 1e6;
    const bool shown = child.readLine().trimmed() == "shown";
    if (!child.waitForFinished(10'000))
        child.kill();
    if (!shown)
        bench::fail("the GUI did not start");

    // The pigeon executable itself, from start to exit with --screenshot: the window laid out, painted, saved as a
    // PNG and closed. An upper bound of its cold start, through exactly what a user runs.
    QUdpSocket probe; // a free port for it, on loopback only
    probe.bind(QHostAddress(QStringLiteral("127.0.0.1")), 0);
    const quint16 port = probe.localPort();
    probe.close();
    QTemporaryDir profile(bench::scratchTemplate());
    QProcess pigeon;
    pigeon.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    clock.restart();
    pigeon.start(QStringLiteral(PIGEON_BINARY),
                 {QStringLiteral("--profile"), profile.path(), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                  QStringLiteral("--port"), QString::number(port), QStringLiteral("--screenshot"),
                  profile.filePath(QStringLiteral("shot.png"))});
    if (!pigeon.waitForFinished(30'000))
        pigeon.kill();
    const double binaryMs = double(clock.nsecsElapsed()) / 1e6;
    if (pigeon.exitStatus() != QProcess::NormalExit || pigeon.exitCode() != 0 ||
        !QFileInfo::exists(profile.filePath(QStringLiteral("shot.png"))))
        bench::fail("pigeon --screenshot failed");
    bench::emitLine("figure=gui_start shown_ms=" + QByteArray::number(shownMs, 'f', 1) +
                    " binary_screenshot_ms=" + QByteArray::number(binaryMs, 'f', 1));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const QString command = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (command == u"start") {
        QCoreApplication app(argc, argv); // the parent needs no GUI: only the child's start is timed
        return runStart();
    }
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (command == u"thread") {
        bool ok = false;
        const qint64 n = args.value(2).toLongLong(&ok);
        return ok && n > 0 ? runThread(n) : 2;
    }
    if (command == u"window")
        return runWindow(args.value(2));
    std::fprintf(stderr, "usage: pigeon_bench_gui thread N | start\n");
    return 2;
}
