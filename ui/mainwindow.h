#pragma once

#include "session.h"

#include <QMainWindow>

class QListView;
class QPlainTextEdit;
class QTextBrowser;

// Starts the desktop messenger on a session opened with `options`; returns the exit code.
int runGui(const Session::Options& options);

// The main window: contacts on the left, the conversation on the right, the compose box below.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(Session& session, QWidget* parent = nullptr);

private:
    void showConversation(const QString& peer);
    void sendCurrent();

    Session& m_session;
    QListView* m_contacts;
    QTextBrowser* m_thread;
    QPlainTextEdit* m_compose;
    QString m_peer;
};
