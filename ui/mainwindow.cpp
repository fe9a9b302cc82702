#include "mainwindow.h"

#include <QApplication>
#include <QListView>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTextBrowser>
#include <QVBoxLayout>

int runGui(const Session::Options& options)
{
    Session session;
    if (!session.open(options) && !session.messenger()) {
        QMessageBox::critical(nullptr, QObject::tr("Pigeon"), session.error());
        return 2;
    }
    MainWindow window(session);
    window.show();
    return QApplication::exec();
}

MainWindow::MainWindow(Session& session, QWidget* parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_contacts(new QListView)
    , m_thread(new QTextBrowser)
    , m_compose(new QPlainTextEdit)
{
    setWindowTitle(tr("Pigeon"));
    m_contacts->setModel(&m_session.contacts());
    auto* right = new QWidget;
    auto* layout = new QVBoxLayout(right);
    auto* send = new QPushButton(tr("Send"));
    layout->addWidget(m_thread, 1);
    layout->addWidget(m_compose);
    layout->addWidget(send);
    auto* splitter = new QSplitter;
    splitter->addWidget(m_contacts);
    splitter->addWidget(right);
    setCentralWidget(splitter);
    statusBar()->showMessage(m_session.isListening()
                                 ? tr("Listening on %1").arg(m_session.transport().localEndpoint().toString())
                                 : m_session.error());
    connect(m_contacts, &QListView::clicked, this, [this](const QModelIndex& index) {
        showConversation(index.data(ContactBook::ContactNameRole).toString());
    });
    connect(send, &QPushButton::clicked, this, &MainWindow::sendCurrent);
    if (Messenger* messenger = m_session.messenger())
        connect(messenger, &Messenger::messageAdded, this, [this](const Message& m) {
            if (m.peer == m_peer)
                m_thread->append(m.text.toHtmlEscaped());
        });
    resize(900, 600);
}

void MainWindow::showConversation(const QString& peer)
{
    m_peer = peer;
    m_thread->clear();
    for (const Message& m : m_session.history().conversation(peer, std::numeric_limits<double>::max(), 200))
        m_thread->append(m.text.toHtmlEscaped());
}

void MainWindow::sendCurrent()
{
    if (m_peer.isEmpty() || !m_session.messenger())
        return;
    QString error;
    if (m_session.messenger()->send(m_peer, m_compose->toPlainText(), &error))
        m_compose->clear();
    else
        statusBar()->showMessage(error);
}
