// Files in the desktop window (issue 10), offscreen: two real Sessions on 127.0.0.1 in one process, each with its
// window. A file dropped on the thread is offered, accepted with a click on the other window's bubble, arrives whole
// and stays in the thread after a restart; Decline and Cancel reach both sides; a pasted picture is offered and shown
// as a thumbnail, a decompression bomb is not decoded; the settings keep the file choices.

#include "composeedit.h"
#include "conversationmodel.h"
#include "fileactions.h"
#include "filebubble.h"
#include "mainwindow.h"
#include "picture.h"
#include "pictureviewer.h"
#include "session.h"
#include "settingsdialog.h"
#include "testfiles.h"
#include "threadview.h"
#include "windowsession.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDesktopServices>
#include <QDropEvent>
#include <QFileDialog>
#include <QImageReader>
#include <QLineEdit>
#include <QMimeData>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>
#include <QtEndian>

namespace {

// CRC-32 (ISO 3309, as PNG chunks carry it), bitwise.
quint32 crc32(const QByteArray& bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char c : bytes) {
        crc ^= quint8(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const QByteArray& type, const QByteArray& data)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian(quint32(data.size()), out.data());
    out += type + data;
    QByteArray crc(4, Qt::Uninitialized);
    qToBigEndian(crc32(type + data), crc.data());
    return out + crc;
}

// A PNG of a few dozen bytes whose header declares width x height RGBA pixels (a decompression bomb when large).
QByteArray declaredPng(quint32 width, quint32 height)
{
    QByteArray ihdr(13, '\0');
    qToBigEndian(width, ihdr.data());
    qToBigEndian(height, ihdr.data() + 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 6; // RGBA
    // One zlib stream of a few zero rows: far less than the header promises.
    const QByteArray idat = qCompress(QByteArray(64, '\0')).mid(4);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", idat) + pngChunk("IEND", {});
}

QImage testPicture(const QSize& size)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(QColor(0x33, 0x99, 0xcc));
    for (int x = 0; x < size.width(); ++x)
        image.setPixel(x, x * size.height() / size.width(), qRgb(255, 255, 0));
    return image;
}

// What the window asks the desktop to open, through QDesktopServices' handler for file: URLs (its own seam), so that
// nothing is opened or run while it is registered.
class DesktopOpens final : public QObject {
    Q_OBJECT
public:
    DesktopOpens() { QDesktopServices::setUrlHandler(QStringLiteral("file"), this, "open"); }
    ~DesktopOpens() override { QDesktopServices::unsetUrlHandler(QStringLiteral("file")); }
    QList<QUrl> urls;
public Q_SLOTS:
    void open(const QUrl& url) { urls.append(url); }
};

// A 64-bit little-endian ELF header of an executable (e_type 2, x86-64): what a received program starts with.
QByteArray elfProgram()
{
    QByteArray header(64, '\0');
    header.replace(0, 7,
                   QByteArray("\x7f"
                              "ELF\x02\x01\x01",
                              7));
    header[16] = 2;    // ET_EXEC
    header[18] = 0x3e; // EM_X86_64
    header[20] = 1;    // EV_CURRENT
    return header + QByteArray(4000, '\x90');
}

} // namespace

class TestFileWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void droppedFileIsAcceptedAndArrivesWhole();
    void endsReachBothSides_data();
    void endsReachBothSides();
    void cancelWhileMovingReachesBothSides();
    void pastedPictureShowsAsThumbnail();
    void copiedFilesArePastedAsOffers();
    void decompressionBombShowsAnIcon();
    void picturesAreReadWithinLimits_data();
    void picturesAreReadWithinLimits();
    void settingsKeepFileChoices();
    void preparingBubbleShowsHashingAndCancels();
    void saveAsUsesTheChosenFolder_data();
    void saveAsUsesTheChosenFolder();
    void openAndShowInFolder_data();
    void openAndShowInFolder();

private:
    void openMine();
    // The newest file bubble of a window's thread (a row of the view's model), or an invalid index.
    static QModelIndex newestBubble(MainWindow& window);
    static Transfers::Info infoOf(const QModelIndex& bubble);
    // Clicks a file bubble's action in `window`, hit-testing through the delegate.
    static void click(MainWindow& window, FileBubble::Action action);
    void drop(const QStringList& paths);
    // Answers the next modal file dialog with `answer` once it is open (a static QFileDialog runs its own loop).
    void answerFileDialog(const std::function<void(QFileDialog*)>& answer);
    // Offers a file of `bytes` named `name` from mine, which Bob accepts into his download folder; its saved path.
    QString receivedByBob(const QString& name, const QByteArray& bytes);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Session> m_bob;
    std::unique_ptr<Session> m_me;
    std::unique_ptr<MainWindow> m_bobWindow;
    std::unique_ptr<MainWindow> m_window;
    quint16 m_myPort = 0; // kept across restarts, as the profile's port would be
};

void TestFileWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    Session::Options bob{m_dir->filePath(QStringLiteral("bob")), QHostAddress::LocalHost, 0, QStringLiteral("Bob")};
    bob.downloads = m_dir->filePath(QStringLiteral("bob-downloads"));
    m_bob = std::make_unique<Session>();
    QVERIFY2(m_bob->open(bob), qPrintable(m_bob->error()));
    openMine();
    QVERIFY(m_bob->contacts()
                .add({QStringLiteral("Me"), QStringLiteral("127.0.0.1"), m_me->transport().localEndpoint().port})
                .isEmpty());
    QVERIFY(m_me->contacts()
                .add({QStringLiteral("Bob"), QStringLiteral("127.0.0.1"), m_bob->transport().localEndpoint().port})
                .isEmpty());
    m_bobWindow = std::make_unique<MainWindow>(*m_bob);
    m_bobWindow->show();
    QTRY_VERIFY(m_me->messenger()->route(QStringLiteral("Bob")).isPigeon);
    QTRY_VERIFY(m_bob->messenger()->route(QStringLiteral("Me")).isPigeon);
    m_window->openConversation(QStringLiteral("Bob"));
    m_bobWindow->openConversation(QStringLiteral("Me"));
}

void TestFileWindow::openMine()
{
    const Session::Options me{m_dir->filePath(QStringLiteral("me")), QHostAddress::LocalHost, m_myPort,
                              QStringLiteral("Me")};
    QCOMPARE(reopenWithWindow(m_me, m_window, me), QString());
    m_myPort = m_me->transport().localEndpoint().port;
}

void TestFileWindow::cleanup()
{
    m_window.reset();
    m_bobWindow.reset();
    m_me.reset();
    m_bob.reset();
    m_dir.reset();
}

QModelIndex TestFileWindow::newestBubble(MainWindow& window)
{
    const QAbstractItemModel* model = window.threadView()->model();
    for (int row = model->rowCount() - 1; row >= 0; --row)
        if (model->index(row, 0).data(ConversationModel::TransferRole).isValid())
            return model->index(row, 0);
    return {};
}

Transfers::Info TestFileWindow::infoOf(const QModelIndex& bubble)
{
    return bubble.data(ConversationModel::TransferRole).value<Transfers::Info>();
}

void TestFileWindow::click(MainWindow& window, FileBubble::Action action)
{
    ThreadView* view = window.threadView();
    QTRY_VERIFY(newestBubble(window).isValid());
    // On screen: laid out, scrolled to, and the action there.
    QTRY_VERIFY(view->viewport()->rect().contains(view->fileActionRect(newestBubble(window), action)));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->fileActionRect(newestBubble(window), action).center());
}

void TestFileWindow::drop(const QStringList& paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& path : paths)
        urls.append(QUrl::fromLocalFile(path));
    mime.setUrls(urls);
    QWidget* viewport = m_window->threadView()->viewport();
    const QPoint at = viewport->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QApplication::sendEvent(viewport, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent dropped(at, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QApplication::sendEvent(viewport, &dropped);
    QVERIFY(dropped.isAccepted());
}

void TestFileWindow::droppedFileIsAcceptedAndArrivesWhole()
{
    const QByteArray bytes = randomBytes(700'000, 10);
    const QString path = m_dir->filePath(QStringLiteral("report.bin"));
    QVERIFY(writeFile(path, bytes));
    QVERIFY(m_me->messenger()->send(QStringLiteral("Bob"), QStringLiteral("here it comes")));
    QTRY_COMPARE(m_window->thread().rowCount(), 1);
    QTRY_COMPARE(m_bobWindow->thread().rowCount(), 1);
    drop({path});

    // Mine says it waits for Bob; Bob's offers Accept, Save as… and Decline.
    QTRY_VERIFY(newestBubble(*m_window).isValid());
    QCOMPARE(infoOf(newestBubble(*m_window)).name, QStringLiteral("report.bin"));
    // It is prepared (hashed) first, then offered.
    QCOMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Preparing);
    QTRY_COMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Offered);
    QTRY_VERIFY(newestBubble(*m_bobWindow).isValid());
    const Transfers::Info offered = infoOf(newestBubble(*m_bobWindow));
    QCOMPARE(offered.name, QStringLiteral("report.bin"));
    QCOMPARE(offered.totalBytes, quint64(bytes.size()));
    QCOMPARE(FileBubble::actionsFor(offered),
             (QList<FileBubble::Action>{FileBubble::Action::Accept, FileBubble::Action::SaveAs,
                                        FileBubble::Action::Decline}));
    QVERIFY(
        !m_bobWindow->threadView()->fileActionRect(newestBubble(*m_bobWindow), FileBubble::Action::Accept).isEmpty());

    QSignalSpy progress(m_bob->transfers(), &Transfers::changed);
    click(*m_bobWindow, FileBubble::Action::Accept);
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Done);
    QTRY_COMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Done);
    QVERIFY(!progress.isEmpty());
    const Transfers::Info done = infoOf(newestBubble(*m_bobWindow));
    QCOMPARE(done.doneBytes, quint64(bytes.size()));
    QCOMPARE(QFileInfo(done.saved).dir().absolutePath(),
             QDir(m_dir->filePath(QStringLiteral("bob-downloads"))).absolutePath());
    QCOMPARE(QCryptographicHash::hash(readFile(done.saved), QCryptographicHash::Sha256),
             QCryptographicHash::hash(bytes, QCryptographicHash::Sha256));
    // Done: Open and Show in folder.
    QTRY_VERIFY(
        !m_bobWindow->threadView()->fileActionRect(newestBubble(*m_bobWindow), FileBubble::Action::Open).isEmpty());
    QVERIFY(!m_bobWindow->threadView()
                 ->fileActionRect(newestBubble(*m_bobWindow), FileBubble::Action::ShowInFolder)
                 .isEmpty());

    // The bubble is still there after a restart, from the history database.
    openMine();
    m_window->openConversation(QStringLiteral("Bob"));
    QVERIFY(newestBubble(*m_window).isValid());
    QCOMPARE(infoOf(newestBubble(*m_window)).name, QStringLiteral("report.bin"));
    QCOMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Done);
    QCOMPARE(infoOf(newestBubble(*m_window)).doneBytes, quint64(bytes.size()));
    // Among the messages by when it was offered.
    QVERIFY(m_me->messenger()->send(QStringLiteral("Bob"), QStringLiteral("got it?")));
    QTRY_COMPARE(m_window->thread().rowCount(), 3);
    QCOMPARE(m_window->thread().index(0).data(ConversationModel::TextRole).toString(), QStringLiteral("here it comes"));
    QCOMPARE(newestBubble(*m_window).row(), 1);
    QCOMPARE(m_window->thread().index(2).data(ConversationModel::TextRole).toString(), QStringLiteral("got it?"));
}

void TestFileWindow::endsReachBothSides_data()
{
    QTest::addColumn<bool>("byReceiver");
    QTest::addColumn<int>("action");
    QTest::addColumn<TransferState>("expected");
    QTest::newRow("receiver declines") << true << int(FileBubble::Action::Decline) << TransferState::Declined;
    QTest::newRow("sender cancels the offer") << false << int(FileBubble::Action::Cancel) << TransferState::Cancelled;
}

void TestFileWindow::endsReachBothSides()
{
    QFETCH(bool, byReceiver);
    QFETCH(int, action);
    QFETCH(TransferState, expected);
    const QString path = m_dir->filePath(QStringLiteral("notes.txt"));
    QVERIFY(writeFile(path, "not for you\n"));
    drop({path});
    QTRY_VERIFY(newestBubble(*m_bobWindow).isValid());
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Offered);
    click(byReceiver ? *m_bobWindow : *m_window, FileBubble::Action(action));
    QTRY_COMPARE(infoOf(newestBubble(*m_window)).state, expected);
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, expected);
    // Nothing is left to click but the past.
    QVERIFY(FileBubble::actionsFor(infoOf(newestBubble(*m_bobWindow))).isEmpty());
    QVERIFY(QDir(m_dir->filePath(QStringLiteral("bob-downloads")))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                .isEmpty());
}

void TestFileWindow::cancelWhileMovingReachesBothSides()
{
    const QString path = m_dir->filePath(QStringLiteral("big.bin"));
    QVERIFY(writeFile(path, randomBytes(200'000, 7)));
    drop({path});
    QTRY_VERIFY(newestBubble(*m_bobWindow).isValid());
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Offered);
    // The sender goes away before Bob accepts: Bob's transfer then stays moving, waiting for data.
    m_window.reset();
    m_me.reset();
    click(*m_bobWindow, FileBubble::Action::Accept);
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Moving);
    QCOMPARE(FileBubble::actionsFor(infoOf(newestBubble(*m_bobWindow))),
             QList<FileBubble::Action>{FileBubble::Action::Cancel});
    click(*m_bobWindow, FileBubble::Action::Cancel);
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Cancelled);
    // The sender comes back and offers again; Bob's side answers that it was cancelled.
    openMine();
    m_window->openConversation(QStringLiteral("Bob"));
    QVERIFY(newestBubble(*m_window).isValid());
    QTRY_COMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Cancelled);
    QVERIFY(QDir(m_dir->filePath(QStringLiteral("bob-downloads")))
                .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot)
                .isEmpty());
}

void TestFileWindow::pastedPictureShowsAsThumbnail()
{
    const QImage image = testPicture(QSize(640, 480));
    auto* mime = new QMimeData;
    mime->setImageData(image);
    QApplication::clipboard()->setMimeData(mime);
    m_window->composer()->setFocus();
    QTest::keyClick(m_window->composer(), Qt::Key_V, Qt::ControlModifier);
    // Offered, not typed.
    QCOMPARE(m_window->composer()->toPlainText(), QString());
    QTRY_VERIFY(newestBubble(*m_window).isValid());
    const Transfers::Info info = infoOf(newestBubble(*m_window));
    QCOMPARE(QFileInfo(info.source).dir().absolutePath(), QDir(m_me->profile().pastedPicturesPath()).absolutePath());
    QCOMPARE(QImage(info.source).size(), image.size());
    // The sender sees it at once, as a thumbnail no larger than the bubble's limit.
    const QRect thumb = m_window->threadView()->fileActionRect(newestBubble(*m_window), FileBubble::Action::View);
    QVERIFY(!thumb.isEmpty());
    QVERIFY(thumb.width() <= FileBubble::Thumbnail.width());
    QVERIFY(thumb.height() <= FileBubble::Thumbnail.height());
    QCOMPARE(thumb.width() * 3, thumb.height() * 4); // the picture's shape
    // A click on it shows it full size.
    click(*m_window, FileBubble::Action::View);
    QTRY_VERIFY(m_window->findChild<PictureViewer*>());
    QCOMPARE(m_window->findChild<PictureViewer*>()->pictureSize(), image.size());
    // Bob sees an icon until he has it, then the thumbnail.
    QTRY_VERIFY(newestBubble(*m_bobWindow).isValid());
    QVERIFY(m_bobWindow->threadView()->fileActionRect(newestBubble(*m_bobWindow), FileBubble::Action::View).isEmpty());
    // Accepted from the keyboard this time: Enter on the bubble does its first action.
    m_bobWindow->threadView()->setCurrentIndex(newestBubble(*m_bobWindow));
    QTest::keyClick(m_bobWindow->threadView(), Qt::Key_Return);
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Done);
    QTRY_VERIFY(
        !m_bobWindow->threadView()->fileActionRect(newestBubble(*m_bobWindow), FileBubble::Action::View).isEmpty());
}

void TestFileWindow::copiedFilesArePastedAsOffers()
{
    const QString path = m_dir->filePath(QStringLiteral("copied.txt"));
    QVERIFY(writeFile(path, "copied in a file manager\n"));
    // A file manager puts the URLs and the paths as text: the file is offered, nothing is typed.
    auto* mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(path)});
    mime->setText(path);
    QApplication::clipboard()->setMimeData(mime);
    m_window->composer()->setFocus();
    QTest::keyClick(m_window->composer(), Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(m_window->composer()->toPlainText(), QString());
    QTRY_VERIFY(newestBubble(*m_window).isValid());
    QCOMPARE(infoOf(newestBubble(*m_window)).name, QStringLiteral("copied.txt"));
    QTRY_VERIFY(newestBubble(*m_bobWindow).isValid());
    QCOMPARE(infoOf(newestBubble(*m_bobWindow)).name, QStringLiteral("copied.txt"));
    // Plain text still pastes as text.
    QApplication::clipboard()->setText(QStringLiteral("just words"));
    QTest::keyClick(m_window->composer(), Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(m_window->composer()->toPlainText(), QStringLiteral("just words"));
}

void TestFileWindow::decompressionBombShowsAnIcon()
{
    const QString path = m_dir->filePath(QStringLiteral("bomb.png"));
    QVERIFY(writeFile(path, declaredPng(50'000, 50'000)));
    QCOMPARE(QImageReader(path).size(), QSize(50'000, 50'000)); // what it claims
    drop({path});
    QTRY_VERIFY(newestBubble(*m_window).isValid());
    QCOMPARE(infoOf(newestBubble(*m_window)).name, QStringLiteral("bomb.png"));
    QTRY_VERIFY(!m_window->threadView()->fileActionRect(newestBubble(*m_window), FileBubble::Action::Cancel).isEmpty());
    QVERIFY(m_window->threadView()->fileActionRect(newestBubble(*m_window), FileBubble::Action::View).isEmpty());
}

void TestFileWindow::picturesAreReadWithinLimits_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QSize>("expected"); // empty: refused

    const auto encoded = [](const QImage& image, const char* format) {
        QByteArray out;
        QBuffer buffer(&out);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, format);
        return out;
    };
    QTest::newRow("png") << encoded(testPicture(QSize(800, 200)), "PNG") << QSize(240, 60);
    QTest::newRow("jpeg") << encoded(testPicture(QSize(120, 90)), "JPEG") << QSize(120, 90);
    // Qt reads GIF but does not write it: the smallest GIF there is, one pixel.
    QTest::newRow("gif") << QByteArray("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01"
                                       "\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
                                       43)
                         << QSize(1, 1);
    // WebP through qt6-image-formats-plugins (pigeon.sh installs it; the package recommends it).
    QTest::newRow("webp") << encoded(testPicture(QSize(90, 360)), "WEBP") << QSize(45, 180);
    QTest::newRow("declares 50000x50000") << declaredPng(50'000, 50'000) << QSize();
    QTest::newRow("declares 8000x8000 (over the pixel limit)") << declaredPng(8000, 8000) << QSize();
    QTest::newRow("not a picture") << QByteArray("\x89PNG\r\n\x1a\nnothing more") << QSize();
    QTest::newRow("bmp is not shown") << encoded(testPicture(QSize(40, 30)), "BMP") << QSize();
}

void TestFileWindow::picturesAreReadWithinLimits()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QSize, expected);
    const QString path = m_dir->filePath(QStringLiteral("picture"));
    QVERIFY(writeFile(path, bytes));
    QString why;
    const QImage image = picture::read(path, FileBubble::Thumbnail, &why);
    QCOMPARE(image.isNull() ? QSize() : image.size(), expected);
    QCOMPARE(why.isEmpty(), !expected.isEmpty());
}

void TestFileWindow::settingsKeepFileChoices()
{
    const QString folder = m_dir->filePath(QStringLiteral("elsewhere"));
    bool offByDefault = false;
    QVERIFY(changeSettings(*m_window, [&offByDefault, folder](SettingsDialog* dialog) {
        offByDefault = !dialog->autoAcceptFiles();
        dialog->setFiles(folder, true, 5u << 20);
    }));
    QVERIFY(offByDefault);
    QCOMPARE(m_me->transfers()->downloadFolder(), folder);
    QVERIFY(m_me->transfers()->autoAccept());
    QCOMPARE(m_me->transfers()->autoAcceptMaxBytes(), quint64(5u << 20));
    // Kept in the profile: a restart has them.
    openMine();
    QCOMPARE(m_me->transfers()->downloadFolder(), folder);
    QVERIFY(m_me->transfers()->autoAccept());
    QCOMPARE(m_me->transfers()->autoAcceptMaxBytes(), quint64(5u << 20));

    // Bob's offers now come in by themselves, into that folder.
    const QByteArray bytes = randomBytes(20'000, 3);
    const QString path = m_dir->filePath(QStringLiteral("small.bin"));
    QVERIFY(writeFile(path, bytes));
    m_window->openConversation(QStringLiteral("Bob"));
    QTRY_VERIFY(m_bob->messenger()->route(QStringLiteral("Me")).isPigeon);
    QString error;
    QVERIFY2(m_bob->transfers()->offer(QStringLiteral("Me"), path, &error), qPrintable(error));
    QTRY_VERIFY(newestBubble(*m_window).isValid());
    QTRY_COMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Done);
    QCOMPARE(readFile(folder + QStringLiteral("/small.bin")), bytes);
}

void TestFileWindow::answerFileDialog(const std::function<void(QFileDialog*)>& answer)
{
    auto* poll = new QTimer(this);
    connect(poll, &QTimer::timeout, this, [poll, answer] {
        auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        poll->deleteLater();
        poll->stop();
        answer(dialog);
    });
    poll->start(10);
}

QString TestFileWindow::receivedByBob(const QString& name, const QByteArray& bytes)
{
    const QString path = m_dir->filePath(QStringLiteral("outbox/") + name);
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!writeFile(path, bytes))
        return {};
    drop({path});
    if (!QTest::qWaitFor([this] {
            return newestBubble(*m_bobWindow).isValid() &&
                   infoOf(newestBubble(*m_bobWindow)).state == TransferState::Offered;
        }))
        return {};
    click(*m_bobWindow, FileBubble::Action::Accept);
    if (!QTest::qWaitFor([this] { return infoOf(newestBubble(*m_bobWindow)).state == TransferState::Done; }))
        return {};
    return infoOf(newestBubble(*m_bobWindow)).saved;
}

void TestFileWindow::preparingBubbleShowsHashingAndCancels()
{
    // 512 MiB that take no disk space: hashing them takes long enough to be seen, and to be cancelled.
    const QString path = m_dir->filePath(QStringLiteral("disk.img"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.resize(qint64(512) << 20));
    }
    drop({path});
    QTRY_VERIFY(newestBubble(*m_window).isValid());
    QCOMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Preparing);
    QCOMPARE(FileBubble::actionsFor(infoOf(newestBubble(*m_window))),
             QList<FileBubble::Action>{FileBubble::Action::Cancel});
    // How far hashing got shows, as a percentage and a bar.
    QTRY_VERIFY(infoOf(newestBubble(*m_window)).doneBytes > 0);
    const Transfers::Info hashing = infoOf(newestBubble(*m_window));
    QVERIFY2(FileBubble::statusText(hashing).contains(QStringLiteral("hashing")),
             qPrintable(FileBubble::statusText(hashing)));
    QVERIFY(!FileBubble::layout(hashing, m_window->font(), FileBubble::Width, {}).progress.isEmpty());
    click(*m_window, FileBubble::Action::Cancel);
    QTRY_COMPARE(infoOf(newestBubble(*m_window)).state, TransferState::Cancelled);
    QVERIFY(FileBubble::actionsFor(infoOf(newestBubble(*m_window))).isEmpty());
    // Bob never heard of it.
    QVERIFY(!newestBubble(*m_bobWindow).isValid());
    QVERIFY(m_bob->transfers()->transfers().isEmpty());
}

void TestFileWindow::saveAsUsesTheChosenFolder_data()
{
    QTest::addColumn<QStringList>("present"); // names in the chosen folder before
    QTest::addColumn<bool>("choose");         // false: the dialog is cancelled
    QTest::addColumn<QString>("expected");    // the name it is saved under; empty: not accepted
    QTest::newRow("free name") << QStringList() << true << "report.bin";
    QTest::newRow("name taken") << QStringList{u"report.bin"_qs} << true << "report (1).bin";
    QTest::newRow("two names taken") << QStringList{u"report.bin"_qs, u"report (1).bin"_qs} << true << "report (2).bin";
    QTest::newRow("dialog cancelled") << QStringList() << false << "";
}

void TestFileWindow::saveAsUsesTheChosenFolder()
{
    QFETCH(QStringList, present);
    QFETCH(bool, choose);
    QFETCH(QString, expected);
    const QString chosen = m_dir->filePath(QStringLiteral("chosen"));
    QVERIFY(QDir().mkpath(chosen));
    for (const QString& name : std::as_const(present))
        QVERIFY(writeFile(chosen + u'/' + name, "mine: " + name.toUtf8()));
    const QByteArray bytes = randomBytes(60'000, 21);
    const QString path = m_dir->filePath(QStringLiteral("report.bin"));
    QVERIFY(writeFile(path, bytes));
    drop({path});
    QTRY_VERIFY(newestBubble(*m_bobWindow).isValid());
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Offered);

    // The real folder dialog opens at the download folder; the user picks another one, or cancels.
    const QString downloads = m_dir->filePath(QStringLiteral("bob-downloads"));
    QVERIFY(QDir().mkpath(downloads));
    bool answered = false;
    QString openedAt;
    bool foldersOnly = false;
    answerFileDialog([&](QFileDialog* dialog) {
        answered = true;
        openedAt = QDir(dialog->directory()).absolutePath();
        foldersOnly = dialog->fileMode() == QFileDialog::Directory;
        if (!choose) {
            dialog->reject();
            return;
        }
        // Into the chosen folder, nothing in it selected, no name typed: Choose takes that folder.
        dialog->setDirectory(chosen);
        if (auto* typed = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit")))
            typed->clear();
        static_cast<QDialog*>(dialog)->accept(); // QFileDialog's own accept(), as its Choose button calls it
    });
    click(*m_bobWindow, FileBubble::Action::SaveAs);
    QTRY_VERIFY(answered);
    QCOMPARE(openedAt, QDir(downloads).absolutePath());
    QVERIFY(foldersOnly);
    if (!choose) {
        QCOMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Offered);
        QCOMPARE(QDir(chosen).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot), present);
        return;
    }
    QTRY_COMPARE(infoOf(newestBubble(*m_bobWindow)).state, TransferState::Done);
    const Transfers::Info done = infoOf(newestBubble(*m_bobWindow));
    QCOMPARE(done.saved, QDir(chosen).absoluteFilePath(expected));
    QCOMPARE(readFile(done.saved), bytes);
    // What was there is untouched, and nothing went to the download folder.
    for (const QString& name : std::as_const(present))
        QCOMPARE(readFile(chosen + u'/' + name), "mine: " + name.toUtf8());
    QCOMPARE(QDir(chosen).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), present.size() + 1);
    QVERIFY(QDir(downloads).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
}

void TestFileWindow::openAndShowInFolder_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("action");
    QTest::addColumn<bool>("opensTheFile"); // false: its folder is shown instead
    const QByteArray text("minutes of Monday\n");
    const QByteArray script("#!/bin/sh\necho run\n");
    QTest::newRow("open a document") << "minutes.txt" << text << int(FileBubble::Action::Open) << true;
    QTest::newRow("show a document in its folder")
        << "minutes.txt" << text << int(FileBubble::Action::ShowInFolder) << false;
    QTest::newRow("open a shell script") << "setup.sh" << script << int(FileBubble::Action::Open) << false;
    QTest::newRow("open a script named as text") << "readme.txt" << script << int(FileBubble::Action::Open) << false;
    QTest::newRow("open a program") << "tool" << elfProgram() << int(FileBubble::Action::Open) << false;
    QTest::newRow("open a desktop entry")
        << "start.desktop" << QByteArray("[Desktop Entry]\nType=Application\nExec=sh -c run\n")
        << int(FileBubble::Action::Open) << false;
}

void TestFileWindow::openAndShowInFolder()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QFETCH(int, action);
    QFETCH(bool, opensTheFile);
    const QString saved = receivedByBob(name, bytes);
    QVERIFY(!saved.isEmpty());
    DesktopOpens desktop;
    click(*m_bobWindow, FileBubble::Action(action));
    QCOMPARE(desktop.urls.size(), 1);
    const QUrl expected = QUrl::fromLocalFile(opensTheFile ? saved : QFileInfo(saved).absolutePath());
    QCOMPARE(desktop.urls.first(), expected);
    // A program is never opened (which would run it): the user is told why its folder shows instead.
    if (action == int(FileBubble::Action::Open) && !opensTheFile)
        QVERIFY2(m_bobWindow->statusBar()->currentMessage().contains(QStringLiteral("program")),
                 qPrintable(m_bobWindow->statusBar()->currentMessage()));
}

QTEST_MAIN(TestFileWindow)
#include "tst_filewindow.moc"
