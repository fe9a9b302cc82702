#include "fileactions.h"

#include "pictureviewer.h"
#include "session.h"

#include <QAction>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QMenu>
#include <QMimeDatabase>
#include <QSaveFile>
#include <QToolButton>
#include <QUrl>

namespace {

// Received files of these types are shown in their folder rather than opened: opening would run them. The type is
// taken from the name and, apart, from the contents, so that a program named as a document counts as a program.
bool runsWhenOpened(const QString& path)
{
    const QMimeDatabase mime;
    for (const QMimeType& type : {mime.mimeTypeForFile(path), mime.mimeTypeForFile(path, QMimeDatabase::MatchContent)})
        for (const char* runnable :
             {"application/x-executable", "application/x-sharedlib", "application/x-desktop",
              "application/x-shellscript", "application/x-ms-dos-executable", "application/x-msdownload",
              "application/x-msi", "text/x-python", "application/x-perl",
              "application/vnd.microsoft.portable-executable", "application/x-ms-shortcut"})
            if (type.inherits(QString::fromLatin1(runnable)))
                return true;
    return QFileInfo(path).isExecutable() && !QFileInfo(path).isDir();
}

} // namespace

FileActions::FileActions(Session& session, QWidget* window)
    : QObject(window)
    , m_session(session)
    , m_window(window)
    , m_sendFile(new QAction(tr("Send &File…"), this))
    , m_sendFolder(new QAction(tr("Send F&older…"), this))
    , m_attach(new QToolButton)
{
    m_sendFile->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_O));
    m_sendFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_sendFile, &QAction::triggered, this, &FileActions::chooseFiles);
    connect(m_sendFolder, &QAction::triggered, this, &FileActions::chooseFolder);
    m_attach->setObjectName(QStringLiteral("attach"));
    m_attach->setText(QStringLiteral("📎"));
    m_attach->setToolTip(tr("Send files or a folder (Ctrl+O), or drop them on the conversation"));
    m_attach->setAccessibleName(tr("Send Files"));
    m_attach->setAutoRaise(true);
    m_attach->setPopupMode(QToolButton::MenuButtonPopup);
    auto* menu = new QMenu(m_attach);
    menu->addAction(m_sendFile);
    menu->addAction(m_sendFolder);
    m_attach->setMenu(menu);
    connect(m_attach, &QToolButton::clicked, this, &FileActions::chooseFiles);
    setPeer({});
}

void FileActions::setPeer(const QString& peer)
{
    m_peer = peer;
    const bool open = !peer.isEmpty() && !peer.startsWith(u'#') && m_session.transfers();
    m_sendFile->setEnabled(open);
    m_sendFolder->setEnabled(open);
    m_attach->setEnabled(open);
}

void FileActions::chooseFiles()
{
    if (!m_sendFile->isEnabled())
        return;
    const QStringList paths = QFileDialog::getOpenFileNames(m_window, tr("Send Files to %1").arg(m_peer));
    if (!paths.isEmpty())
        offer(paths);
}

void FileActions::chooseFolder()
{
    if (!m_sendFolder->isEnabled())
        return;
    const QString path = QFileDialog::getExistingDirectory(m_window, tr("Send a Folder to %1").arg(m_peer));
    if (!path.isEmpty())
        offer({path});
}

QList<quint64> FileActions::offer(const QStringList& paths)
{
    QList<quint64> ids;
    if (!m_sendFile->isEnabled()) {
        Q_EMIT problem(tr("Files go to one contact at a time: open a contact's conversation first."));
        return ids;
    }
    QStringList problems;
    for (const QString& path : paths) {
        QString error;
        if (const quint64 id = m_session.transfers()->offer(m_peer, path, &error))
            ids.append(id);
        else
            problems.append(error);
    }
    if (!problems.isEmpty())
        Q_EMIT problem(problems.join(u' '));
    return ids;
}

QString FileActions::offerPicture(const QImage& image)
{
    const QString folder = m_session.profile().pastedPicturesPath();
    const QString path =
        folder + QStringLiteral("/pasted-%1.png")
                     .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
    QSaveFile file(path);
    if (!QDir().mkpath(folder) || !file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        Q_EMIT problem(tr("The pasted picture could not be saved in %1: %2").arg(folder, file.errorString()));
        return {};
    }
    return offer({path}).isEmpty() ? QString() : path;
}

void FileActions::act(const Transfers::Info& info, FileBubble::Action action)
{
    Transfers* transfers = m_session.transfers();
    QString error;
    const QString local = FileBubble::localPath(info);
    switch (action) {
    case FileBubble::Action::Accept:
        if (!transfers->accept(info.id, &error))
            Q_EMIT problem(error);
        break;
    case FileBubble::Action::SaveAs: {
        const QString folder =
            QFileDialog::getExistingDirectory(m_window, tr("Save %1 in").arg(info.name), transfers->downloadFolder());
        if (!folder.isEmpty() && !transfers->accept(info.id, &error, folder))
            Q_EMIT problem(error);
        break;
    }
    case FileBubble::Action::Decline: transfers->decline(info.id); break;
    case FileBubble::Action::Cancel: transfers->cancel(info.id); break;
    case FileBubble::Action::Open:
        if (!info.outgoing && runsWhenOpened(local)) {
            Q_EMIT problem(tr("%1 is a program: Pigeon shows it in its folder rather than run it.").arg(info.name));
            QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(local).absolutePath()));
        } else {
            QDesktopServices::openUrl(QUrl::fromLocalFile(local));
        }
        break;
    case FileBubble::Action::ShowInFolder:
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(local).absolutePath()));
        break;
    case FileBubble::Action::View: {
        auto* viewer = new PictureViewer(local, m_window);
        viewer->setAttribute(Qt::WA_DeleteOnClose);
        viewer->show();
        break;
    }
    case FileBubble::Action::None: break;
    }
}
