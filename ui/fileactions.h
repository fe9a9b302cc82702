#pragma once

#include "filebubble.h"

#include <QObject>

class QAction;
class QToolButton;
class QWidget;
class Session;

// The window's side of files (issue 10): offering files, folders and pasted pictures to the open conversation
// (attach button, Ctrl+O, Ctrl+Shift+O, drops and pastes land here), and doing what the user clicks in a file bubble.
// Everything goes through Session::transfers(); problems are reported, not thrown at the user in dialogs.
class FileActions final : public QObject {
    Q_OBJECT
public:
    FileActions(Session& session, QWidget* window);

    // The conversation files go to; empty or a group's: offering is disabled.
    void setPeer(const QString& peer);
    QAction* sendFileAction() const { return m_sendFile; }
    QAction* sendFolderAction() const { return m_sendFolder; }
    QToolButton* attachButton() const { return m_attach; }

    // Offers each file or folder to the open conversation; the ids of the offers made (problem() says why one failed).
    QList<quint64> offer(const QStringList& paths);
    // Saves a pasted picture as a PNG in the profile's folder for them (Profile::pastedPicturesPath) and offers it;
    // the saved path, or empty (problem() says why).
    QString offerPicture(const QImage& image);
    // Carries out a file bubble's action.
    void act(const Transfers::Info& info, FileBubble::Action action);

Q_SIGNALS:
    void problem(const QString& text);

private:
    void chooseFiles();
    void chooseFolder();

    Session& m_session;
    QWidget* m_window;
    QString m_peer;
    QAction* m_sendFile;
    QAction* m_sendFolder;
    QToolButton* m_attach;
};
